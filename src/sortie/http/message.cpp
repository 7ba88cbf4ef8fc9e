#include "sortie/http/message.hpp"

#include <algorithm>
#include <cctype>

namespace sortie::http {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::string> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (same_name(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> Request::query_value(std::string_view name) const {
  auto found = query.find(std::string(name));
  if (found == query.end()) return std::nullopt;
  return found->second;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  auto line = header("cookie");
  if (!line) return std::nullopt;
  std::string_view rest = *line;
  while (!rest.empty()) {
    auto semicolon = rest.find(';');
    std::string_view pair = trim(rest.substr(0, semicolon));
    rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
    auto equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    if (trim(pair.substr(0, equals)) == name) return std::string(trim(pair.substr(equals + 1)));
  }
  return std::nullopt;
}

Response Response::json(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response Response::empty(int status) {
  Response response;
  response.status = status;
  response.content_type.clear();
  return response;
}

}  // namespace sortie::http

#include "sortie/api/responses.hpp"

#include <fmt/format.h>

#include <charconv>

#include "sortie/http/status.hpp"
#include "sortie/json/api.hpp"

namespace sortie::api {

http::Response error_response(const core::Error& error) {
  return http::Response::json(http::status_for(error.code),
                              json::error_document(core::to_string(error.code), error.message));
}

http::Response error_response(int status, std::string_view code, std::string_view message) {
  return http::Response::json(status, json::error_document(code, message));
}

namespace {

std::optional<std::int64_t> integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

core::Result<std::int64_t> path_id(const http::Request& request, std::string_view name) {
  auto found = request.params.find(std::string(name));
  const std::string text = found == request.params.end() ? std::string() : found->second;
  auto value = integer(text);
  if (!value || *value < 1) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("'{}' is not an id: ids are positive whole numbers",
                                  text.substr(0, 64)));
  }
  return *value;
}

core::Result<std::int64_t> query_integer(const http::Request& request, std::string_view name,
                                         std::int64_t fallback, std::int64_t low,
                                         std::int64_t high) {
  auto text = request.query_value(name);
  if (!text) return fallback;
  auto value = integer(*text);
  if (!value || *value < low || *value > high) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("query parameter '{}' must be a whole number from {} to {}",
                                  name, low, high));
  }
  return *value;
}

bool declares_json(const http::Request& request) {
  auto type = request.header("content-type");
  if (!type || type->empty()) return true;
  return type->starts_with("application/json") ||
         type->starts_with("application/x-www-form-urlencoded");  // curl -d without -H
}

std::optional<http::Response> refuse_non_json(const http::Request& request) {
  if (request.body.empty() || declares_json(request)) return std::nullopt;
  return error_response(415, "unsupported_media_type",
                        "send the body as JSON with Content-Type: application/json");
}

}  // namespace sortie::api

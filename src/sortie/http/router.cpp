#include "sortie/http/router.hpp"

#include <algorithm>
#include <cassert>

namespace sortie::http {

std::vector<std::string_view> path_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

namespace {

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether `path` fits `pattern`; fills `params` when it does.
bool fits(std::string_view pattern, std::string_view path,
          std::map<std::string, std::string>& params) {
  const auto wanted = path_segments(pattern);
  const auto given = path_segments(path);
  if (wanted.size() != given.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (is_parameter(wanted[i])) {
      found.emplace(std::string(wanted[i].substr(1, wanted[i].size() - 2)), std::string(given[i]));
    } else if (wanted[i] != given[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  assert(!pattern.empty() && pattern.front() == '/');
  assert(std::none_of(m_routes.begin(), m_routes.end(), [&](const Route& route) {
    return route.method == method && route.pattern == pattern;
  }));
  m_routes.push_back({std::move(method), std::move(pattern), std::move(handler)});
}

Match Router::match(std::string_view method, std::string_view path) const {
  const std::string_view wanted_method = method == "HEAD" ? std::string_view("GET") : method;
  Match result;
  // Literal segments beat parameters: "/api/jobs/preview" wins over "/api/jobs/{id}".
  int best_literals = -1;
  for (const auto& route : m_routes) {
    std::map<std::string, std::string> params;
    if (!fits(route.pattern, path, params)) continue;
    if (route.method != wanted_method) {
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), route.method) ==
          result.allowed_methods.end()) {
        result.allowed_methods.push_back(route.method);
      }
      continue;
    }
    const auto segments = path_segments(route.pattern);
    const int literals = static_cast<int>(
        std::count_if(segments.begin(), segments.end(),
                      [](std::string_view segment) { return !is_parameter(segment); }));
    if (literals > best_literals) {
      best_literals = literals;
      result.route = &route;
      result.params = std::move(params);
    }
  }
  if (result.route) result.allowed_methods.clear();
  return result;
}

}  // namespace sortie::http

#pragma once

// Matching a request's method and path to a handler. Routes are written as OpenAPI writes
// paths, "/api/jobs/{id}/logs"; a trailing slash is optional on every route (the seed's clients
// call "/api/jobs/", newer ones "/api/jobs"). Pure: no sockets.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/http/message.hpp"

namespace sortie::http {

struct Route {
  std::string method;
  std::string pattern;  // "/api/jobs/{id}"
  Handler handler;
};

// What a lookup found.
struct Match {
  const Route* route = nullptr;                 // null when nothing matched
  std::map<std::string, std::string> params;    // {name} → the decoded segment
  std::vector<std::string> allowed_methods;     // the path matched, the method did not (405)
};

class Router {
 public:
  // Adds a route. Patterns must start with '/'; two routes with the same method and pattern
  // are a programming error (asserted).
  void add(std::string method, std::string pattern, Handler handler);

  // The route for `method` and `path`. HEAD matches GET routes.
  Match match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return m_routes; }

 private:
  std::vector<Route> m_routes;
};

// Splits a path into its segments, ignoring empty ones ("/api/jobs/" → {"api", "jobs"}).
std::vector<std::string_view> path_segments(std::string_view path);

}  // namespace sortie::http

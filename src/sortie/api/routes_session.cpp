// /api/session: signing a browser in with an API token (a cookie session), and out.
#include <fmt/format.h>

#include "sortie/api/app.hpp"
#include "sortie/api/responses.hpp"
#include "sortie/json/api.hpp"

namespace sortie::api {

void add_session_routes(http::Router& router, Context& context) {
  router.add("GET", "/api/session", [&context](const http::Request& request) {
    bool signed_in = !context.options.auth_required;
    if (!signed_in) {
      if (auto id = request.cookie(kSessionCookie)) signed_in = context.sessions.who(*id).has_value();
    }
    return http::Response::json(
        200, fmt::format(R"({{"auth_required":{},"signed_in":{}}})",
                         context.options.auth_required, signed_in));
  });

  router.add("POST", "/api/session", [&context](const http::Request& request) {
    auto token = json::read_token(request.body);
    if (!token) return error_response(token.error());
    std::optional<std::string> name;
    {
      auto store = context.stores.acquire();
      if (!store) return error_response(store.error());
      auto found = (*store)->token_name(token_hash(*token));
      if (!found) return error_response(found.error());
      name = *found;
    }
    if (!name) {
      return error_response(401, "unauthorized",
                            "that token is not known: check it, or make a new one with `sortie "
                            "tokens create NAME`");
    }
    auto session = context.sessions.open(*name);
    if (!session) return error_response(session.error());
    auto response = http::Response::empty();
    response.headers.emplace_back(
        "Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200{}",
                                  kSessionCookie, *session,
                                  context.options.secure_cookies ? "; Secure" : ""));
    return response;
  });

  router.add("DELETE", "/api/session", [&context](const http::Request& request) {
    if (auto id = request.cookie(kSessionCookie)) context.sessions.close(*id);
    auto response = http::Response::empty();
    response.headers.emplace_back(
        "Set-Cookie",
        fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", kSessionCookie));
    return response;
  });
}

}  // namespace sortie::api

// /api/session: signing a browser in with an API token or the local secret (a cookie
// session), and out; and the sign-in link that `sortie serve` prints.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "sortie/api/app.hpp"
#include "sortie/api/responses.hpp"
#include "sortie/json/api.hpp"

namespace sortie::api {
namespace {

std::string session_cookie(const Context& context, const std::string& session) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200{}", kSessionCookie,
                     session, context.options.secure_cookies ? "; Secure" : "");
}

bool is_local_secret(const Context& context, std::string_view given) {
  return context.options.local_secret && constant_time_equal(given, *context.options.local_secret);
}

// Where the sign-in link leads once the secret is taken out: its own path when that is a
// plain one, else "/" (never another site: "//evil.example" is a URL of another host).
std::string landing_path(const std::string& path) {
  const bool plain =
      path.starts_with('/') && !path.starts_with("//") &&
      std::all_of(path.begin(), path.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '-' || c == '_' ||
               c == '.' || c == '~';
      });
  return plain ? path : "/";
}

}  // namespace

std::optional<http::Response> follow_sign_in_link(Context& context, const http::Request& request) {
  auto given = request.query_value("token");
  if (!given || !context.options.local_secret) return std::nullopt;
  if (!is_local_secret(context, *given)) {
    return error_response(401, "unauthorized",
                          "this sign-in link is not this server's: `sortie serve` prints a new "
                          "one each time it starts; open the one it printed last");
  }
  auto session = context.sessions.open({"", Credential::local_secret});
  if (!session) return error_response(session.error());
  auto response = http::Response::empty(303);
  response.headers.emplace_back("Location", landing_path(request.path));
  response.headers.emplace_back("Set-Cookie", session_cookie(context, *session));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

void add_session_routes(http::Router& router, Context& context) {
  router.add("GET", "/api/session", [&context](const http::Request& request) {
    const bool required = needs_credentials(context.options);
    bool signed_in = !required;
    if (!signed_in) {
      if (auto id = request.cookie(kSessionCookie)) signed_in = context.sessions.who(*id).has_value();
    }
    return http::Response::json(
        200, fmt::format(R"({{"auth_required":{},"signed_in":{}}})", required, signed_in));
  });

  router.add("POST", "/api/session", [&context](const http::Request& request) {
    auto token = json::read_token(request.body);
    if (!token) return error_response(token.error());
    if (is_local_secret(context, *token)) {
      auto session = context.sessions.open({"", Credential::local_secret});
      if (!session) return error_response(session.error());
      auto response = http::Response::empty();
      response.headers.emplace_back("Set-Cookie", session_cookie(context, *session));
      return response;
    }
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
    auto session = context.sessions.open({*name, Credential::api_token});
    if (!session) return error_response(session.error());
    auto response = http::Response::empty();
    response.headers.emplace_back("Set-Cookie", session_cookie(context, *session));
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

#pragma once

// API tokens and browser sessions. A token is shown once when made; the database keeps only
// its SHA-256. A browser signs in with a token and gets a session id in an HttpOnly,
// SameSite=Strict cookie; sessions live in memory and end with the server.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"

namespace sortie::api {

// A new token: "sortie_" and 40 hex digits of the kernel's randomness (160 bits).
core::Result<std::string> new_token();

// What the database keeps of `token`: its SHA-256 as 64 hex digits.
std::string token_hash(std::string_view token);

// The name of the session cookie.
inline constexpr std::string_view kSessionCookie = "sortie_session";

class Sessions {
 public:
  explicit Sessions(std::chrono::hours lifetime = std::chrono::hours(12))
      : m_lifetime(lifetime) {}

  // A new session for the token named `token_name`; returns its id.
  core::Result<std::string> open(const std::string& token_name);
  // The token name of a live session, or nullopt.
  std::optional<std::string> who(std::string_view id);
  void close(std::string_view id);

 private:
  struct Session {
    std::string token_name;
    std::chrono::steady_clock::time_point expires;
  };
  std::chrono::hours m_lifetime;
  std::mutex m_mutex;
  std::map<std::string, Session, std::less<>> m_sessions;
};

}  // namespace sortie::api

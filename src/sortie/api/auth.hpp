#pragma once

// API tokens, the server's local secret and browser sessions. A token is shown once when made;
// the database keeps only its SHA-256. The local secret is made at each start of `sortie serve`
// and kept only in its memory and in a file only the user can read. A browser signs in with
// either and gets a session id in an HttpOnly, SameSite=Strict cookie; sessions live in memory
// and end with the server.

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

// A new local secret: 64 hex digits of the kernel's randomness (256 bits).
core::Result<std::string> new_local_secret();

// Whether `a` and `b` are equal, in a time that depends on their lengths only (not on where
// they first differ), so that answers cannot be timed to guess a secret.
bool constant_time_equal(std::string_view a, std::string_view b);

// What a session was opened with.
enum class Credential { api_token, local_secret };

struct SessionOwner {
  std::string token_name;  // the API token's name; empty for the local secret
  Credential credential = Credential::api_token;
};

// The name of the session cookie.
inline constexpr std::string_view kSessionCookie = "sortie_session";

class Sessions {
 public:
  explicit Sessions(std::chrono::hours lifetime = std::chrono::hours(12))
      : m_lifetime(lifetime) {}

  // A new session for `owner`; returns its id.
  core::Result<std::string> open(SessionOwner owner);
  // Who opened a live session, or nullopt.
  std::optional<SessionOwner> who(std::string_view id);
  void close(std::string_view id);

 private:
  struct Session {
    SessionOwner owner;
    std::chrono::steady_clock::time_point expires;
  };
  std::chrono::hours m_lifetime;
  std::mutex m_mutex;
  std::map<std::string, Session, std::less<>> m_sessions;
};

}  // namespace sortie::api

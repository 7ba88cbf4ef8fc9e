#pragma once

// A small HTTP client for the CLI to talk to a running `sortie serve` on loopback.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"

namespace sortie::http {

struct ClientResponse {
  int status = 0;
  std::string body;
};

// Sends one request to `base_url` ("http://127.0.0.1:8028") and returns the answer, whatever
// its status. Writes carry Content-Type: application/json (the server's gate wants it even
// without a body); `bearer`, when set, goes as Authorization: Bearer. connection_failed when nothing answers (then the caller may work without the
// server); timeout when no answer came in time.
core::Result<ClientResponse> send(const std::string& base_url, std::string_view method,
                                  const std::string& path, const std::string& body,
                                  std::chrono::milliseconds timeout,
                                  const std::optional<std::string>& bearer = std::nullopt);

}  // namespace sortie::http

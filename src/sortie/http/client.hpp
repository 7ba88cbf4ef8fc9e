#pragma once

// A small HTTP client for the CLI to talk to a running `sortie serve` on loopback.

#include <chrono>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"

namespace sortie::http {

struct ClientResponse {
  int status = 0;
  std::string body;
};

// Sends one request to `base_url` ("http://127.0.0.1:8028") and returns the answer, whatever
// its status. connection_failed when nothing answers (then the caller may work without the
// server); timeout when no answer came in time.
core::Result<ClientResponse> send(const std::string& base_url, std::string_view method,
                                  const std::string& path, const std::string& body,
                                  std::chrono::milliseconds timeout);

}  // namespace sortie::http

#pragma once

// The HTTP server: the only place that includes cpp-httplib. Before a request's body is read,
// its head goes through the request gate (request_gate.hpp: Host, cross-site writes, body
// framing and size, header bounds); a refused request is answered in JSON and its connection
// closed, its body never read. Every other request goes to one Handler (the API's dispatch).
// The server adds security headers, turns the library's own refusals (a malformed request) into
// JSON errors, and runs streamed responses (SSE) on their connection's thread until they end or
// the server stops. HTTPS speaks TLS 1.2 or later.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/http/message.hpp"

namespace sortie::http {

struct ServerOptions {
  // An IP literal (a name is bound as the library resolves it, but the gate then knows only
  // the names below).
  std::string host = "127.0.0.1";
  int port = 8028;  // 0: any free port (see Server::port())
  // HTTPS when both are set: PEM files.
  std::optional<std::string> tls_certificate;
  std::optional<std::string> tls_key;
  std::size_t max_body_bytes = 1u << 20;
  // Beyond the bound address (and the loopback names when bound on loopback or every
  // interface): the Host names accepted (--allow-host) and the public URLs (--public-url).
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> public_urls;
  // Connections served at once; each open stream holds one. Beyond it, connections wait.
  int threads = 160;
  std::chrono::seconds read_timeout{15};
  std::chrono::seconds write_timeout{15};
};

// Security headers every response gets unless its handler set them: no sniffing, no framing,
// no referrer, and a Content-Security-Policy that allows only this origin's scripts (no inline
// script anywhere).
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'";

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the address. Fails with invalid_argument when the TLS files cannot be loaded and
  // with io_error naming the address when it cannot be bound (in use, not local).
  core::Result<void> bind();
  // The bound port (the one chosen when options.port was 0).
  int port() const;
  // The Host values accepted (known after bind()), e.g. "127.0.0.1:8028" first.
  std::vector<std::string> allowed_hosts() const;
  // Serves until stop(); call after bind().
  void run();
  // Stops accepting, tells open streams to end, and makes run() return. Any thread.
  void stop();
  // Whether stop() was called.
  bool stopping() const { return m_stopping.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  std::atomic<bool> m_stopping{false};
};

}  // namespace sortie::http

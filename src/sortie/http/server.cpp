#include "sortie/http/server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <exception>

#include "sortie/http/request_gate.hpp"

namespace sortie::http {
namespace {

std::string error_body(std::string_view code, std::string_view message) {
  // Both are fixed, ASCII texts of this file: no escaping needed beyond quotes.
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return fmt::format(R"({{"error": {{"code": "{}", "message": "{}"}}}})", code, escaped);
}

// What the library refused before a handler ran, in the API's words.
std::pair<std::string_view, std::string> library_error(int status, std::size_t max_body) {
  switch (status) {
    case 413:
      return {"payload_too_large",
              fmt::format("the request body is over {} bytes; send less", max_body)};
    case 414:
      return {"invalid_argument", "the request line is too long"};
    case 400:
      return {"invalid_argument",
              "the request is not valid HTTP (a POST without a body still needs "
              "Content-Length: 0, e.g. curl -d '')"};
    case 404:
      return {"not_found", "no such path"};
    case 416:
      return {"invalid_argument", "the requested range cannot be served"};
    default:
      return {"internal", fmt::format("the server answered status {}", status)};
  }
}

Request to_request(const httplib::Request& from) {
  Request request;
  request.method = from.method;
  request.path = from.path;
  for (const auto& [name, value] : from.params) request.query.emplace(name, value);
  request.headers.reserve(from.headers.size());
  for (const auto& [name, value] : from.headers) {
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(lower), value);
  }
  request.body = from.body;
  request.remote_address = from.remote_addr;
  return request;
}

// The head of a request as the gate sees it: method, path, headers; the body is not read yet.
Request head_of(const httplib::Request& from) {
  Request request;
  request.method = from.method;
  request.path = from.path;
  request.headers.reserve(from.headers.size());
  for (const auto& [name, value] : from.headers) {
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(lower), value);
  }
  request.remote_address = from.remote_addr;
  return request;
}

class SinkAdapter final : public StreamSink {
 public:
  SinkAdapter(httplib::DataSink& sink, const std::atomic<bool>& stopping)
      : m_sink(sink), m_stopping(stopping) {}
  bool write(std::string_view bytes) override {
    if (m_stopping.load() || !m_sink.is_writable()) return false;
    return m_sink.write(bytes.data(), bytes.size());
  }
  bool open() const override { return !m_stopping.load(); }

 private:
  httplib::DataSink& m_sink;
  const std::atomic<bool>& m_stopping;
};

void set_default_headers(httplib::Response& response) {
  auto set_if_absent = [&](const char* name, std::string_view value) {
    if (!response.has_header(name)) response.set_header(name, std::string(value));
  };
  set_if_absent("X-Content-Type-Options", "nosniff");
  set_if_absent("X-Frame-Options", "DENY");
  set_if_absent("Referrer-Policy", "no-referrer");
  set_if_absent("Content-Security-Policy", kContentSecurityPolicy);
}

// A refusal of the gate. Its body is sent by a content provider that then reports failure:
// that is what makes cpp-httplib close the connection instead of reading the unread body as
// the next request (which would smuggle it past the gate).
void refuse_and_close(httplib::Response& response, const Refusal& refusal) {
  auto body = std::make_shared<std::string>(error_body(refusal.code, refusal.message));
  response.status = refusal.status;
  response.set_header("Connection", "close");
  set_default_headers(response);
  response.set_content_provider(body->size(), "application/json",
                                [body](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                  sink.write(body->data() + offset, body->size() - offset);
                                  return false;
                                });
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  std::unique_ptr<httplib::Server> server;
  int port = 0;
  // Set once in bind(), before any request is served; read by every connection's thread.
  GatePolicy gate;
};

Server::Server(ServerOptions options, Handler handler) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
  m_impl->handler = std::move(handler);
}

Server::~Server() { stop(); }

core::Result<void> Server::bind() {
  auto& impl = *m_impl;
  const auto& options = impl.options;
  if (options.tls_certificate && options.tls_key) {
    auto server = std::make_unique<httplib::SSLServer>(options.tls_certificate->c_str(),
                                                       options.tls_key->c_str());
    if (!server->is_valid()) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("cannot use the TLS certificate '{}' with the key '{}': check "
                                    "that both are readable PEM files and belong together",
                                    *options.tls_certificate, *options.tls_key));
    }
    // cpp-httplib allows TLS 1.1; tokens and cookies deserve at least 1.2.
    SSL_CTX_set_min_proto_version(server->ssl_context(), TLS1_2_VERSION);
    impl.server = std::move(server);
  } else {
    impl.server = std::make_unique<httplib::Server>();
  }
  auto& server = *impl.server;
  const int threads = options.threads;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  server.set_payload_max_length(options.max_body_bytes);
  server.set_read_timeout(options.read_timeout);
  server.set_write_timeout(options.write_timeout);
  server.set_keep_alive_max_count(10'000);
  // Headers and body leave in separate writes: without this, Nagle's algorithm and the
  // client's delayed ACK hold every small response for ~40 ms.
  server.set_tcp_nodelay(true);

  const auto dispatch = [this](const httplib::Request& from, httplib::Response& to) {
    Response response;
    try {
      response = m_impl->handler(to_request(from));
    } catch (const std::exception& error) {
      response = Response::json(
          500, error_body("internal", fmt::format("unexpected failure: {}", error.what())));
    }
    to.status = response.status;
    for (auto& [name, value] : response.headers) to.set_header(name, value);
    if (response.stream) {
      auto stream = std::move(response.stream);
      to.set_chunked_content_provider(
          response.content_type, [this, stream](std::size_t, httplib::DataSink& sink) {
            SinkAdapter adapter(sink, m_stopping);
            stream(adapter);
            sink.done();
            return true;
          });
    } else if (!response.body.empty() || !response.content_type.empty()) {
      to.set_content(std::move(response.body), response.content_type);
    }
    set_default_headers(to);
  };
  // Runs after the head is read and before the body is: a refused request's body never is.
  server.set_pre_routing_handler(
      [this](const httplib::Request& from, httplib::Response& to) {
        auto refusal = check_request(m_impl->gate, head_of(from));
        if (!refusal) return httplib::Server::HandlerResponse::Unhandled;
        refuse_and_close(to, *refusal);
        return httplib::Server::HandlerResponse::Handled;
      });
  // The library answers "100 Continue" before routing; ask the gate first, so that a client
  // waiting to send a body it would refuse hears the refusal instead.
  server.set_expect_100_continue_handler(
      [this](const httplib::Request& from, httplib::Response& to) {
        auto refusal = check_request(m_impl->gate, head_of(from));
        if (!refusal) return 100;
        to.status = refusal->status;
        to.set_header("Connection", "close");
        to.set_content(error_body(refusal->code, refusal->message), "application/json");
        set_default_headers(to);
        return refusal->status;
      });
  server.Get(".*", dispatch);
  server.Post(".*", dispatch);
  server.Put(".*", dispatch);
  server.Patch(".*", dispatch);
  server.Delete(".*", dispatch);
  server.Options(".*", dispatch);

  const std::size_t max_body = options.max_body_bytes;
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body](const httplib::Request&, httplib::Response& response) {
    if (!response.body.empty() || response.has_header("Content-Type")) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    const auto [code, message] = library_error(response.status, max_body);
    response.set_content(error_body(code, message), "application/json");
    set_default_headers(response);
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
        response.status = 500;
        response.set_content(error_body("internal", "unexpected failure"), "application/json");
      });

  if (options.port == 0) {
    impl.port = server.bind_to_any_port(options.host);
    if (impl.port <= 0) impl.port = -1;
  } else {
    impl.port = server.bind_to_port(options.host, options.port) ? options.port : -1;
  }
  if (impl.port < 0) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("cannot listen on {}:{}: the port is in use or the address is "
                                  "not one of this machine's; choose another with --listen",
                                  options.host, options.port));
  }
  GateConfig gate;
  gate.scheme = impl.options.tls_certificate && impl.options.tls_key ? "https" : "http";
  gate.bound_address = options.host;
  gate.port = impl.port;
  gate.extra_hosts = options.allowed_hosts;
  gate.public_urls = options.public_urls;
  gate.max_body_bytes = options.max_body_bytes;
  impl.gate = make_gate_policy(gate);
  return {};
}

int Server::port() const { return m_impl->port; }

std::vector<std::string> Server::allowed_hosts() const { return m_impl->gate.hosts; }

void Server::run() {
  if (m_impl->server) m_impl->server->listen_after_bind();
}

void Server::stop() {
  m_stopping.store(true);
  if (m_impl && m_impl->server) m_impl->server->stop();
}

}  // namespace sortie::http

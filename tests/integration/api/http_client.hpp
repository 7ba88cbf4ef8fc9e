#pragma once

// A small HTTP/1.1 client over a loopback socket for the API's integration tests: exact request
// bytes (an encoded "%2F" stays encoded), one connection per request, a deadline on every read,
// and a streaming reader for Server-Sent Events. Tests must not hang: every read gives up after
// its timeout and says so.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sortie::testing {

struct HttpResponse {
  int status = 0;  // 0: no answer (connection refused, timed out, malformed)
  std::multimap<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string failure;  // why status is 0

  std::optional<std::string> header(const std::string& name) const {
    auto found = headers.find(name);
    if (found == headers.end()) return std::nullopt;
    return found->second;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

namespace detail {

inline std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A connected loopback socket, closed on destruction.
class Socket {
 public:
  explicit Socket(int port) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(m_fd);
      m_fd = -1;
    }
    int one = 1;
    if (m_fd >= 0) ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Socket() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  bool connected() const { return m_fd >= 0; }

  bool send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      auto sent = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  // Appends what arrives within `timeout` to `into`; false on EOF, error or timeout.
  bool receive(std::string& into, std::chrono::milliseconds timeout) {
    pollfd waiting{m_fd, POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buffer[65536];
    auto read = ::recv(m_fd, buffer, sizeof buffer, 0);
    if (read <= 0) return false;
    into.append(buffer, static_cast<std::size_t>(read));
    return true;
  }

 private:
  int m_fd = -1;
};

inline std::string request_text(int port, const std::string& method, const std::string& target,
                                const std::optional<std::string>& body, const Headers& headers,
                                bool keep_alive) {
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                     std::to_string(port) + "\r\n";
  // Writes get Content-Type: application/json unless the headers name another type; a
  // Content-Type given empty sends none at all.
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    if (lower(name) == "content-type") {
      has_type = true;
      if (value.empty()) continue;
    }
    text += name + ": " + value + "\r\n";
  }
  const bool write = method != "GET" && method != "HEAD";
  if (write && !has_type) text += "Content-Type: application/json\r\n";
  if (body) {
    text += "Content-Length: " + std::to_string(body->size()) + "\r\n";
  } else if (method == "POST" || method == "PUT" || method == "PATCH") {
    // What browsers and `curl -d ''` send for an empty body (the server refuses a POST with no
    // length at all, with a message saying so).
    text += "Content-Length: 0\r\n";
  }
  if (!keep_alive) text += "Connection: close\r\n";
  text += "\r\n";
  if (body) text += *body;
  return text;
}

// Reads the status line and headers from the front of `raw`; the number of bytes they took, or
// 0 when they are not complete yet.
inline std::size_t parse_head(const std::string& raw, HttpResponse& response) {
  const auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  const auto first_line_end = raw.find("\r\n");
  const std::string status_line = raw.substr(0, first_line_end);
  const auto space = status_line.find(' ');
  if (space != std::string::npos) response.status = std::atoi(status_line.c_str() + space + 1);
  std::size_t at = first_line_end + 2;
  while (at < end) {
    const auto line_end = raw.find("\r\n", at);
    const std::string line = raw.substr(at, line_end - at);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers.emplace(lower(line.substr(0, colon)), value);
    }
    at = line_end + 2;
  }
  return end + 4;
}

// Takes whole chunks from the front of `chunked` into `body`; true once the last chunk came.
inline bool dechunk(std::string& chunked, std::string& body) {
  while (true) {
    const auto line_end = chunked.find("\r\n");
    if (line_end == std::string::npos) return false;
    const auto size = std::stoul(chunked.substr(0, line_end), nullptr, 16);
    if (size == 0) return true;
    if (chunked.size() < line_end + 2 + size + 2) return false;
    body.append(chunked, line_end + 2, size);
    chunked.erase(0, line_end + 2 + size + 2);
  }
}

}  // namespace detail

// One request on a fresh connection; waits at most `timeout` for the whole answer.
inline HttpResponse http_request(int port, const std::string& method, const std::string& target,
                                 const std::optional<std::string>& body = std::nullopt,
                                 const Headers& headers = {},
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  HttpResponse response;
  detail::Socket socket(port);
  if (!socket.connected()) {
    response.failure = "connection refused";
    return response;
  }
  if (!socket.send_all(detail::request_text(port, method, target, body, headers, false))) {
    response.failure = "send failed";
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string raw;
  std::size_t head = 0;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      response.status = 0;
      response.failure = "timed out after " + std::to_string(timeout.count()) + " ms: " + raw;
      return response;
    }
    const bool more = socket.receive(raw, left);
    if (!head) head = detail::parse_head(raw, response);
    if (head) {
      std::string rest = raw.substr(head);
      if (response.header("transfer-encoding") == "chunked") {
        std::string body_text;
        if (detail::dechunk(rest, body_text)) {
          response.body = std::move(body_text);
          return response;
        }
      } else if (auto length = response.header("content-length")) {
        if (rest.size() >= std::stoul(*length) || method == "HEAD") {
          response.body = rest.substr(0, method == "HEAD" ? 0 : std::stoul(*length));
          return response;
        }
      } else if (!more) {
        response.body = rest;
        return response;
      }
    }
    if (!more && std::chrono::steady_clock::now() < deadline) {
      if (!head) {
        response.status = 0;
        response.failure = "connection closed before an answer: " + raw;
        return response;
      }
      response.body = raw.substr(head);
      return response;
    }
  }
}

// A Server-Sent Events connection held open; events are read as they come.
class SseStream {
 public:
  SseStream(int port, const std::string& target, const Headers& headers = {})
      : m_socket(port) {
    if (!m_socket.connected()) return;
    Headers all = headers;
    all.emplace_back("Accept", "text/event-stream");
    m_socket.send_all(detail::request_text(port, "GET", target, std::nullopt, all, true));
  }

  bool connected() const { return m_socket.connected(); }
  const HttpResponse& head() const { return m_head; }
  // Every byte of the event stream received so far, de-chunked.
  const std::string& text() const { return m_text; }

  // Waits until the head has come; its status (0 on timeout).
  int status(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    wait_for([&] { return m_head_size > 0; }, timeout);
    return m_head.status;
  }

  // Reads until `done(text())` holds or `timeout` passes; whether it held.
  template <typename Predicate>
  bool wait_for(Predicate done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !m_socket.connected()) return false;
      if (!m_socket.receive(m_raw, left)) return done();
      if (!m_head_size) {
        m_head_size = detail::parse_head(m_raw, m_head);
        if (m_head_size) m_raw.erase(0, m_head_size);
      }
      if (m_head_size) {
        if (m_head.header("transfer-encoding") == "chunked") {
          detail::dechunk(m_raw, m_text);
        } else {
          m_text += m_raw;
          m_raw.clear();
        }
      }
    }
    return true;
  }

  // Whether an event named `name` whose data contains `needle` has arrived.
  bool has_event(std::string_view name, std::string_view needle = "") const {
    const std::string marker = "event: " + std::string(name) + "\ndata: ";
    for (auto at = m_text.find(marker); at != std::string::npos;
         at = m_text.find(marker, at + 1)) {
      const auto end = m_text.find("\n\n", at);
      if (end == std::string::npos) return false;
      if (m_text.substr(at, end - at).find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  detail::Socket m_socket;
  HttpResponse m_head;
  std::size_t m_head_size = 0;
  std::string m_raw;
  std::string m_text;
};

}  // namespace sortie::testing

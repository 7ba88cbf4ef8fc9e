#pragma once

// A request and a response as sortie's handlers see them: plain values, no HTTP library types,
// so handlers are tested without a socket.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sortie::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded, without the query
  std::map<std::string, std::string> params;        // from the route's {name} segments
  std::multimap<std::string, std::string> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote_address;

  // The first header named `name` (any case), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
  // The first query parameter named `name`, or nullopt.
  std::optional<std::string> query_value(std::string_view name) const;
  // The value of the cookie `name` from the Cookie header, or nullopt.
  std::optional<std::string> cookie(std::string_view name) const;
};

// Where a streamed response writes. write() returns false once the client has gone or the
// server is stopping: the stream must then return.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual bool write(std::string_view bytes) = 0;
  // Whether the stream should go on (the server is not stopping).
  virtual bool open() const = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is produced by calling this on the connection's thread; the response
  // ends when it returns (Server-Sent Events, long downloads).
  std::function<void(StreamSink&)> stream;

  // A JSON response.
  static Response json(int status, std::string body);
  // No content.
  static Response empty(int status = 204);
};

using Handler = std::function<Response(const Request&)>;

}  // namespace sortie::http

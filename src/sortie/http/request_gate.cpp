#include "sortie/http/request_gate.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace sortie::http {
namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  for (auto& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (!contains(list, value)) list.push_back(std::move(value));
}

// "host:port" as a Host header names it: IPv6 literals in brackets.
std::string authority(std::string_view address, int port) {
  if (address.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", address, port);
  return fmt::format("{}:{}", address, port);
}

// Whether `host` (a Host value or --allow-host) already ends with ":PORT".
bool has_port(std::string_view host) {
  const auto colon = host.rfind(':');
  if (colon == std::string_view::npos) return false;
  if (host.front() == '[' && host.find(']') > colon) return false;  // "[::1]" without port
  if (host.front() != '[' && host.find(':') != colon) return false;  // a bare IPv6 literal
  return colon + 1 < host.size() &&
         std::all_of(host.begin() + static_cast<std::ptrdiff_t>(colon) + 1, host.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

struct Url {
  std::string scheme;
  std::string authority;  // as a Host header would carry it
};

std::optional<Url> read_url(std::string_view text) {
  const auto separator = text.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  Url url{lower(text.substr(0, separator)), {}};
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  auto rest = text.substr(separator + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.empty() || rest.find('@') != std::string_view::npos) return std::nullopt;
  url.authority = lower(rest);
  // The default port is not written in Host or Origin.
  const std::string_view default_port = url.scheme == "https" ? ":443" : ":80";
  if (url.authority.ends_with(default_port) && has_port(url.authority)) {
    url.authority.resize(url.authority.size() - default_port.size());
  }
  return url;
}

std::optional<std::string> only_header(const Request& request, std::string_view name,
                                       bool& repeated) {
  std::optional<std::string> found;
  repeated = false;
  for (const auto& [header, value] : request.headers) {
    if (header != name) continue;
    if (found) repeated = true;
    if (!found) found = value;
  }
  return found;
}

Refusal refuse(int status, std::string code, std::string message) {
  return Refusal{status, std::move(code), std::move(message)};
}

}  // namespace

bool is_loopback_address(std::string_view address) {
  const std::string text(address);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return false;
  static constexpr std::array<unsigned char, 16> kLoopback6{0, 0, 0, 0, 0, 0, 0, 0,
                                                            0, 0, 0, 0, 0, 0, 0, 1};
  if (bytes == kLoopback6) return true;
  // ::ffff:127.x.y.z, an IPv4 loopback address written as IPv6.
  static constexpr std::array<unsigned char, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::equal(kMapped.begin(), kMapped.end(), bytes.begin()) && bytes[12] == 127;
}

bool is_wildcard_address(std::string_view address) {
  const std::string text(address);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1 ||
      inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
    return std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; });
  }
  return false;
}

std::optional<std::string> public_url_problem(std::string_view url) {
  if (read_url(url)) return std::nullopt;
  return fmt::format("--public-url '{}': write the address browsers use, with its scheme: "
                     "https://sortie.example.org or http://NAME:PORT",
                     url.substr(0, 200));
}

GatePolicy make_gate_policy(const GateConfig& config) {
  GatePolicy policy;
  policy.max_body_bytes = config.max_body_bytes;
  policy.max_header_count = config.max_header_count;
  policy.max_header_bytes = config.max_header_bytes;
  add_unique(policy.hosts, lower(authority(config.bound_address, config.port)));
  if (is_loopback_address(config.bound_address) || is_wildcard_address(config.bound_address)) {
    for (const char* name : {"127.0.0.1", "localhost", "::1"}) {
      add_unique(policy.hosts, authority(name, config.port));
    }
  }
  for (const auto& host : config.extra_hosts) {
    auto name = lower(trim(host));
    if (name.empty()) continue;
    add_unique(policy.hosts, has_port(name) ? name : fmt::format("{}:{}", name, config.port));
  }
  for (const auto& host : policy.hosts) {
    add_unique(policy.origins, fmt::format("{}://{}", config.scheme, host));
  }
  for (const auto& text : config.public_urls) {
    auto url = read_url(text);
    if (!url) continue;
    add_unique(policy.hosts, url->authority);
    add_unique(policy.origins, fmt::format("{}://{}", url->scheme, url->authority));
  }
  return policy;
}

std::optional<Refusal> check_request(const GatePolicy& policy, const Request& request) {
  // The head is already in memory; a bound keeps each request's share small.
  std::size_t header_bytes = 0;
  for (const auto& [name, value] : request.headers) header_bytes += name.size() + value.size() + 4;
  if (request.headers.size() > policy.max_header_count || header_bytes > policy.max_header_bytes) {
    return refuse(431, "header_fields_too_large",
                  fmt::format("the request has {} headers of {} bytes; at most {} headers and {} "
                              "bytes are read",
                              request.headers.size(), header_bytes, policy.max_header_count,
                              policy.max_header_bytes));
  }

  // Bodies: only plain Content-Length bodies within the limit. cpp-httplib would read a
  // chunked or compressed body into memory without a bound, and skip an over-long one by
  // reading it all.
  if (auto encoding = request.header("transfer-encoding")) {
    return refuse(413, "payload_too_large",
                  fmt::format("request bodies with Transfer-Encoding ({}) are not read: send the "
                              "body with a Content-Length of at most {} bytes",
                              encoding->substr(0, 40), policy.max_body_bytes));
  }
  if (auto encoding = request.header("content-encoding")) {
    return refuse(413, "payload_too_large",
                  fmt::format("compressed request bodies (Content-Encoding: {}) are not read: "
                              "send the JSON as it is",
                              encoding->substr(0, 40)));
  }
  bool repeated = false;
  const auto length_text = only_header(request, "content-length", repeated);
  if (repeated) {
    return refuse(400, "invalid_argument", "the request has more than one Content-Length");
  }
  if (length_text) {
    const auto text = trim(*length_text);
    std::uint64_t length = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (text.empty() || end != text.data() + text.size() || error == std::errc::invalid_argument) {
      return refuse(400, "invalid_argument", "the request's Content-Length is not a number");
    }
    if (error == std::errc::result_out_of_range || length > policy.max_body_bytes) {
      return refuse(413, "payload_too_large",
                    fmt::format("the request body is over {} bytes; send less",
                                policy.max_body_bytes));
    }
  } else if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    return refuse(411, "invalid_argument",
                  "a request without a body still needs Content-Length: 0 (e.g. curl -d '')");
  }

  // DNS rebinding: a page of another site whose name now resolves to 127.0.0.1 still sends
  // its own name as Host.
  const auto host = only_header(request, "host", repeated);
  if (repeated) return refuse(400, "invalid_argument", "the request has more than one Host");
  if (!host || !contains(policy.hosts, lower(trim(*host)))) {
    return refuse(421, "misdirected_request",
                  fmt::format("this server does not answer for the host '{}'; use {} or start it "
                              "with --allow-host NAME or --public-url URL",
                              host ? host->substr(0, 100) : std::string(),
                              policy.hosts.empty() ? std::string() : policy.hosts.front()));
  }

  if (request.method == "GET" || request.method == "HEAD") return std::nullopt;

  // Cross-site writes. Browsers let any page send form, text and multipart bodies anywhere
  // without asking; a JSON type makes them ask first (and we never say yes: no CORS).
  const auto type = request.header("content-type");
  const auto media_type =
      type ? lower(trim(std::string_view(*type).substr(0, type->find(';')))) : std::string();
  if (media_type != "application/json") {
    return refuse(415, "unsupported_media_type",
                  fmt::format("{} requests need Content-Type: application/json (got '{}'), even "
                              "without a body",
                              request.method.substr(0, 10), type ? type->substr(0, 60) : ""));
  }
  const auto origin = request.header("origin");
  const auto fetch_site = request.header("sec-fetch-site");
  if (origin && !contains(policy.origins, lower(trim(*origin)))) {
    return refuse(403, "forbidden",
                  fmt::format("the request came from another site (Origin {}); only pages of "
                              "this server may write",
                              origin->substr(0, 100)));
  }
  if (fetch_site && lower(trim(*fetch_site)) != "same-origin") {
    return refuse(403, "forbidden",
                  fmt::format("the request came from another site (Sec-Fetch-Site: {}); only "
                              "pages of this server may write",
                              fetch_site->substr(0, 40)));
  }
  return std::nullopt;
}

}  // namespace sortie::http

#pragma once

// Who may talk to the server, decided from a request's head alone (before its body is read):
// the Host it names, where a write comes from, the type of its body, how the body is framed
// and how big it says it is. Pure: the server applies the refusal; the tests are tables.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/http/message.hpp"

namespace sortie::http {

// Whether `address` is an IP literal of this machine's loopback (127.0.0.0/8, ::1, or
// ::ffff:127.x.y.z); false for names and for anything that is not an IP literal.
bool is_loopback_address(std::string_view address);

// Whether `address` is an IP literal of every interface (0.0.0.0, ::).
bool is_wildcard_address(std::string_view address);

// What the server knows about itself once bound.
struct GateConfig {
  std::string scheme = "http";      // "http" or "https"
  std::string bound_address;        // the IP literal bound, e.g. "127.0.0.1", "::1", "0.0.0.0"
  int port = 0;                     // the bound port
  // --allow-host: "NAME" (then NAME:port) or "NAME:PORT"; any case.
  std::vector<std::string> extra_hosts;
  // --public-url: "https://sortie.example.org[:PORT][/...]": its authority becomes an allowed
  // Host and its scheme://authority an allowed Origin (a reverse proxy in front).
  std::vector<std::string> public_urls;
  std::size_t max_body_bytes = 1u << 20;
  std::size_t max_header_count = 100;
  std::size_t max_header_bytes = 32u << 10;
};

// The allow-lists derived from a GateConfig; all entries in lower case.
struct GatePolicy {
  std::vector<std::string> hosts;    // Host header values accepted, e.g. "127.0.0.1:8028"
  std::vector<std::string> origins;  // Origin values accepted on writes, e.g. "http://127.0.0.1:8028"
  std::size_t max_body_bytes = 1u << 20;
  std::size_t max_header_count = 100;
  std::size_t max_header_bytes = 32u << 10;
};

// The hosts: the bound address with its port; on loopback or every interface also
// 127.0.0.1, localhost and [::1] with the port; then the extra hosts and the public URLs'
// authorities. Origins: scheme://host for each of those, and the public URLs' origins.
// invalid_argument-like problems (a public URL without scheme) are reported by
// `public_url_problem` instead, so this never fails.
GatePolicy make_gate_policy(const GateConfig& config);

// Why `url` cannot be a --public-url (it needs http:// or https:// and a host), or nullopt.
std::optional<std::string> public_url_problem(std::string_view url);

struct Refusal {
  int status = 403;
  std::string code;     // the JSON error's code
  std::string message;  // what to do instead
};

// The refusal of a request from its method and headers (names in lower case), or nullopt to
// let it through. In order: too many or too large headers (431); a body framed with
// Transfer-Encoding or Content-Encoding, or a Content-Length over the limit (413), a write
// without Content-Length (411); a Host not on the list (421); for methods other than GET and
// HEAD, a Content-Type other than application/json (415), an Origin not on the list or a
// Sec-Fetch-Site other than same-origin (403). Requests without Origin and Sec-Fetch-Site
// (curl, the CLI) are not cross-site writes: browsers send Origin on every such request.
std::optional<Refusal> check_request(const GatePolicy& policy, const Request& request);

}  // namespace sortie::http

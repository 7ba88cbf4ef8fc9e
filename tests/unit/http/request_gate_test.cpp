#include "sortie/http/request_gate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sortie::http {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using Headers = std::vector<std::pair<std::string, std::string>>;

GatePolicy loopback_policy() {
  GateConfig config;
  config.bound_address = "127.0.0.1";
  config.port = 8028;
  return make_gate_policy(config);
}

Request head(std::string method, Headers headers) {
  Request request;
  request.method = std::move(method);
  request.path = "/api/projects";
  request.headers = std::move(headers);
  return request;
}

// The status the gate answers, 0 when it lets the request through.
int status_of(const GatePolicy& policy, const Request& request) {
  auto refusal = check_request(policy, request);
  return refusal ? refusal->status : 0;
}

TEST(LoopbackAddress, IsDecidedByTheIpNotByAPrefix) {
  struct Case {
    const char* address;
    bool loopback;
  };
  for (const auto& [address, loopback] : std::vector<Case>{
           {"127.0.0.1", true},
           {"127.1.2.3", true},
           {"127.255.255.254", true},
           {"::1", true},
           {"::ffff:127.0.0.1", true},
           {"0:0:0:0:0:0:0:1", true},
           {"127.0.0.1.evil.example", false},
           {"127.example", false},
           {"localhost", false},
           {"128.0.0.1", false},
           {"10.0.0.1", false},
           {"0.0.0.0", false},
           {"::", false},
           {"::2", false},
           {"", false},
       }) {
    EXPECT_EQ(is_loopback_address(address), loopback) << address;
  }
}

TEST(WildcardAddress, IsEveryInterface) {
  EXPECT_TRUE(is_wildcard_address("0.0.0.0"));
  EXPECT_TRUE(is_wildcard_address("::"));
  EXPECT_FALSE(is_wildcard_address("127.0.0.1"));
  EXPECT_FALSE(is_wildcard_address("any"));
}

TEST(GatePolicy, OnLoopbackAcceptsTheLoopbackNamesWithThePort) {
  const auto policy = loopback_policy();
  EXPECT_THAT(policy.hosts, ElementsAre("127.0.0.1:8028", "localhost:8028", "[::1]:8028"));
  EXPECT_THAT(policy.origins, ElementsAre("http://127.0.0.1:8028", "http://localhost:8028",
                                          "http://[::1]:8028"));
}

TEST(GatePolicy, BeyondLoopbackAcceptsOnlyTheBoundAddressAndTheNamesGiven) {
  GateConfig config;
  config.scheme = "https";
  config.bound_address = "10.1.2.3";
  config.port = 8443;
  config.extra_hosts = {"Gpu-Box", "gpu-box.lab:9000"};
  config.public_urls = {"https://Sortie.Example.org/", "http://proxy:80/sortie"};
  const auto policy = make_gate_policy(config);
  EXPECT_THAT(policy.hosts, ElementsAre("10.1.2.3:8443", "gpu-box:8443", "gpu-box.lab:9000",
                                        "sortie.example.org", "proxy"));
  EXPECT_THAT(policy.origins, Contains("https://gpu-box:8443"));
  EXPECT_THAT(policy.origins, Contains("https://sortie.example.org"));
  EXPECT_THAT(policy.origins, Contains("http://proxy"));
  EXPECT_THAT(policy.hosts, Not(Contains("localhost:8443")));
}

TEST(GatePolicy, OnEveryInterfaceAlsoAcceptsTheLoopbackNames) {
  GateConfig config;
  config.bound_address = "::";
  config.port = 8028;
  EXPECT_THAT(make_gate_policy(config).hosts, Contains("localhost:8028"));
}

TEST(GatePolicy, APublicUrlNeedsASchemeAndAHost) {
  EXPECT_FALSE(public_url_problem("https://sortie.example.org"));
  EXPECT_FALSE(public_url_problem("http://gpu-box:8028/"));
  EXPECT_TRUE(public_url_problem("sortie.example.org"));
  EXPECT_TRUE(public_url_problem("ftp://sortie.example.org"));
  EXPECT_TRUE(public_url_problem("https://"));
  EXPECT_TRUE(public_url_problem("https://user:secret@sortie.example.org"));
}

TEST(RequestGate, RefusesAHostThatIsNotTheServers) {
  const auto policy = loopback_policy();
  struct Case {
    const char* host;
    int status;
  };
  for (const auto& [host, status] : std::vector<Case>{
           {"127.0.0.1:8028", 0},
           {"localhost:8028", 0},
           {"LOCALHOST:8028", 0},
           {"[::1]:8028", 0},
           {"evil.example:8028", 421},
           {"evil.example", 421},
           {"127.0.0.1:8029", 421},
           {"127.0.0.1", 421},
           {"localhost.:8028", 421},
           {"127.0.0.1:8028.evil.example", 421},
           {"", 421},
       }) {
    EXPECT_EQ(status_of(policy, head("GET", {{"host", host}})), status) << host;
  }
  EXPECT_EQ(status_of(policy, head("GET", {})), 421) << "no Host at all";
  EXPECT_EQ(status_of(policy, head("GET", {{"host", "127.0.0.1:8028"}, {"host", "evil"}})), 400)
      << "two Hosts";
}

TEST(RequestGate, AWriteNeedsAJsonContentTypeEvenWithoutABody) {
  const auto policy = loopback_policy();
  struct Case {
    std::optional<std::string> type;
    int status;
  };
  for (const auto& [type, status] : std::vector<Case>{
           {"application/json", 0},
           {"Application/JSON; charset=utf-8", 0},
           {" application/json ", 0},
           {std::nullopt, 415},
           {"", 415},
           {"text/plain", 415},
           {"text/plain; charset=utf-8", 415},
           {"application/x-www-form-urlencoded", 415},
           {"multipart/form-data; boundary=x", 415},
           {"application/jsonp", 415},
           {"application/json-seq", 415},
       }) {
    for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
      Headers headers = {{"host", "127.0.0.1:8028"}, {"content-length", "0"}};
      if (type) headers.emplace_back("content-type", *type);
      EXPECT_EQ(status_of(policy, head(method, headers)), status)
          << method << " " << type.value_or("(none)");
    }
  }
  EXPECT_EQ(status_of(policy, head("GET", {{"host", "127.0.0.1:8028"}})), 0)
      << "reads need no type";
}

TEST(RequestGate, AWriteFromAnotherOriginIsRefused) {
  const auto policy = loopback_policy();
  struct Case {
    std::optional<std::string> origin;
    std::optional<std::string> fetch_site;
    int status;
  };
  for (const auto& [origin, fetch_site, status] : std::vector<Case>{
           {std::nullopt, std::nullopt, 0},  // curl, the CLI
           {"http://127.0.0.1:8028", "same-origin", 0},
           {"http://localhost:8028", std::nullopt, 0},
           {"HTTP://127.0.0.1:8028", "same-origin", 0},
           {"http://127.0.0.1:9000", "same-site", 403},  // another local user's page
           {"http://127.0.0.1:9000", std::nullopt, 403},
           {"http://localhost:8028", "same-site", 403},
           {"null", std::nullopt, 403},
           {"https://127.0.0.1:8028", std::nullopt, 403},
           {"https://evil.example", "cross-site", 403},
           {"http://127.0.0.1:8028.evil.example", std::nullopt, 403},
           {std::nullopt, "cross-site", 403},
           {std::nullopt, "same-site", 403},
           {std::nullopt, "none", 403},
       }) {
    Headers headers = {{"host", "127.0.0.1:8028"},
                       {"content-type", "application/json"},
                       {"content-length", "2"}};
    if (origin) headers.emplace_back("origin", *origin);
    if (fetch_site) headers.emplace_back("sec-fetch-site", *fetch_site);
    EXPECT_EQ(status_of(policy, head("POST", headers)), status)
        << origin.value_or("(no Origin)") << " " << fetch_site.value_or("(no Sec-Fetch-Site)");
  }
}

TEST(RequestGate, RefusesBodiesItWouldHaveToReadWithoutABound) {
  const auto policy = loopback_policy();
  const Headers base = {{"host", "127.0.0.1:8028"}, {"content-type", "application/json"}};
  struct Case {
    Headers extra;
    int status;
  };
  for (const auto& [extra, status] : std::vector<Case>{
           {{{"content-length", "1048576"}}, 0},
           {{{"content-length", "1048577"}}, 413},
           {{{"content-length", "99999999999999999999999"}}, 413},
           {{{"transfer-encoding", "chunked"}}, 413},
           {{{"transfer-encoding", "gzip, chunked"}}, 413},
           {{{"content-length", "10"}, {"transfer-encoding", "chunked"}}, 413},
           {{{"content-length", "10"}, {"content-encoding", "gzip"}}, 413},
           {{{"content-length", "10"}, {"content-encoding", "br"}}, 413},
           {{{"content-length", "10"}, {"content-encoding", "identity"}}, 413},
           {{{"content-length", "-1"}}, 400},
           {{{"content-length", "ten"}}, 400},
           {{{"content-length", "1"}, {"content-length", "2"}}, 400},
           {{}, 411},
       }) {
    auto headers = base;
    headers.insert(headers.end(), extra.begin(), extra.end());
    std::string what;
    for (const auto& [name, value] : extra) what += name + ": " + value + "; ";
    EXPECT_EQ(status_of(policy, head("POST", headers)), status) << what;
  }
  // A DELETE may come without any length; a chunked GET is refused too.
  EXPECT_EQ(status_of(policy, head("DELETE", base)), 0);
  EXPECT_EQ(status_of(policy, head("GET", {{"host", "127.0.0.1:8028"},
                                           {"transfer-encoding", "chunked"}})),
            413);
}

TEST(RequestGate, BoundsTheNumberAndSizeOfHeaders) {
  const auto policy = loopback_policy();
  Headers many = {{"host", "127.0.0.1:8028"}};
  for (int i = 0; i < 100; ++i) many.emplace_back("x-filler-" + std::to_string(i), "1");
  EXPECT_EQ(status_of(policy, head("GET", many)), 431);
  Headers large = {{"host", "127.0.0.1:8028"}};
  for (int i = 0; i < 5; ++i) large.emplace_back("x-large", std::string(8000, 'a'));
  auto refusal = check_request(policy, head("GET", large));
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 431);
  EXPECT_THAT(refusal->message, HasSubstr("at most 100 headers"));
  Headers usual = {{"host", "127.0.0.1:8028"}};
  for (int i = 0; i < 30; ++i) usual.emplace_back("x-usual-" + std::to_string(i), "value");
  EXPECT_EQ(status_of(policy, head("GET", usual)), 0);
}

TEST(RequestGate, EveryRefusalSaysWhatToDo) {
  const auto policy = loopback_policy();
  auto refusal = check_request(policy, head("GET", {{"host", "evil.example"}}));
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->code, "misdirected_request");
  EXPECT_THAT(refusal->message, HasSubstr("--allow-host"));
  refusal = check_request(policy, head("POST", {{"host", "127.0.0.1:8028"},
                                                {"content-length", "0"},
                                                {"content-type", "text/plain"}}));
  ASSERT_TRUE(refusal);
  EXPECT_THAT(refusal->message, HasSubstr("application/json"));
}

}  // namespace
}  // namespace sortie::http

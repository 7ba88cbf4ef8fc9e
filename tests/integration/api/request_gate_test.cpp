// Who may talk to a real `sortie serve` on loopback: a request naming another Host (DNS
// rebinding), a cross-site write (form, text, multipart, no type, another origin, another
// loopback port), a request without the local secret, another Unix user; and bodies the
// server must refuse before reading them (chunked, compressed, over the limit).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>

#include "tests/integration/api/api_server.hpp"

namespace sortie::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Sends `head` (and nothing more) on a fresh connection; the answer that comes within
// `timeout`, its body cut at Content-Length. The connection stays open on our side: a server
// that waited for the rest of the body would not answer in time.
HttpResponse send_head_only(int port, const std::string& head,
                            std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  HttpResponse response;
  detail::Socket socket(port);
  if (!socket.connected() || !socket.send_all(head)) {
    response.failure = "cannot connect or send";
    return response;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string raw;
  std::size_t head_size = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const bool more = socket.receive(raw, left);
    if (!head_size) head_size = detail::parse_head(raw, response);
    if (head_size) {
      const auto length = std::stoul(response.header("content-length").value_or("0"));
      if (raw.size() - head_size >= length || !more) {
        response.body = raw.substr(head_size, length);
        return response;
      }
    }
    if (!more) break;
  }
  response.status = 0;
  response.failure = "no answer within " + std::to_string(timeout.count()) + " ms: " + raw;
  return response;
}

class RequestGate : public ApiTest {
 protected:
  void expect_json_error(const HttpResponse& response, int status, const std::string& what) {
    EXPECT_EQ(response.status, status) << what << ": " << response.body << response.failure;
    auto parsed = nlohmann::json::parse(response.body, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << what << ": not JSON: " << response.body;
    EXPECT_TRUE(parsed["error"]["code"].is_string()) << what;
    EXPECT_TRUE(parsed["error"]["message"].is_string()) << what;
  }

  std::string own_origin() const { return "http://127.0.0.1:" + std::to_string(port()); }

  // How many projects the server knows (a refused write must not have made one).
  std::size_t project_count() {
    auto listed = parse(request("GET", "/api/projects"));
    return listed.is_array() ? listed.size() : 0;
  }

  // A project body that would register tiny-train.
  std::string project_body() {
    return nlohmann::json{{"path", prepare_tiny_train().string()},
                          {"name", "tiny"},
                          {"entry_command", "python3 train.py"}}
        .dump();
  }

  std::string head(const std::string& method, const std::string& target,
                   const std::vector<std::string>& lines) const {
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                       std::to_string(port()) + "\r\nAuthorization: Bearer " + m_secret + "\r\n";
    for (const auto& line : lines) text += line + "\r\n";
    return text + "\r\n";
  }
};

TEST_F(RequestGate, AForeignHostIsRefusedOnLoopbackToo) {
  for (const std::string& host : std::vector<std::string>{
           "evil.example", "evil.example:" + std::to_string(port()), "127.0.0.1:1",
           "127.0.0.1.nip.io:" + std::to_string(port())}) {
    // The Host a page of another site sends after DNS rebinding: its own name.
    auto refused = send_head_only(port(), "GET /api/projects HTTP/1.1\r\nHost: " + host +
                                              "\r\nAuthorization: Bearer " + m_secret + "\r\n\r\n");
    expect_json_error(refused, 421, host);
    EXPECT_THAT(refused.body, HasSubstr("--allow-host")) << host;
  }
  for (const std::string host : {"localhost", "[::1]", "LOCALHOST"}) {
    auto allowed = send_head_only(port(), "GET /api/projects HTTP/1.1\r\nHost: " + host + ":" +
                                              std::to_string(port()) + "\r\nAuthorization: Bearer " +
                                              m_secret + "\r\n\r\n");
    EXPECT_EQ(allowed.status, 200) << host << ": " << allowed.body;
  }
}

TEST_F(RequestGate, AnAllowedHostIsAnswered) {
  start_server({"--allow-host", "gpu-box.lab"});
  auto allowed = send_head_only(port(), "GET /api/health HTTP/1.1\r\nHost: gpu-box.lab:" +
                                            std::to_string(port()) + "\r\n\r\n");
  EXPECT_EQ(allowed.status, 200) << allowed.body;
}

TEST_F(RequestGate, CrossSiteBodyTypesNeverReachAHandler) {
  const auto body = project_body();
  // What any page may send anywhere without asking the server first.
  for (const std::string& type : std::vector<std::string>{
           "application/x-www-form-urlencoded", "text/plain", "text/plain;charset=UTF-8",
        "multipart/form-data; boundary=x", ""}) {
    expect_json_error(request("POST", "/api/projects", body, {{"Content-Type", type}}), 415,
                      type.empty() ? "no Content-Type" : type);
  }
  // A bodyless POST without a type is refused too (fetch(..., {mode: "no-cors"}) sends that).
  expect_json_error(request("POST", "/api/jobs/1/cancel", std::nullopt, {{"Content-Type", ""}}),
                    415, "bodyless POST without a type");
  EXPECT_EQ(project_count(), 0u);
}

TEST_F(RequestGate, AWriteFromAnotherOriginIsRefused) {
  const auto body = project_body();
  const std::string other_port = "http://127.0.0.1:" + std::to_string(free_loopback_port());
  struct Case {
    Headers headers;
    const char* what;
  };
  for (const auto& [headers, what] : std::vector<Case>{
           // Another local user's page on another loopback port: same-site for cookies,
           // cross-origin for us.
           {{{"Origin", other_port}, {"Sec-Fetch-Site", "same-site"}}, "another loopback port"},
           {{{"Origin", "null"}}, "Origin null (a sandboxed frame, a file:// page)"},
           {{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}}, "another site"},
           {{{"Sec-Fetch-Site", "same-site"}}, "same-site without Origin"},
       }) {
    auto refused = request("POST", "/api/projects", body, headers);
    expect_json_error(refused, 403, what);
    for (const auto& [name, value] : refused.headers) {
      EXPECT_FALSE(name.starts_with("access-control-")) << what << ": " << name;
    }
  }
  EXPECT_EQ(project_count(), 0u);
  // The server's own pages may write.
  auto own = request("POST", "/api/projects", body,
                     {{"Origin", own_origin()}, {"Sec-Fetch-Site", "same-origin"}});
  EXPECT_EQ(own.status, 201) << own.body;
}

TEST_F(RequestGate, APageOnAnotherLoopbackPortCannotWrite) {
  // Such a page, served on another port of this machine, posts with the headers Chromium sends
  // for it; the server never says yes to a preflight (no CORS headers at all).
  auto preflight = request("OPTIONS", "/api/projects", std::nullopt,
                           {{"Origin", "http://localhost:" + std::to_string(free_loopback_port())},
                            {"Access-Control-Request-Method", "POST"},
                            {"Access-Control-Request-Headers", "content-type"},
                            {"Sec-Fetch-Site", "same-site"},
                            {"Content-Type", ""}});
  EXPECT_GE(preflight.status, 400) << preflight.body;
  for (const auto& [name, value] : preflight.headers) {
    EXPECT_FALSE(name.starts_with("access-control-")) << name;
  }
}

TEST_F(RequestGate, WithoutTheSecretTheApiAnswers401) {
  auto refused = http_request(port(), "GET", "/api/projects");
  expect_json_error(refused, 401, "no credential");
  EXPECT_THAT(refused.body, HasSubstr("?token="));
  expect_json_error(http_request(port(), "GET", "/api/projects", std::nullopt,
                                 {{"Authorization", "Bearer " + std::string(64, '0')}}),
                    401, "a wrong secret");
  expect_json_error(http_request(port(), "POST", "/api/projects", project_body()), 401,
                    "a write without the secret");
  EXPECT_EQ(http_request(port(), "GET", "/api/health").status, 200);
  EXPECT_EQ(http_request(port(), "GET", "/openapi.json").status, 200);
  EXPECT_EQ(project_count(), 0u);
}

TEST_F(RequestGate, TheSecretFileIsOnlyTheUsers) {
  ASSERT_EQ(m_secret.size(), 64u);
  struct stat info {};
  ASSERT_EQ(::stat((m_dir / "sortie.db.server").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // The secret is in no command line of the server.
  auto command_line = git::fixtures::read_file("/proc/" + std::to_string(m_server->pid()) +
                                               "/cmdline");
  EXPECT_THAT(command_line, Not(HasSubstr(m_secret)));
}

TEST_F(RequestGate, AnotherUnixUserCannotReadTheSecretAndGets401) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a command as another user";
  const std::string url = "http://127.0.0.1:" + std::to_string(port());
  const auto file = git::fixtures::shell_quote((m_dir / "sortie.db.server").string());
  auto read = git::fixtures::run_shell("runuser -u nobody -- cat " + file + " 2>&1");
  EXPECT_NE(read.status, 0) << read.output;
  EXPECT_THAT(read.output, Not(HasSubstr(m_secret)));
  auto called = git::fixtures::run_shell("runuser -u nobody -- curl -s -o /dev/null -w '%{http_code}' " +
                                         url + "/api/projects");
  EXPECT_EQ(called.output, "401") << called.output;
  auto wrote = git::fixtures::run_shell(
      "runuser -u nobody -- curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: "
      "application/json' -d '{}' " + url + "/api/projects");
  EXPECT_EQ(wrote.output, "401") << wrote.output;
}

TEST_F(RequestGate, TheSignInLinkGivesACookieAndRedirectsWithoutTheSecret) {
  auto link = http_request(port(), "GET", "/jobs/12?token=" + m_secret);
  ASSERT_EQ(link.status, 303) << link.body;
  EXPECT_EQ(link.header("location"), "/jobs/12");
  const auto cookie_header = link.header("set-cookie").value_or("");
  EXPECT_THAT(cookie_header, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie_header, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie_header, Not(HasSubstr(m_secret)));
  const auto cookie = cookie_header.substr(0, cookie_header.find(';'));
  auto listed = http_request(port(), "GET", "/api/projects", std::nullopt, {{"Cookie", cookie}});
  EXPECT_EQ(listed.status, 200) << listed.body;
  auto session = parse(http_request(port(), "GET", "/api/session", std::nullopt,
                                    {{"Cookie", cookie}}));
  EXPECT_EQ(session["auth_required"], true);
  EXPECT_EQ(session["signed_in"], true);
  // The cookie does not make a write from another origin acceptable.
  auto cross = http_request(port(), "POST", "/api/projects", project_body(),
                            {{"Cookie", cookie}, {"Origin", "http://127.0.0.1:1"}});
  EXPECT_EQ(cross.status, 403) << cross.body;

  // Never to another site, whatever the path looks like.
  auto odd = http_request(port(), "GET", "//evil.example/?token=" + m_secret);
  EXPECT_EQ(odd.status, 303);
  EXPECT_EQ(odd.header("location"), "/");

  auto wrong = http_request(port(), "GET", "/?token=" + std::string(64, 'f'));
  expect_json_error(wrong, 401, "a wrong secret in the link");
  EXPECT_FALSE(wrong.header("set-cookie"));
}

TEST_F(RequestGate, NoLocalAuthLetsLoopbackInAndSaysWhatItAllows) {
  start_server({"--no-local-auth"});
  EXPECT_TRUE(m_secret.empty());
  EXPECT_EQ(http_request(port(), "GET", "/api/projects").status, 200);
  auto log = git::fixtures::read_file(m_dir / "serve.log");
  EXPECT_THAT(log, HasSubstr("--no-local-auth: any program of any user"));
  // Web pages of other sites still may not.
  auto foreign = send_head_only(port(), "GET /api/projects HTTP/1.1\r\nHost: evil.example\r\n\r\n");
  EXPECT_EQ(foreign.status, 421);
}

TEST_F(RequestGate, ChunkedAndCompressedBodiesAre413BeforeBeingRead) {
  // Only the head is sent: an answer shows that the server did not wait for the body.
  expect_json_error(send_head_only(port(), head("POST", "/api/projects",
                                                {"Content-Type: application/json",
                                                 "Transfer-Encoding: chunked"})),
                    413, "chunked");
  expect_json_error(send_head_only(port(), head("POST", "/api/projects",
                                                {"Content-Type: application/json",
                                                 "Content-Encoding: gzip", "Content-Length: 100"})),
                    413, "gzip");
  expect_json_error(send_head_only(port(), head("POST", "/api/projects",
                                                {"Content-Type: application/json",
                                                 "Content-Encoding: br", "Content-Length: 100"})),
                    413, "brotli");
  // Ten gigabytes announced: refused at once, not read and skipped.
  expect_json_error(send_head_only(port(), head("POST", "/api/projects",
                                                {"Content-Type: application/json",
                                                 "Content-Length: 10000000000"})),
                    413, "10 GB announced");
  // A write with no length at all would be read until the client closes.
  expect_json_error(send_head_only(port(), head("POST", "/api/projects",
                                                {"Content-Type: application/json"})),
                    411, "no length");
}

TEST_F(RequestGate, ARefusedBodyIsNeverReadAsTheNextRequest) {
  // The body of a refused request, if it were read as the connection's next request, would
  // pass without Origin: the server closes the connection instead.
  const std::string inner = "POST /api/projects HTTP/1.1\r\nHost: 127.0.0.1:" +
                            std::to_string(port()) + "\r\nAuthorization: Bearer " + m_secret +
                            "\r\nContent-Type: application/json\r\nContent-Length: " +
                            std::to_string(project_body().size()) + "\r\n\r\n" + project_body();
  detail::Socket socket(port());
  ASSERT_TRUE(socket.connected());
  ASSERT_TRUE(socket.send_all("POST /api/projects HTTP/1.1\r\nHost: 127.0.0.1:" +
                              std::to_string(port()) +
                              "\r\nContent-Type: text/plain\r\nContent-Length: " +
                              std::to_string(inner.size()) + "\r\n\r\n" + inner));
  std::string raw;
  while (socket.receive(raw, std::chrono::seconds(3))) {
  }
  EXPECT_THAT(raw, HasSubstr("415"));
  EXPECT_THAT(raw, Not(HasSubstr("201 Created")));
  EXPECT_EQ(project_count(), 0u);
}

TEST_F(RequestGate, TheCliSendsTheSecretFromTheServerFile) {
  // `sortie cancel` goes through the running server; without the secret it would get a 401.
  const auto id = submit(register_project());
  ASSERT_GT(id, 0);
  const auto cancel = std::string(SORTIE_BINARY) + " --config " +
                      git::fixtures::shell_quote(sandbox().clusters_yaml) + " --db " +
                      git::fixtures::shell_quote((m_dir / "sortie.db").string()) + " cancel " +
                      std::to_string(id) + " 2>&1";
  // With a wrong secret in the file, the server refuses the CLI: it did go through it.
  const auto file = m_dir / "sortie.db.server";
  const auto recorded = git::fixtures::read_file(file);
  auto wrong = recorded;
  wrong.replace(wrong.find(m_secret), m_secret.size(), std::string(64, '0'));
  git::fixtures::write_file(file, wrong);
  auto refused = git::fixtures::run_shell(cancel);
  EXPECT_NE(refused.status, 0) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("token")) << refused.output;
  git::fixtures::write_file(file, recorded);
  auto cancelled = git::fixtures::run_shell(cancel);
  EXPECT_EQ(cancelled.status, 0) << cancelled.output;
}

TEST_F(RequestGate, TooManyHeadersAre431) {
  std::vector<std::string> lines = {"Content-Type: application/json", "Content-Length: 2"};
  for (int i = 0; i < 200; ++i) lines.push_back("X-Filler-" + std::to_string(i) + ": 1");
  expect_json_error(send_head_only(port(), head("POST", "/api/projects", lines)), 431,
                    "200 headers");
}

}  // namespace
}  // namespace sortie::testing

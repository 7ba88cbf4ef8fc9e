// Token auth of a real `sortie serve --require-tokens` (forced on loopback): no token is a 401
// in JSON, a token is let in, a session cookie made from it is HttpOnly and SameSite=Strict and
// works, and a revoked token stops working.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "tests/integration/api/api_server.hpp"

namespace sortie::testing {
namespace {

using ::testing::HasSubstr;

class AuthApi : public ApiTest {
 protected:
  void SetUp() override {
    auto help = git::fixtures::run_shell(std::string(SORTIE_BINARY) + " serve --help");
    if (help.output.find("--require-tokens") == std::string::npos) {
      GTEST_SKIP() << "this sortie has no `serve --require-tokens` yet";
    }
    // serve refuses to require tokens while none exists.
    m_first_token = create_token("first");
    start_server({"--require-tokens"});
  }

  std::string m_first_token;

  git::fixtures::CommandResult sortie(const std::string& arguments) {
    return git::fixtures::run_shell(std::string(SORTIE_BINARY) + " --config " +
                                    git::fixtures::shell_quote(sandbox().clusters_yaml) +
                                    " --db " +
                                    git::fixtures::shell_quote((m_dir / "sortie.db").string()) +
                                    " " + arguments + " 2>/dev/null");
  }

  // `sortie tokens create NAME`: the token it prints once.
  std::string create_token(const std::string& name) {
    auto created = sortie("tokens create " + name);
    EXPECT_EQ(created.status, 0) << created.output;
    std::smatch found;
    if (!std::regex_search(created.output, found, std::regex("sortie_[0-9a-f]{40}"))) {
      ADD_FAILURE() << "no token printed: " << created.output;
      return "";
    }
    return found.str();
  }
};

TEST_F(AuthApi, WithoutATokenTheApiAnswers401InJson) {
  auto refused = http_request(port(), "GET", "/api/jobs");
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(parse(refused)["error"]["code"], "unauthorized");
  EXPECT_EQ(refused.header("www-authenticate"), "Bearer");
  // Health and the API's description stay open.
  EXPECT_EQ(http_request(port(), "GET", "/api/health").status, 200);
}

TEST_F(AuthApi, AnUnknownTokenIs401) {
  auto refused = http_request(port(), "GET", "/api/jobs", std::nullopt,
                              {{"Authorization", "Bearer sortie_" + std::string(40, '0')}});
  EXPECT_EQ(refused.status, 401) << refused.body;
}

TEST_F(AuthApi, ATokenFromTheCliLetsTheCallIn) {
  const auto token = create_token("ci");
  auto allowed = http_request(port(), "GET", "/api/jobs", std::nullopt,
                              {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(allowed.status, 200) << allowed.body;
}

TEST_F(AuthApi, ASessionCookieFromATokenIsHttpOnlyStrictAndWorks) {
  const auto token = create_token("browser");
  auto signed_in = http_request(port(), "POST", "/api/session",
                                nlohmann::json{{"token", token}}.dump());
  ASSERT_EQ(signed_in.status, 204) << signed_in.body;
  const auto cookie_header = signed_in.header("set-cookie").value_or("");
  EXPECT_THAT(cookie_header, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie_header, HasSubstr("SameSite=Strict"));
  const auto cookie = cookie_header.substr(0, cookie_header.find(';'));
  auto allowed = http_request(port(), "GET", "/api/jobs", std::nullopt, {{"Cookie", cookie}});
  EXPECT_EQ(allowed.status, 200) << allowed.body;
  // A cross-site write with the cookie is refused.
  auto cross_site = http_request(port(), "POST", "/api/jobs", R"({"project_id": 1})",
                                 {{"Cookie", cookie}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(cross_site.status, 403) << cross_site.body;
}

TEST_F(AuthApi, ASignInWithAWrongTokenIs401) {
  auto refused = http_request(port(), "POST", "/api/session", R"({"token": "sortie_nope"})");
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_FALSE(refused.header("set-cookie"));
}

TEST_F(AuthApi, ARevokedTokenAndItsSessionsStopWorking) {
  const auto token = create_token("temporary");
  auto signed_in = http_request(port(), "POST", "/api/session",
                                nlohmann::json{{"token", token}}.dump());
  const auto cookie_header = signed_in.header("set-cookie").value_or("");
  const auto cookie = cookie_header.substr(0, cookie_header.find(';'));
  ASSERT_EQ(http_request(port(), "GET", "/api/jobs", std::nullopt,
                         {{"Authorization", "Bearer " + token}})
                .status,
            200);
  auto revoked = sortie("tokens revoke temporary");
  ASSERT_EQ(revoked.status, 0) << revoked.output;
  EXPECT_EQ(http_request(port(), "GET", "/api/jobs", std::nullopt,
                         {{"Authorization", "Bearer " + token}})
                .status,
            401);
  EXPECT_EQ(http_request(port(), "GET", "/api/jobs", std::nullopt, {{"Cookie", cookie}}).status,
            401);
}

}  // namespace
}  // namespace sortie::testing

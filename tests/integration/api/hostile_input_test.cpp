// What a careless or hostile client may send a real `sortie serve`: every answer is a JSON
// error with a 4xx status, never a 500, never a hang; and every answer carries the security
// headers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/api/api_server.hpp"

namespace sortie::testing {
namespace {

using ::testing::HasSubstr;

class HostileInput : public ApiTest {
 protected:
  // A 4xx answer whose body is {"error": {"code", "message"}}.
  void expect_json_error(const HttpResponse& response, int status, const std::string& what) {
    EXPECT_EQ(response.status, status) << what << ": " << response.body;
    EXPECT_THAT(response.header("content-type").value_or(""), HasSubstr("application/json"))
        << what;
    auto parsed = nlohmann::json::parse(response.body, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << what << ": not JSON: " << response.body;
    EXPECT_TRUE(parsed["error"]["code"].is_string()) << what << ": " << response.body;
    EXPECT_TRUE(parsed["error"]["message"].is_string()) << what << ": " << response.body;
  }
};

TEST_F(HostileInput, BadJsonIsA400NamingTheProblem) {
  expect_json_error(request("POST", "/api/projects", "{\"path\": "), 400, "truncated JSON");
  expect_json_error(request("POST", "/api/jobs", "[]"), 400, "an array");
  expect_json_error(request("POST", "/api/jobs", R"({"project_id": "1"})"), 400, "a string id");
  expect_json_error(request("POST", "/api/jobs", R"({"project_id": 1e400})"), 400, "a huge float");
  expect_json_error(request("POST", "/api/jobs", std::string("{\"project_id\": \xff}")), 400,
                    "bytes that are not UTF-8");
}

TEST_F(HostileInput, ABodyThatIsNotJsonByItsTypeIsA415) {
  expect_json_error(request("POST", "/api/jobs", "<xml/>", {{"Content-Type", "text/xml"}}), 415,
                    "XML");
}

TEST_F(HostileInput, ATwoMegabyteBodyIsA413InJson) {
  const std::string huge = R"({"path": ")" + std::string(2u << 20, 'a') + R"("})";
  expect_json_error(request("POST", "/api/projects", huge), 413, "2 MB body");
}

TEST_F(HostileInput, IdsThatAreNotPositiveNumbersAre400sOr404s) {
  for (const std::string target :
       {"/api/jobs/..%2F..%2Fetc", "/api/jobs/..%2F..%2Fetc%2Fpasswd", "/api/jobs/-1",
        "/api/jobs/abc", "/api/jobs/0", "/api/jobs/1.5", "/api/jobs/99999999999999999999",
        "/api/jobs/%00", "/api/projects/..%2f..%2f", "/api/jobs/1%20OR%201=1"}) {
    auto response = request("GET", target);
    EXPECT_TRUE(response.status == 400 || response.status == 404) << target << ": "
                                                                  << response.status;
    expect_json_error(response, response.status, target);
    EXPECT_THAT(response.body, ::testing::Not(HasSubstr("root:")));
  }
}

TEST_F(HostileInput, AJobThatDoesNotExistIsA404) {
  expect_json_error(request("GET", "/api/jobs/424242"), 404, "missing job");
  expect_json_error(request("GET", "/api/jobs/424242/logs"), 404, "missing job's log");
  expect_json_error(request("POST", "/api/jobs/424242/cancel", ""), 404, "cancel a missing job");
  expect_json_error(request("DELETE", "/api/jobs/424242"), 404, "delete a missing job");
}

TEST_F(HostileInput, DotDotInTheWebUiPathServesNothingOutside) {
  for (const std::string target : {"/..%2F..%2F..%2Fetc%2Fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
                                   "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd"}) {
    // At most the single-page app's own index.html (its router shows "not found").
    auto response = request("GET", target);
    EXPECT_THAT(response.body, ::testing::Not(HasSubstr("root:"))) << target;
    if (response.status == 200) {
      EXPECT_THAT(response.header("content-type").value_or(""), HasSubstr("text/html")) << target;
    }
  }
}

TEST_F(HostileInput, MarkupInAProjectNameIsStoredAndReturnedAsJsonText) {
  const std::string name = "<script>alert('x')</script>";
  nlohmann::json body = {{"path", prepare_tiny_train().string()}, {"name", name}};
  auto created = request("POST", "/api/projects", body.dump());
  ASSERT_TRUE(created.status == 201 || created.status == 400) << created.body;
  if (created.status == 400) {
    expect_json_error(created, 400, "a refused name");
    return;
  }
  EXPECT_THAT(created.header("content-type").value_or(""), HasSubstr("application/json"));
  const auto id = parse(created)["id"].get<std::int64_t>();
  auto shown = parse(request("GET", "/api/projects/" + std::to_string(id)));
  EXPECT_EQ(shown["name"], name);
  auto listed = request("GET", "/api/projects");
  EXPECT_THAT(listed.header("content-type").value_or(""), HasSubstr("application/json"));
  EXPECT_EQ(parse(listed)[0]["name"], name);
}

TEST_F(HostileInput, AnUnknownRouteIsA404InJson) {
  expect_json_error(request("GET", "/api/nothing"), 404, "unknown route");
  expect_json_error(request("GET", "/api/jobs/1/nothing"), 404, "unknown sub-route");
  expect_json_error(request("GET", "/api"), 404, "/api alone");
}

TEST_F(HostileInput, AWrongMethodIsA405WithAllow) {
  auto response = request("PUT", "/api/jobs/1", "{}");
  expect_json_error(response, 405, "PUT a job");
  auto allow = response.header("allow").value_or("");
  EXPECT_THAT(allow, HasSubstr("GET"));
  EXPECT_THAT(allow, HasSubstr("DELETE"));
  auto patch = request("PATCH", "/api/jobs", "{}");
  expect_json_error(patch, 405, "PATCH the job list");
  EXPECT_THAT(patch.header("allow").value_or(""), HasSubstr("POST"));
}

TEST_F(HostileInput, UnknownHttpMethodsAndGarbageNeverGetA500) {
  auto trace = http_request(port(), "TRACE", "/api/jobs");
  EXPECT_NE(trace.status, 500);
  EXPECT_NE(trace.status, 0) << trace.failure;
  auto garbage = http_request(port(), "GET", "/api/jobs?limit=%ZZ&offset=%");
  EXPECT_NE(garbage.status, 500);
  EXPECT_NE(garbage.status, 0) << garbage.failure;
}

TEST_F(HostileInput, EveryAnswerCarriesTheSecurityHeaders) {
  for (const auto& response : {request("GET", "/api/health"), request("GET", "/api/nothing"),
                               request("GET", "/api/jobs/abc"), request("GET", "/")}) {
    EXPECT_THAT(response.header("content-security-policy").value_or(""),
                HasSubstr("default-src 'self'"));
    EXPECT_THAT(response.header("content-security-policy").value_or(""),
                HasSubstr("frame-ancestors 'none'"));
    EXPECT_EQ(response.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(response.header("x-frame-options"), "DENY");
  }
}

TEST_F(HostileInput, ApiAnswersAreNeverCached) {
  EXPECT_EQ(request("GET", "/api/jobs").header("cache-control"), "no-store");
}

}  // namespace
}  // namespace sortie::testing

#include "sortie/http/router.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sortie::http {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// A handler that answers with its own name, so a test can tell which route matched.
Handler named(std::string name) {
  return [name](const Request&) { return Response::json(200, name); };
}

std::string matched_name(const Match& match) {
  if (!match.route) return "(none)";
  return match.route->handler(Request{}).body;
}

Router jobs_router() {
  Router router;
  router.add("GET", "/api/jobs", named("list"));
  router.add("POST", "/api/jobs", named("submit"));
  router.add("POST", "/api/jobs/preview", named("preview"));
  router.add("GET", "/api/jobs/{id}", named("show"));
  router.add("DELETE", "/api/jobs/{id}", named("delete"));
  router.add("GET", "/api/jobs/{id}/logs", named("logs"));
  router.add("GET", "/api/clusters/{name}/gpu-availability", named("gpus"));
  return router;
}

TEST(Router, MatchesALiteralPath) {
  const auto router = jobs_router();
  EXPECT_EQ(matched_name(router.match("GET", "/api/jobs")), "list");
}

TEST(Router, FillsParametersFromTheirSegments) {
  const auto router = jobs_router();
  auto match = router.match("GET", "/api/jobs/42/logs");
  EXPECT_EQ(matched_name(match), "logs");
  EXPECT_EQ(match.params.at("id"), "42");
}

TEST(Router, NamesEachParameterAsThePatternDoes) {
  const auto router = jobs_router();
  auto match = router.match("GET", "/api/clusters/sandbox/gpu-availability");
  EXPECT_EQ(matched_name(match), "gpus");
  EXPECT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params.at("name"), "sandbox");
}

TEST(Router, AcceptsATrailingSlashOnEveryRoute) {
  const auto router = jobs_router();
  EXPECT_EQ(matched_name(router.match("GET", "/api/jobs/")), "list");
  EXPECT_EQ(matched_name(router.match("GET", "/api/jobs/7/")), "show");
  EXPECT_EQ(matched_name(router.match("GET", "/api/jobs/7/logs/")), "logs");
}

TEST(Router, PrefersALiteralSegmentOverAParameter) {
  const auto router = jobs_router();
  EXPECT_EQ(matched_name(router.match("POST", "/api/jobs/preview")), "preview");
  EXPECT_EQ(matched_name(router.match("GET", "/api/jobs/preview")), "show");
}

TEST(Router, PrefersALiteralSegmentWhateverTheOrderOfRegistration) {
  Router router;
  router.add("GET", "/api/things/{id}", named("parameter"));
  router.add("GET", "/api/things/special", named("literal"));
  EXPECT_EQ(matched_name(router.match("GET", "/api/things/special")), "literal");
  EXPECT_EQ(matched_name(router.match("GET", "/api/things/other")), "parameter");
}

TEST(Router, ListsTheAllowedMethodsWhenOnlyTheMethodIsWrong) {
  const auto router = jobs_router();
  auto match = router.match("PUT", "/api/jobs/9");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_THAT(match.allowed_methods, UnorderedElementsAre("GET", "DELETE"));
}

TEST(Router, ListsEachAllowedMethodOnce) {
  const auto router = jobs_router();
  auto match = router.match("PATCH", "/api/jobs");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_THAT(match.allowed_methods, UnorderedElementsAre("GET", "POST"));
}

TEST(Router, LeavesAllowedMethodsEmptyForAnUnknownPath) {
  const auto router = jobs_router();
  auto match = router.match("GET", "/api/nothing/here");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.allowed_methods.empty());
}

TEST(Router, LeavesAllowedMethodsEmptyWhenARouteMatched) {
  const auto router = jobs_router();
  auto match = router.match("GET", "/api/jobs/9");
  EXPECT_NE(match.route, nullptr);
  EXPECT_TRUE(match.allowed_methods.empty());
}

TEST(Router, AnswersHeadWithTheGetRoute) {
  const auto router = jobs_router();
  EXPECT_EQ(matched_name(router.match("HEAD", "/api/jobs/3")), "show");
}

TEST(Router, DoesNotMatchAPathWithMoreOrFewerSegments) {
  const auto router = jobs_router();
  EXPECT_EQ(router.match("GET", "/api/jobs/3/logs/extra").route, nullptr);
  EXPECT_EQ(router.match("GET", "/api").route, nullptr);
}

TEST(Router, TakesAParameterSegmentVerbatim) {
  // Decoding is the server's job; the router must not undo it nor split on what it left.
  const auto router = jobs_router();
  auto match = router.match("GET", "/api/jobs/..");
  EXPECT_EQ(matched_name(match), "show");
  EXPECT_EQ(match.params.at("id"), "..");
}

TEST(PathSegments, IgnoresEmptySegments) {
  EXPECT_THAT(path_segments("/api//jobs/"), ElementsAre("api", "jobs"));
  EXPECT_TRUE(path_segments("/").empty());
}

}  // namespace
}  // namespace sortie::http

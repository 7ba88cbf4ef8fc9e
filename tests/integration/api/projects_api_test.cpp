// /api/projects against a real `sortie serve`: register a Git checkout of examples/tiny-train,
// list it with X-Total-Count, read it, change it, and delete it only once no job is recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/api/api_server.hpp"

namespace sortie::testing {
namespace {

using ::testing::HasSubstr;

class ProjectsApi : public ApiTest {};

TEST_F(ProjectsApi, RegistersAGitCheckoutWithItsRemoteAndCommit) {
  const auto checkout = prepare_tiny_train();
  nlohmann::json body = {{"path", checkout.string()}, {"name", "tiny"},
                         {"entry_command", "python3 train.py"}};
  auto created = request("POST", "/api/projects", body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  auto project = parse(created);
  EXPECT_EQ(project["name"], "tiny");
  EXPECT_EQ(created.header("location"), "/api/projects/" + project["id"].dump());
  EXPECT_THAT(project.dump(), HasSubstr(git::fixtures::git_line(checkout, "rev-parse HEAD")));
  EXPECT_THAT(project.dump(), HasSubstr("remote.git"));
}

TEST_F(ProjectsApi, RefusesRegisteringTheSameCheckoutTwice) {
  register_project("tiny");
  nlohmann::json body = {{"path", prepare_tiny_train().string()}, {"name", "tiny"}};
  auto again = request("POST", "/api/projects", body.dump());
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(parse(again)["error"]["code"], "conflict");
}

TEST_F(ProjectsApi, RefusesAPathThatIsNotAGitCheckout) {
  nlohmann::json body = {{"path", (m_dir / "nowhere").string()}};
  auto refused = request("POST", "/api/projects", body.dump());
  EXPECT_GE(refused.status, 400);
  EXPECT_LT(refused.status, 500);
  EXPECT_TRUE(parse(refused)["error"].contains("message"));
}

TEST_F(ProjectsApi, ListsProjectsWithTheirTotalCount) {
  const auto id = register_project("tiny");
  auto listed = request("GET", "/api/projects/");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.header("x-total-count"), "1");
  auto projects = parse(listed);
  ASSERT_EQ(projects.size(), 1u);
  EXPECT_EQ(projects[0]["id"], id);
  auto empty_page = request("GET", "/api/projects?offset=1");
  EXPECT_EQ(empty_page.header("x-total-count"), "1");
  EXPECT_EQ(parse(empty_page).size(), 0u);
}

TEST_F(ProjectsApi, ShowsOneProjectWithItsLiveGitState) {
  const auto id = register_project("tiny");
  auto shown = request("GET", "/api/projects/" + std::to_string(id));
  ASSERT_EQ(shown.status, 200) << shown.body;
  auto project = parse(shown);
  EXPECT_EQ(project["id"], id);
  EXPECT_EQ(project["name"], "tiny");
  EXPECT_TRUE(project.contains("live_git")) << project.dump(2);
}

TEST_F(ProjectsApi, PatchChangesTheEntryCommandAndClearsTheDefaultCluster) {
  const auto id = register_project("tiny");
  nlohmann::json patch = {{"entry_command", "python3 sleeper.py"},
                          {"setup", {"echo ready"}},
                          {"default_cluster", nullptr}};
  auto patched = request("PATCH", "/api/projects/" + std::to_string(id), patch.dump());
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto project = parse(request("GET", "/api/projects/" + std::to_string(id)));
  EXPECT_THAT(project.dump(), HasSubstr("python3 sleeper.py"));
  EXPECT_THAT(project.dump(), HasSubstr("echo ready"));
  EXPECT_THAT(project.dump(), ::testing::Not(HasSubstr(R"("default_cluster":"sandbox")")));
}

TEST_F(ProjectsApi, PatchRefusesAnUnknownCluster) {
  const auto id = register_project("tiny");
  auto refused = request("PATCH", "/api/projects/" + std::to_string(id),
                         R"({"default_cluster": "nowhere"})");
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_THAT(parse(refused)["error"]["message"].get<std::string>(), HasSubstr("sandbox"));
}

TEST_F(ProjectsApi, DeleteIsRefusedWhileJobsAreRecordedThenForgetsTheProject) {
  const auto id = register_project("tiny");
  const auto job = submit(id);
  ASSERT_GT(job, 0);
  auto refused = request("DELETE", "/api/projects/" + std::to_string(id));
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(parse(refused)["error"]["code"], "conflict");

  wait_for_state(job, "COMPLETED");
  ASSERT_EQ(request("DELETE", "/api/jobs/" + std::to_string(job)).status, 204);
  auto removed = request("DELETE", "/api/projects/" + std::to_string(id));
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(request("GET", "/api/projects/" + std::to_string(id)).status, 404);
}

}  // namespace
}  // namespace sortie::testing

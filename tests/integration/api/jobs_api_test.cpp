// /api/jobs against a real `sortie serve` and the sandbox cluster: submit, follow to the end,
// logs, events, script, cancel, rerun, delete, and paging with X-Total-Count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/api/api_server.hpp"

namespace sortie::testing {
namespace {

using ::testing::HasSubstr;

class JobsApi : public ApiTest {};

TEST_F(JobsApi, SubmittedJobRunsToCompletedWithItsLogEventsAndScript) {
  const auto project = register_project("tiny");
  const auto id = submit(project, {"steps=2"});
  ASSERT_GT(id, 0);
  auto job = wait_for_state(id, "COMPLETED");
  EXPECT_EQ(job["exit_code"], 0);
  EXPECT_EQ(job["project"], "tiny");

  const auto base = "/api/jobs/" + std::to_string(id);
  auto log = request("GET", base + "/logs?tail=50");
  ASSERT_EQ(log.status, 200) << log.body;
  auto log_document = parse(log);
  EXPECT_THAT(log_document["text"].get<std::string>(), HasSubstr("done:"));
  EXPECT_EQ(log_document["next_offset"].get<std::uint64_t>() -
                log_document["offset"].get<std::uint64_t>(),
            log_document["text"].get<std::string>().size());

  auto events = parse(request("GET", base + "/events"));
  ASSERT_TRUE(events.is_array());
  EXPECT_GE(events.size(), 2u);
  EXPECT_THAT(events.dump(), HasSubstr("COMPLETED"));

  auto script = request("GET", base + "/script");
  ASSERT_EQ(script.status, 200);
  EXPECT_THAT(parse(script)["script"].get<std::string>(), HasSubstr("#SBATCH"));
}

TEST_F(JobsApi, LogReadsAByteRangeFromAnOffset) {
  const auto project = register_project("tiny");
  const auto id = submit(project, {"steps=2"});
  wait_for_state(id, "COMPLETED");
  auto whole = parse(request("GET", "/api/jobs/" + std::to_string(id) + "/logs?offset=0"));
  const auto text = whole["text"].get<std::string>();
  ASSERT_GT(text.size(), 10u);
  auto part = parse(request("GET", "/api/jobs/" + std::to_string(id) + "/logs?offset=5&length=5"));
  EXPECT_EQ(part["text"], text.substr(5, 5));
  EXPECT_EQ(part["offset"], 5);
  EXPECT_EQ(part["next_offset"], 10);
}

TEST_F(JobsApi, CancelEndsARunningJobCancelledAndDeleteWaitsForTheEnd) {
  const auto project = register_project("tiny", "python3 sleeper.py");
  const auto id = submit(project, {"sleep", "120"});
  ASSERT_GT(id, 0);
  wait_for_state(id, "RUNNING");
  const auto base = "/api/jobs/" + std::to_string(id);
  auto refused = request("DELETE", base);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_THAT(parse(refused)["error"]["message"].get<std::string>(), HasSubstr("cancel it first"));

  auto cancelled = request("POST", base + "/cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  wait_for_state(id, "CANCELLED");
  auto again = request("POST", base + "/cancel");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(request("DELETE", base).status, 204);
  EXPECT_EQ(request("GET", base).status, 404);
}

TEST_F(JobsApi, RerunSubmitsANewJobWithTheSameCommandPointingBack) {
  const auto project = register_project("tiny");
  const auto id = submit(project, {"steps=1"});
  wait_for_state(id, "COMPLETED");
  auto rerun = request("POST", "/api/jobs/" + std::to_string(id) + "/rerun");
  ASSERT_EQ(rerun.status, 201) << rerun.body;
  auto job = parse(rerun);
  const auto new_id = job["id"].get<std::int64_t>();
  m_jobs.push_back(new_id);
  EXPECT_NE(new_id, id);
  EXPECT_EQ(job["rerun_of"], id);
  EXPECT_THAT(job.dump(), HasSubstr("steps=1"));
  EXPECT_EQ(wait_for_state(new_id, "COMPLETED")["exit_code"], 0);
}

TEST_F(JobsApi, ListsPagesNewestFirstWithTheTotalCount) {
  const auto project = register_project("tiny");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(submit(project, {"steps=1"}));
  auto all = request("GET", "/api/jobs/");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.header("x-total-count"), "3");
  auto listed = parse(all);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0]["id"], ids[2]);

  auto page = request("GET", "/api/jobs?limit=1&offset=1");
  EXPECT_EQ(page.header("x-total-count"), "3");
  auto one = parse(page);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["id"], ids[1]);

  auto filtered = request("GET", "/api/jobs/?project_id=" + std::to_string(project + 1000));
  EXPECT_EQ(filtered.header("x-total-count"), "0");
  EXPECT_EQ(request("GET", "/api/jobs?limit=0").status, 400);
  EXPECT_EQ(request("GET", "/api/jobs?limit=1001").status, 400);
  EXPECT_EQ(request("GET", "/api/jobs?offset=-1").status, 400);
  EXPECT_EQ(request("GET", "/api/jobs?state=NOPE").status, 400);
  for (auto id : ids) wait_for_state(id, "COMPLETED");
}

TEST_F(JobsApi, RefusesASubmissionForAnUnknownProject) {
  auto refused = request("POST", "/api/jobs", R"({"project_id": 999, "partition": "debug"})");
  EXPECT_EQ(refused.status, 404) << refused.body;
}

}  // namespace
}  // namespace sortie::testing

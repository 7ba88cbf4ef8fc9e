// `sortie submit / jobs --refresh / show / cancel / logs` on the sandbox cluster over real SSH:
// the real binary, a real Git repository pushed to a bare remote the cluster user can read, a
// real SQLite file, real SLURM.

#include "sortie/slurm/jobs.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "sortie/clusters/connect.hpp"
#include "sortie/config/clusters.hpp"
#include "sortie/jobs/submit.hpp"
#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"
#include "tests/integration/jobs/sandbox_project.hpp"

namespace sortie {
namespace {

using git::fixtures::git;
using git::fixtures::run_shell;
using git::fixtures::shell_quote;
using ::testing::HasSubstr;

class JobsOnSandbox : public testing::SandboxProject {};

TEST_P(JobsOnSandbox, GitJobCompletesWithExitZeroAndItsWandbRunRecorded) {
  const auto id = submit("");
  ASSERT_GT(id, 0);
  auto job = wait_for(id, "COMPLETED");
  EXPECT_EQ(job["exit_code"], 0);
  EXPECT_EQ(job["code"]["mode"], "git");
  EXPECT_EQ(job["code"]["commit"], git::fixtures::git_line(m_dir / "tiny", "rev-parse HEAD"));
  EXPECT_THAT(job["wandb_urls"].dump(), HasSubstr("https://wandb.ai/team/proj/runs/abc123"));
  auto log = sortie("logs " + std::to_string(id) + " --tail 3");
  EXPECT_EQ(log.status, 0) << log.output;
  EXPECT_THAT(log.output, HasSubstr("entry command exited with status 0"));
}

// "2026-12-02T10:30:00Z" as seconds since the epoch; nullopt for anything else.
std::optional<std::int64_t> utc_seconds(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  std::tm parts{};
  std::istringstream text(value.get<std::string>());
  text >> std::get_time(&parts, "%Y-%m-%dT%H:%M:%SZ");
  if (text.fail()) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&parts));
}

std::int64_t seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The 24.11 sandbox's login shell runs in America/New_York while this machine runs in UTC:
// squeue and sacct print local times in the zone of the process that runs them, so a time read
// without its zone would be hours off.
TEST_P(JobsOnSandbox, TimesAreTheSameInstantsWhateverTheClustersTimeZone) {
  auto zone = on_cluster("date +%Z");
  ASSERT_EQ(zone.status, 0) << zone.output;
  const auto before = seconds_now();
  const auto id = submit("-- sleep 2");
  ASSERT_GT(id, 0);
  auto job = wait_for(id, "COMPLETED");
  const auto after = seconds_now();
  const auto submitted = utc_seconds(job["submitted_at"]);
  const auto started = utc_seconds(job["started_at"]);
  const auto ended = utc_seconds(job["ended_at"]);
  ASSERT_TRUE(submitted && started && ended) << job.dump(2);
  // SLURM keeps whole seconds: allow one on either side.
  EXPECT_GE(*submitted, before - 1) << "cluster zone " << zone.output;
  EXPECT_LE(*submitted, *started);
  EXPECT_GE(*ended - *started, 2);
  EXPECT_LE(*ended, after + 1) << "cluster zone " << zone.output;
}

TEST_P(JobsOnSandbox, ExitCodeThreeEndsFailedWithExitCodeThree) {
  const auto id = submit("-- 3");
  ASSERT_GT(id, 0);
  auto job = wait_for(id, "FAILED");
  EXPECT_EQ(job["exit_code"], 3);
}

TEST_P(JobsOnSandbox, CancelledJobEndsCancelled) {
  const auto id = submit("-- sleep");
  ASSERT_GT(id, 0);
  wait_for(id, "RUNNING");
  auto cancelled = sortie("cancel " + std::to_string(id));
  EXPECT_EQ(cancelled.status, 0) << cancelled.output;
  auto job = wait_for(id, "CANCELLED");
  EXPECT_EQ(job["state"], "CANCELLED");
}

TEST_P(JobsOnSandbox, TimeLimitOfOneMinuteEndsTimeoutNotFailed) {
  auto submitted = sortie("submit tiny --cluster sandbox --partition debug --time 1 -- sleep");
  ASSERT_EQ(submitted.status, 0) << submitted.output;
  const auto at = submitted.output.find("Submitted job ");
  ASSERT_NE(at, std::string::npos) << submitted.output;
  const auto id = std::stoll(submitted.output.substr(at + 14));
  // SLURM enforces limits on its own schedule: one minute plus up to a minute of slack.
  auto job = wait_for(id, "TIMEOUT", std::chrono::seconds(200));
  EXPECT_EQ(job["state"], "TIMEOUT");
}

TEST_P(JobsOnSandbox, SnapshotJobRunsTheUncommittedChange) {
  std::string changed = testing::kTrainPy;
  changed.replace(changed.find("VERSION committed"), 17, "VERSION uncommitted");
  git::fixtures::write_file(m_dir / "tiny" / "train.py", changed);
  const auto id = submit("");
  ASSERT_GT(id, 0);
  auto job = wait_for(id, "COMPLETED");
  EXPECT_EQ(job["code"]["mode"], "snapshot");
  EXPECT_EQ(job["code"]["snapshot_hash"].get<std::string>().size(), 64u);
  EXPECT_THAT(job["code"]["changed_files"].dump(), HasSubstr("train.py"));
  auto log = sortie("logs " + std::to_string(id) + " --tail 20");
  EXPECT_EQ(log.status, 0) << log.output;
  EXPECT_THAT(log.output, HasSubstr("VERSION uncommitted"));
}

TEST_P(JobsOnSandbox, ShowJsonHasTheDocumentedFields) {
  const auto id = submit("");
  ASSERT_GT(id, 0);
  auto job = wait_for(id, "COMPLETED");
  for (const char* field :
       {"id", "project", "cluster", "slurm_job_id", "state", "reason", "exit_code", "submitted_at",
        "started_at", "ended_at", "nodes", "code", "wandb_urls", "log_paths"}) {
    EXPECT_TRUE(job.contains(field)) << field;
  }
  EXPECT_EQ(job["id"], id);
  EXPECT_EQ(job["project"], "tiny");
  EXPECT_EQ(job["cluster"], "sandbox");
  EXPECT_TRUE(job["slurm_job_id"].is_number());
  EXPECT_TRUE(job["started_at"].is_string());
  EXPECT_TRUE(job["ended_at"].is_string());
  EXPECT_THAT(job["log_paths"]["stdout"].get<std::string>(),
              HasSubstr(std::to_string(job["slurm_job_id"].get<std::int64_t>())));
}

TEST_P(JobsOnSandbox, RefreshSettlesASubmissionWhoseAnswerWasLostByAskingSlurmForItsKey) {
  // As if sortie died right after sbatch: the record is `submitting`, SLURM has the job.
  const std::string key = jobs::new_submission_key().value;
  {
    auto database = store::Database::open(m_dir / "sortie.db");
    ASSERT_TRUE(database) << database.error().message;
    store::Store store(*database);
    store::NewJob job;
    job.project = store::ProjectId{1};
    job.cluster = store::ClusterName{"sandbox"};
    job.submission_key = store::SubmissionKey{key};
    job.name = "lost";
    ASSERT_TRUE(store.create_job(job));
  }
  const auto sandbox = testing::sandbox();
  auto submitted =
      run_shell("ssh -i " + shell_quote(sandbox.key) + " -o UserKnownHostsFile=" +
                shell_quote(sandbox.known_hosts) + " -o BatchMode=yes -F /dev/null -p " +
                std::to_string(sandbox.ssh_port) + " " + sandbox.user + "@" + sandbox.host +
                " sbatch --parsable -p debug -t 1 -o /dev/null -J " + key + " --wrap true");
  ASSERT_EQ(submitted.status, 0) << submitted.output;
  const std::int64_t slurm_id = std::stoll(submitted.output);

  auto job = wait_for(1, "COMPLETED");
  EXPECT_EQ(job["phase"], "submitted");
  EXPECT_EQ(job["slurm_job_id"], slurm_id);
  auto listed = sortie("jobs --json");
  EXPECT_EQ(nlohmann::json::parse(listed.output)["jobs"].size(), 1u);
}

// The fallback for clusters without accounting: one scontrol call lists every job the
// controller holds, in the form the tracker parses.
TEST_P(JobsOnSandbox, OneScontrolCallListsEveryJobTheControllerHolds) {
  const auto first = submit("-- sleep 30");
  const auto second = submit("-- sleep 30");
  ASSERT_GT(first, 0);
  ASSERT_GT(second, 0);
  auto clusters = config::load_clusters(testing::sandbox().clusters_yaml);
  ASSERT_TRUE(clusters) << clusters.error().message;
  auto remote = clusters::open_remote(clusters->clusters.front());
  auto output = remote->run_one(slurm::scontrol_show_jobs(), std::chrono::seconds(30));
  ASSERT_TRUE(output) << output.error().message;
  auto jobs = slurm::read_scontrol_jobs(*output);
  ASSERT_TRUE(jobs) << jobs.error().message;
  for (const auto id : {first, second}) {
    const auto slurm_id = std::to_string(show(id)["slurm_job_id"].get<std::int64_t>());
    const auto found = std::ranges::find_if(
        *jobs, [&](const slurm::JobInfo& job) { return job.job_id == slurm_id; });
    ASSERT_NE(found, jobs->end()) << slurm_id;
    EXPECT_TRUE(found->name.starts_with("sortie-")) << found->name;
  }
}

TEST_P(JobsOnSandbox, RenderPrintsTheScriptAndRecordsNothing) {
  auto rendered = sortie("render tiny --cluster sandbox -- 3");
  ASSERT_EQ(rendered.status, 0) << rendered.output;
  EXPECT_THAT(rendered.output, HasSubstr("#SBATCH --job-name=sortie-"));
  EXPECT_THAT(rendered.output, HasSubstr("python3 train.py 3 "));
  auto listed = sortie("jobs --json");
  EXPECT_THAT(listed.output, HasSubstr("\"jobs\": []"));
}

SORTIE_ON_EACH_SANDBOX(JobsOnSandbox);

}  // namespace
}  // namespace sortie

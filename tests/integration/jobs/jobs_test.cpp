// `sortie submit / jobs --refresh / show / cancel / logs` on the sandbox cluster over real SSH:
// the real binary, a real Git repository pushed to a bare remote the cluster user can read, a
// real SQLite file, real SLURM.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "sortie/jobs/submit.hpp"
#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"
#include "tests/integration/sandbox.hpp"
#include "tests/unit/git/fixtures/git_fixture.hpp"

namespace sortie {
namespace {

using git::fixtures::git;
using git::fixtures::run_shell;
using git::fixtures::shell_quote;
using ::testing::HasSubstr;

constexpr const char* kTrainPy =
    "import sys, time\n"
    "print('wandb: \xf0\x9f\x9a\x80 View run tiny-run-1 at: "
    "https://wandb.ai/team/proj/runs/abc123',"
    " flush=True)\n"
    "print('VERSION committed', flush=True)\n"
    "if len(sys.argv) > 1 and sys.argv[1] == 'sleep':\n"
    "    time.sleep(300)\n"
    "sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 0)\n";

// A folder the cluster user `researcher` can read (root's temp dirs are not), removed after.
class SharedDir {
 public:
  SharedDir() {
    std::filesystem::create_directories("/var/tmp/sortie-test-remotes");
    std::filesystem::permissions(
        "/var/tmp/sortie-test-remotes",
        std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
            std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
            std::filesystem::perms::others_exec);
    std::string pattern = "/var/tmp/sortie-test-remotes/jobs-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    m_path = pattern;
  }
  ~SharedDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  SharedDir(const SharedDir&) = delete;
  SharedDir& operator=(const SharedDir&) = delete;
  std::filesystem::path operator/(std::string_view child) const { return m_path / child; }
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

class JobsOnSandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    git(m_dir.path(), "init -q --bare remote.git");
    std::filesystem::create_directory(m_dir / "tiny");
    git(m_dir / "tiny", "init -q");
    git::fixtures::write_file(m_dir / "tiny" / "train.py", kTrainPy);
    git(m_dir / "tiny", "add train.py");
    git(m_dir / "tiny", "commit -q -m 'Tiny model'");
    git(m_dir / "tiny", "remote add origin " + shell_quote((m_dir / "remote.git").string()));
    git(m_dir / "tiny", "push -q -u origin main");
    // The job clones as `researcher`: the remote must be readable and owned by that user (git
    // refuses repositories of other owners).
    run_shell("chmod -R a+rX " + shell_quote(m_dir.path().string()) + " && chown -R researcher " +
              shell_quote((m_dir / "remote.git").string()));

    auto database = store::Database::open(m_dir / "sortie.db");
    ASSERT_TRUE(database) << database.error().message;
    store::Store store(*database);
    store::NewProject project{"tiny", (m_dir / "tiny").string(), {}};
    project.settings.entry_command = "python3 train.py";
    auto created = store.create_project(project);
    ASSERT_TRUE(created) << created.error().message;
  }

  git::fixtures::CommandResult sortie(const std::string& arguments) {
    return run_shell(std::string(SORTIE_BINARY) + " --config " +
                     shell_quote(testing::sandbox().clusters_yaml) + " --db " +
                     shell_quote((m_dir / "sortie.db").string()) + " " + arguments);
  }

  // Submits and returns sortie's job id.
  std::int64_t submit(const std::string& arguments) {
    auto submitted =
        sortie("submit tiny --cluster sandbox --partition debug --time 5 " + arguments);
    EXPECT_EQ(submitted.status, 0) << submitted.output;
    EXPECT_THAT(submitted.output, HasSubstr("Submitted job "));
    const auto at = submitted.output.find("Submitted job ");
    if (at == std::string::npos) return 0;
    return std::stoll(submitted.output.substr(at + 14));
  }

  nlohmann::json show(std::int64_t id) {
    auto shown = sortie("show " + std::to_string(id) + " --json");
    EXPECT_EQ(shown.status, 0) << shown.output;
    try {
      return nlohmann::json::parse(shown.output);
    } catch (const std::exception& error) {
      ADD_FAILURE() << error.what() << "\n" << shown.output;
      return {};
    }
  }

  // Refreshes until the job reaches `state` or a minute passes; returns the last record.
  nlohmann::json wait_for(std::int64_t id, const std::string& state,
                          std::chrono::seconds limit = std::chrono::seconds(90)) {
    nlohmann::json job;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto refreshed = sortie("jobs --refresh");
      EXPECT_EQ(refreshed.status, 0) << refreshed.output;
      job = show(id);
      if (job.is_object() && job["state"] == state) return job;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    ADD_FAILURE() << "job " << id << " did not reach " << state << ": " << job.dump(2);
    return job;
  }

  SharedDir m_dir;
};

TEST_F(JobsOnSandbox, GitJobCompletesWithExitZeroAndItsWandbRunRecorded) {
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

TEST_F(JobsOnSandbox, ExitCodeThreeEndsFailedWithExitCodeThree) {
  const auto id = submit("-- 3");
  ASSERT_GT(id, 0);
  auto job = wait_for(id, "FAILED");
  EXPECT_EQ(job["exit_code"], 3);
}

TEST_F(JobsOnSandbox, CancelledJobEndsCancelled) {
  const auto id = submit("-- sleep");
  ASSERT_GT(id, 0);
  wait_for(id, "RUNNING");
  auto cancelled = sortie("cancel " + std::to_string(id));
  EXPECT_EQ(cancelled.status, 0) << cancelled.output;
  auto job = wait_for(id, "CANCELLED");
  EXPECT_EQ(job["state"], "CANCELLED");
}

TEST_F(JobsOnSandbox, TimeLimitOfOneMinuteEndsTimeoutNotFailed) {
  auto submitted =
      sortie("submit tiny --cluster sandbox --partition debug --time 1 -- sleep");
  ASSERT_EQ(submitted.status, 0) << submitted.output;
  const auto at = submitted.output.find("Submitted job ");
  ASSERT_NE(at, std::string::npos) << submitted.output;
  const auto id = std::stoll(submitted.output.substr(at + 14));
  // SLURM enforces limits on its own schedule: one minute plus up to a minute of slack.
  auto job = wait_for(id, "TIMEOUT", std::chrono::seconds(200));
  EXPECT_EQ(job["state"], "TIMEOUT");
}

TEST_F(JobsOnSandbox, SnapshotJobRunsTheUncommittedChange) {
  std::string changed = kTrainPy;
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

TEST_F(JobsOnSandbox, ShowJsonHasTheDocumentedFields) {
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

TEST_F(JobsOnSandbox, RefreshSettlesASubmissionWhoseAnswerWasLostByAskingSlurmForItsKey) {
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

TEST_F(JobsOnSandbox, RenderPrintsTheScriptAndRecordsNothing) {
  auto rendered = sortie("render tiny --cluster sandbox -- 3");
  ASSERT_EQ(rendered.status, 0) << rendered.output;
  EXPECT_THAT(rendered.output, HasSubstr("#SBATCH --job-name=sortie-"));
  EXPECT_THAT(rendered.output, HasSubstr("python3 train.py 3 "));
  auto listed = sortie("jobs --json");
  EXPECT_THAT(listed.output, HasSubstr("\"jobs\": []"));
}

}  // namespace
}  // namespace sortie

// Faults on the sandbox cluster, with the real binary over real SSH: sortie killed between the
// steps of a submission and at random moments of it, sshd restarted while `sortie serve`
// follows running jobs, slurmctld stopped for a minute. In every case each record ends with
// exactly one SLURM job under its key or as submit_failed saying why; no SLURM job runs
// unrecorded and none is doubled.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/integration/jobs/sandbox_project.hpp"

extern char** environ;

namespace sortie {
namespace {

using namespace std::chrono_literals;
using git::fixtures::run_shell;
using git::fixtures::shell_quote;
using ::testing::HasSubstr;

// The names of the researcher's SLURM jobs submitted since `since` (epoch seconds), one per
// job, asked as root on this machine: squeue and sacct together, because a new job reaches
// accounting a moment after the controller.
std::multiset<std::string> slurm_job_names_since(std::int64_t since) {
  const auto sandbox = testing::sandbox();
  const auto ago = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count() -
                   since;
  const std::string admin = shell_quote(sandbox.admin) + " env SLURM_TIME_FORMAT=%s";
  auto listed = run_shell(admin + " squeue -h -t all -u researcher -o '%A|%j|%V' && " + admin +
                          " sacct -n -X -P -u researcher --format=JobID,JobName,Submit "
                          "--starttime=now-" +
                          std::to_string(ago + 1) + "seconds");
  EXPECT_EQ(listed.status, 0) << listed.output;
  std::set<std::string> jobs;  // "id|name" of jobs submitted since `since`
  std::istringstream lines(listed.output);
  for (std::string line; std::getline(lines, line);) {
    const auto last = line.rfind('|');
    if (line.find("|sortie-") == std::string::npos || last == std::string::npos) continue;
    if (std::stoll(line.substr(last + 1)) < since) continue;
    jobs.insert(line.substr(0, last));
  }
  std::multiset<std::string> names;
  for (const auto& job : jobs) names.insert(job.substr(job.find('|') + 1));
  return names;
}

// Starts what of the test's sandbox is not running (after a test stopped a part of it).
std::string sandbox_up_command() {
  return "SORTIE_SANDBOX_SLURM=" + testing::sandbox().slurm + " bash " +
         std::string(SORTIE_SOURCE_DIR) + "/sandbox/up.sh";
}

std::int64_t epoch_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A child process running the sortie binary, its output in a file.
class Process {
 public:
  Process(const std::vector<std::string>& arguments, const std::filesystem::path& log) {
    std::vector<char*> argv;
    std::vector<std::string> words = {SORTIE_BINARY};
    words.insert(words.end(), arguments.begin(), arguments.end());
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (posix_spawn(&m_pid, SORTIE_BINARY, &actions, nullptr, argv.data(), environ) != 0) {
      ADD_FAILURE() << "could not start " << SORTIE_BINARY;
      m_pid = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Process() {
    if (m_pid > 0) {
      kill(m_pid, SIGKILL);
      wait();
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void signal(int number) {
    if (m_pid > 0) kill(m_pid, number);
  }
  // The exit status (128+N for signal N), after waiting for the process.
  int wait() {
    if (m_pid <= 0) return -1;
    int status = 0;
    waitpid(m_pid, &status, 0);
    m_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t m_pid = -1;
};

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class FaultsOnSandbox : public testing::SandboxProject {
 protected:
  std::vector<std::string> common() const {
    return {"--config", testing::sandbox().clusters_yaml, "--db", (m_dir / "sortie.db").string()};
  }

  // Every record, as `jobs --json` lists it.
  nlohmann::json records() {
    auto listed = sortie("jobs --json --limit 1000");
    EXPECT_EQ(listed.status, 0) << listed.output;
    return nlohmann::json::parse(listed.output)["jobs"];
  }

  // Refreshes until no record is `submitting` (the grace period is 3 s), or a minute passes.
  void settle() {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    std::string said;
    while (std::chrono::steady_clock::now() < deadline) {
      auto refreshed = sortie("jobs --refresh --submit-grace 3 --limit 1000 2>&1 >/dev/null");
      said = refreshed.output;
      bool unsettled = false;
      for (const auto& job : records()) unsettled = unsettled || job["phase"] == "submitting";
      if (!unsettled) return;
      std::this_thread::sleep_for(1s);
    }
    ADD_FAILURE() << "submissions still unsettled after a minute; the last refresh said: " << said;
  }

  // The invariant: each record is submitted with exactly one SLURM job under its key, or
  // submit_failed with none; and SLURM holds no job of this test that has no record.
  void expect_exactly_once(std::int64_t since) {
    const auto names = slurm_job_names_since(since);
    std::set<std::string> recorded;
    for (const auto& job : records()) {
      const std::string key = job["submission_key"];
      recorded.insert(key);
      if (job["phase"] == "submitted") {
        EXPECT_EQ(names.count(key), 1u) << job.dump();
      } else {
        EXPECT_EQ(job["phase"], "submit_failed") << job.dump();
        EXPECT_EQ(names.count(key), 0u) << job.dump();
        EXPECT_FALSE(job["reason"].get<std::string>().empty());
      }
    }
    for (const auto& name : names) {
      EXPECT_TRUE(recorded.contains(name)) << "SLURM job " << name << " has no record";
    }
  }

  void cancel_all() {
    for (const auto& job : records()) {
      if (job["phase"] == "submitted" && job["state"] != "COMPLETED") {
        (void)sortie("cancel " + std::to_string(job["id"].get<std::int64_t>()));
      }
    }
  }

  // Waits for `state` as `sortie show` (no refresh: the serving monitor updates the record).
  nlohmann::json wait_without_refresh(std::int64_t id, const std::string& state,
                                      std::chrono::seconds limit) {
    nlohmann::json job;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      job = show(id);
      if (job.is_object() && job["state"] == state) return job;
      std::this_thread::sleep_for(500ms);
    }
    ADD_FAILURE() << "job " << id << " did not reach " << state << ": " << job.dump(2)
                  << "\nsortie serve said:\n"
                  << read_text(m_dir / "serve.log");
    return job;
  }
};

TEST_P(FaultsOnSandbox, AProcessKilledBetweenSubmitStepsLeavesOneJobOrAFailedRecord) {
  const auto since = epoch_now() - 1;
  for (const std::string step : {"recorded", "rendered", "answered"}) {
    auto killed = run_shell("SORTIE_FAULT_EXIT_AT=" + step + " " + SORTIE_BINARY + " --config " +
                            shell_quote(testing::sandbox().clusters_yaml) + " --db " +
                            shell_quote((m_dir / "sortie.db").string()) +
                            " submit tiny --cluster sandbox --partition debug --time 2 -- 0");
    EXPECT_EQ(killed.status, 137) << step << ": " << killed.output;
  }
  auto before = records();
  ASSERT_EQ(before.size(), 3u);
  for (const auto& job : before) EXPECT_EQ(job["phase"], "submitting") << job.dump();

  settle();
  auto after = records();
  ASSERT_EQ(after.size(), 3u);
  // Newest first: killed after sbatch answered, after rendering, after recording.
  EXPECT_EQ(after[0]["phase"], "submitted") << after[0].dump();
  EXPECT_EQ(after[1]["phase"], "submit_failed") << after[1].dump();
  EXPECT_THAT(after[1]["reason"].get<std::string>(), HasSubstr("did not reach SLURM"));
  EXPECT_EQ(after[2]["phase"], "submit_failed") << after[2].dump();
  expect_exactly_once(since);
  cancel_all();
}

TEST_P(FaultsOnSandbox, ProcessesKilledAtRandomMomentsOfASubmitNeverDuplicateOrLoseAJob) {
  const auto since = epoch_now() - 1;
  auto arguments = common();
  for (const auto* word : {"submit", "tiny", "--cluster", "sandbox", "--partition", "debug",
                           "--time", "2", "--", "0"}) {
    arguments.emplace_back(word);
  }
  // Connecting, validating and the submission exchange take a few hundred ms in all: kill
  // across that span.
  for (int delay_ms : {30, 120, 200, 260, 320, 380, 450, 600}) {
    Process submit(arguments, m_dir / "submit.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    submit.signal(SIGKILL);
    submit.wait();
  }
  settle();
  expect_exactly_once(since);
  cancel_all();
}

TEST_P(FaultsOnSandbox, ServeFollowsJobsToTheirEndAcrossAnSshdRestart) {
  const auto sandbox = testing::sandbox();
  auto arguments = common();
  arguments.insert(arguments.end(), {"serve", "--fastest", "0.5", "--slowest", "2",
                                     "--longest-backoff", "4", "--slurm-calls-per-minute", "60"});
  Process serve(arguments, m_dir / "serve.log");

  const auto sleeper = submit("-- sleep 12");
  const auto failing = submit("-- 7");
  wait_without_refresh(sleeper, "RUNNING", 60s);

  // Drop every connection of the sandbox's sshd (the monitor's pooled one too), then start
  // sshd again.
  const std::string listener = "$(cat " + shell_quote(sandbox.dir + "/run/sshd.pid") + ")";
  run_shell("pkill -KILL -P " + listener + "; pkill -KILL -u researcher -x sshd; kill " + listener);
  ASSERT_EQ(run_shell(sandbox_up_command()).status, 0);

  auto done = wait_without_refresh(sleeper, "COMPLETED", 90s);
  EXPECT_EQ(done["exit_code"], 0);
  auto failed = wait_without_refresh(failing, "FAILED", 30s);
  EXPECT_EQ(failed["exit_code"], 7);
  EXPECT_EQ(records().size(), 2u);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(), 0) << read_text(m_dir / "serve.log");
}

TEST_P(FaultsOnSandbox, ServeCatchesUpAfterTheControllerWasDownForAMinute) {
  const auto sandbox = testing::sandbox();
  const auto since = epoch_now() - 1;
  auto arguments = common();
  arguments.insert(arguments.end(), {"serve", "--fastest", "0.5", "--slowest", "2",
                                     "--longest-backoff", "4", "--slurm-calls-per-minute", "60"});
  Process serve(arguments, m_dir / "serve.log");

  const auto sleeper = submit("-- sleep 20");
  wait_without_refresh(sleeper, "RUNNING", 60s);

  std::ifstream pid_file(sandbox.dir + "/run/slurmctld.pid");
  pid_t controller = 0;
  ASSERT_TRUE(pid_file >> controller) << "no slurmctld pid file: is the sandbox up?";
  ASSERT_EQ(kill(controller, SIGTERM), 0);
  for (int i = 0; i < 100 && kill(controller, 0) == 0; ++i) std::this_thread::sleep_for(100ms);
  // While the controller is down a submission fails cleanly, and nothing is recorded twice.
  auto refused = sortie("submit tiny --cluster sandbox --partition debug --time 2 -- 0");
  EXPECT_NE(refused.status, 0) << refused.output;
  std::this_thread::sleep_for(60s);
  ASSERT_EQ(run_shell(sandbox_up_command()).status, 0);

  auto done = wait_without_refresh(sleeper, "COMPLETED", 120s);
  EXPECT_EQ(done["exit_code"], 0);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(), 0);
  const auto log = read_text(m_dir / "serve.log");
  EXPECT_THAT(log, HasSubstr("cannot follow jobs")) << log;
  EXPECT_THAT(log, HasSubstr("reachable again")) << log;
  settle();
  expect_exactly_once(since);
}

SORTIE_ON_EACH_SANDBOX(FaultsOnSandbox);

// The 24.11 controller limits each user's calls (rl_enable; root and SlurmUser are exempt, the
// test user is not). SLURM's own commands sleep and retry when refused, so sortie meets slow
// answers before it meets "Rate limit exceeded". With a bucket of 4 calls refilled at one a
// second, a burst of submissions and the serving monitor's ticks run far past the bucket.
class RateLimitedController : public FaultsOnSandbox {
 protected:
  static void restart_controller(const std::string& bucket, const std::string& refill) {
    const auto restarted =
        run_shell("SORTIE_SANDBOX_RL_BUCKET=" + bucket + " SORTIE_SANDBOX_RL_REFILL=" + refill +
                  " " + sandbox_up_command() + " 2>&1");
    ASSERT_EQ(restarted.status, 0) << restarted.output;
  }
  void SetUp() override {
    restart_controller("4", "1");
    FaultsOnSandbox::SetUp();
  }
  void TearDown() override {
    FaultsOnSandbox::TearDown();
    restart_controller("60", "20");  // sandbox/up.sh's defaults
  }
};

TEST_P(RateLimitedController, BurstOfSubmitsIsSubmittedOnceEachAndEveryJobFollowedToItsEnd) {
  const auto since = epoch_now() - 1;
  auto arguments = common();
  arguments.insert(arguments.end(), {"serve", "--fastest", "0.5", "--slowest", "2"});
  Process serve(arguments, m_dir / "serve.log");
  std::this_thread::sleep_for(1s);

  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    auto submitted = sortie("submit tiny --cluster sandbox --partition debug --time 2 -- 0");
    ASSERT_EQ(submitted.status, 0)
        << "submit " << i << " under the rate limit: " << submitted.output;
    ids.push_back(submitted_id(submitted));
  }
  for (const auto id : ids) wait_without_refresh(id, "COMPLETED", 180s);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(), 0);
  const auto log = read_text(m_dir / "serve.log");
  EXPECT_THAT(log, ::testing::Not(HasSubstr("timed out"))) << log;
  EXPECT_EQ(records().size(), ids.size());
  expect_exactly_once(since);
}

// Only SLURM 23.02 and later have rl_enable.
INSTANTIATE_TEST_SUITE_P(, RateLimitedController, ::testing::Values("24.11"),
                         testing::slurm_test_name);

}  // namespace
}  // namespace sortie

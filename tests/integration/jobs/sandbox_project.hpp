#pragma once

// A project on the sandbox cluster for integration tests: a real Git repository pushed to a
// bare remote the cluster user can read, a real SQLite file, and the real `sortie` binary.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"
#include "tests/integration/sandbox.hpp"
#include "tests/unit/git/fixtures/git_fixture.hpp"

namespace sortie::testing {

using git::fixtures::git;
using git::fixtures::run_shell;
using git::fixtures::shell_quote;
using ::testing::HasSubstr;

// train.py: prints a W&B run line on stderr (where wandb prints it) and "VERSION committed" on
// stdout; `sleep [S]` sleeps S seconds (300 by default), a number exits with it.
constexpr const char* kTrainPy =
    "import sys, time\n"
    "print('wandb: \xf0\x9f\x9a\x80 View run tiny-run-1 at: "
    "https://wandb.ai/team/proj/runs/abc123',"
    " file=sys.stderr, flush=True)\n"
    "print('VERSION committed', flush=True)\n"
    "if len(sys.argv) > 1 and sys.argv[1] == 'sleep':\n"
    "    time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 300)\n"
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

// Parameterised by SLURM series (SandboxVersion): instantiate each suite deriving from it with
// SORTIE_ON_EACH_SANDBOX and write its tests with TEST_P.
class SandboxProject : public SandboxVersion, public ::testing::Test {
 protected:
  explicit SandboxProject(std::string train_py = kTrainPy) : m_train_py(std::move(train_py)) {}

  void TearDown() override {
    // Leave nothing running on the shared sandbox.
    for (auto id : m_submitted) sortie("cancel " + std::to_string(id));
  }

  void SetUp() override {
    git(m_dir.path(), "init -q --bare remote.git");
    std::filesystem::create_directory(m_dir / "tiny");
    git(m_dir / "tiny", "init -q");
    git::fixtures::write_file(m_dir / "tiny" / "train.py", m_train_py);
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
                     shell_quote(sandbox().clusters_yaml) + " --db " +
                     shell_quote((m_dir / "sortie.db").string()) + " " + arguments);
  }

  // The command's standard output only.
  git::fixtures::CommandResult sortie_stdout(const std::string& arguments) {
    return run_shell(
        "(" + std::string(SORTIE_BINARY) + " --config " + shell_quote(sandbox().clusters_yaml) +
        " --db " + shell_quote((m_dir / "sortie.db").string()) + " " + arguments + " 2>/dev/null)");
  }

  // Runs `command` on the cluster as its user, over OpenSSH.
  git::fixtures::CommandResult on_cluster(const std::string& command) {
    const auto target = sandbox();
    return run_shell("ssh -i " + shell_quote(target.key) +
                     " -o UserKnownHostsFile=" + shell_quote(target.known_hosts) +
                     " -o BatchMode=yes -F /dev/null -p " + std::to_string(target.ssh_port) + " " +
                     target.user + "@" + target.host + " " + shell_quote(command));
  }

  // sortie's job id from a `sortie submit` that must have succeeded; the job is cancelled at
  // the end of the test.
  std::int64_t submitted_id(const git::fixtures::CommandResult& submitted) {
    EXPECT_EQ(submitted.status, 0) << submitted.output;
    const auto at = submitted.output.find("Submitted job ");
    EXPECT_NE(at, std::string::npos) << submitted.output;
    if (at == std::string::npos) return 0;
    const auto id = std::stoll(submitted.output.substr(at + 14));
    m_submitted.push_back(id);
    return id;
  }

  // Submits to the debug partition and returns sortie's job id.
  std::int64_t submit(const std::string& arguments) {
    return submitted_id(
        sortie("submit tiny --cluster sandbox --partition debug --time 5 " + arguments));
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
  std::string m_train_py;
  std::vector<std::int64_t> m_submitted;
};

}  // namespace sortie::testing

// `sortie rerun / rm / logs --follow`, templates and the account flags on the sandbox cluster
// over real SSH: the real binary, a real Git repository, a real SQLite file, real SLURM.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"
#include "tests/integration/jobs/sandbox_project.hpp"

namespace sortie {
namespace {

using git::fixtures::git;
using git::fixtures::run_shell;
using git::fixtures::shell_quote;
using ::testing::HasSubstr;
using ::testing::Not;

// Prints its version, then (with `count N`) N numbered lines, one every 0.2 s.
constexpr const char* kCountingTrainPy =
    "import sys, time\n"
    "print('VERSION committed', flush=True)\n"
    "if len(sys.argv) > 2 and sys.argv[1] == 'count':\n"
    "    for i in range(int(sys.argv[2])):\n"
    "        print(f'line {i:03d} ' + 'x' * 50, flush=True)\n"
    "        time.sleep(0.2)\n"
    "if len(sys.argv) > 1 and sys.argv[1] == 'sleep':\n"
    "    time.sleep(300)\n";

class JobsOnSandboxCli : public testing::SandboxProject {
 protected:
  JobsOnSandboxCli() : SandboxProject(kCountingTrainPy) {}
};

TEST_P(JobsOnSandboxCli, RerunOfASnapshotRunsTheSameCodeAfterTheWorkingTreeChanged) {
  std::string changed = kCountingTrainPy;
  changed.replace(changed.find("VERSION committed"), 17, "VERSION uncommitted");
  git::fixtures::write_file(m_dir / "tiny" / "train.py", changed);
  const auto original = submit("");
  ASSERT_GT(original, 0);
  auto first = wait_for(original, "COMPLETED");
  ASSERT_EQ(first["code"]["mode"], "snapshot");

  // The tree moves on; the rerun must not pick that up.
  changed.replace(changed.find("VERSION uncommitted"), 19, "VERSION changed-later");
  git::fixtures::write_file(m_dir / "tiny" / "train.py", changed);
  auto rerun = sortie_stdout("rerun " + std::to_string(original) + " --json");
  ASSERT_EQ(rerun.status, 0) << sortie("rerun " + std::to_string(original)).output;
  const auto document = nlohmann::json::parse(rerun.output);
  const std::int64_t id = document["id"];
  m_submitted.push_back(id);
  EXPECT_NE(id, original);
  EXPECT_EQ(document["rerun_of"], original);

  auto job = wait_for(id, "COMPLETED");
  EXPECT_EQ(job["rerun_of"], original);
  EXPECT_EQ(job["code"], first["code"]);
  EXPECT_EQ(job["command"], first["command"]);
  EXPECT_EQ(job["resources"], first["resources"]);
  auto log = sortie("logs " + std::to_string(id) + " --tail 50");
  EXPECT_EQ(log.status, 0) << log.output;
  EXPECT_THAT(log.output, HasSubstr("VERSION uncommitted"));
  EXPECT_THAT(log.output, Not(HasSubstr("changed-later")));
}

TEST_P(JobsOnSandboxCli, RerunOfASnapshotWhoseArchiveIsGoneFailsClearlyAndRecordsNothing) {
  git::fixtures::write_file(m_dir / "tiny" / "train.py",
                            std::string(kCountingTrainPy) + "# dirty\n");
  const auto original = submit("");
  ASSERT_GT(original, 0);
  auto first = wait_for(original, "COMPLETED");
  const std::string hash = first["code"]["snapshot_hash"];
  auto removed = on_cluster("rm -f ~/sortie/snapshots/" + hash + ".tar");
  ASSERT_EQ(removed.status, 0) << removed.output;

  auto rerun = sortie("rerun " + std::to_string(original));
  EXPECT_NE(rerun.status, 0);
  EXPECT_THAT(rerun.output, HasSubstr("is no longer on sandbox"));
  auto listed = sortie_stdout("jobs --json");
  EXPECT_EQ(nlohmann::json::parse(listed.output)["jobs"].size(), 1u);
}

TEST_P(JobsOnSandboxCli, RmRefusesAnActiveJobAndPurgeRemovesItsFilesOnTheCluster) {
  const auto id = submit("-- sleep");
  ASSERT_GT(id, 0);
  auto running = wait_for(id, "RUNNING");
  auto refused = sortie("rm " + std::to_string(id) + " --purge");
  EXPECT_NE(refused.status, 0);
  EXPECT_THAT(refused.output, HasSubstr("RUNNING"));
  EXPECT_THAT(refused.output, HasSubstr("sortie cancel " + std::to_string(id)));
  EXPECT_EQ(show(id)["id"], id);

  ASSERT_EQ(sortie("cancel " + std::to_string(id)).status, 0);
  wait_for(id, "CANCELLED");
  const std::string job_dir = running["workspace"];
  ASSERT_THAT(job_dir, HasSubstr("/jobs/sortie-"));
  auto before = on_cluster("ls -d " + job_dir + "*");
  EXPECT_THAT(before.output, HasSubstr(job_dir + ".sbatch"));
  EXPECT_THAT(before.output, HasSubstr(".out"));
  auto other = on_cluster("ls -d " + job_dir.substr(0, job_dir.rfind('/')));
  ASSERT_EQ(other.status, 0);

  auto removed = sortie("rm " + std::to_string(id) + " --purge");
  ASSERT_EQ(removed.status, 0) << removed.output;
  auto after = on_cluster("ls -d " + job_dir + "* 2>/dev/null | wc -l");
  EXPECT_EQ(after.output, "0\n");
  EXPECT_EQ(on_cluster("test -d " + job_dir.substr(0, job_dir.rfind('/'))).status, 0);
  EXPECT_NE(sortie("show " + std::to_string(id)).status, 0);
}

TEST_P(JobsOnSandboxCli, LogsFollowPrintsTheWholeOutputExactlyOnceWhileTheJobRuns) {
  const auto id = submit("-- count 40");
  ASSERT_GT(id, 0);
  // From the submission on (the log does not exist yet) to the job's end.
  auto followed = sortie_stdout("logs " + std::to_string(id) + " --follow");
  ASSERT_EQ(followed.status, 0) << followed.output;
  for (int i = 0; i < 40; ++i) {
    char line[16];
    std::snprintf(line, sizeof line, "line %03d ", i);
    const auto first = followed.output.find(line);
    ASSERT_NE(first, std::string::npos) << line << "\n" << followed.output;
    EXPECT_EQ(followed.output.find(line, first + 1), std::string::npos) << line;
  }
  auto job = show(id);
  EXPECT_EQ(job["state"], "COMPLETED");
  const std::string path = job["log_paths"]["stdout"];
  auto whole = on_cluster("cat " + path);
  ASSERT_EQ(whole.status, 0) << whole.output;
  EXPECT_EQ(followed.output, whole.output);
}

TEST_P(JobsOnSandboxCli, LogsFollowEndsCleanlyOnCtrlC) {
  const auto id = submit("-- sleep");
  ASSERT_GT(id, 0);
  wait_for(id, "RUNNING");
  const auto out = m_dir / "follow.out";
  const auto err = m_dir / "follow.err";
  const auto started = std::chrono::steady_clock::now();
  auto interrupted =
      run_shell("(" + std::string(SORTIE_BINARY) + " --config " +
                shell_quote(testing::sandbox().clusters_yaml) + " --db " +
                shell_quote((m_dir / "sortie.db").string()) + " logs " + std::to_string(id) +
                " --follow > " + shell_quote(out.string()) + " 2> " + shell_quote(err.string()) +
                " & pid=$!; sleep 4; kill -INT $pid; wait $pid; echo status=$?)");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15));
  EXPECT_THAT(interrupted.output, HasSubstr("status=130"));
  EXPECT_THAT(git::fixtures::read_file(out), HasSubstr("VERSION committed"));
  EXPECT_EQ(git::fixtures::read_file(err), "");
}

TEST_P(JobsOnSandboxCli, RenderUsesTheProjectsTemplateAndTheAccountFlags) {
  auto rendered = sortie_stdout(
      "render tiny --cluster sandbox --account physics --qos normal --constraint 'a100&ib'");
  ASSERT_EQ(rendered.status, 0) << sortie("render tiny --cluster sandbox").output;
  EXPECT_THAT(rendered.output, HasSubstr("#SBATCH --account=physics\n"));
  EXPECT_THAT(rendered.output, HasSubstr("#SBATCH --qos=normal\n"));
  EXPECT_THAT(rendered.output, HasSubstr("#SBATCH --constraint=a100&ib\n"));

  const auto file = m_dir / "lab.sbatch.mustache";
  git::fixtures::write_file(file,
                            "#!/bin/bash\n#SBATCH --job-name={{{job_name}}}\n"
                            "echo lab template for {{project}}\n");
  auto set = sortie("projects set tiny --template " + shell_quote(file.string()));
  ASSERT_EQ(set.status, 0) << set.output;
  rendered = sortie_stdout("render tiny --cluster sandbox");
  ASSERT_EQ(rendered.status, 0);
  EXPECT_THAT(rendered.output, HasSubstr("echo lab template for tiny\n"));

  git::fixtures::write_file(file, "#!/bin/bash\necho {{projcet}}\n");
  auto typo = sortie("render tiny --cluster sandbox");
  EXPECT_NE(typo.status, 0);
  EXPECT_THAT(typo.output, HasSubstr(file.string() + ":2"));
  std::filesystem::remove(file);
  auto missing = sortie("render tiny --cluster sandbox");
  EXPECT_NE(missing.status, 0);
  EXPECT_THAT(missing.output, HasSubstr(file.string()));
  EXPECT_THAT(missing.output, HasSubstr("project 'tiny'"));
}

SORTIE_ON_EACH_SANDBOX(JobsOnSandboxCli);

}  // namespace
}  // namespace sortie

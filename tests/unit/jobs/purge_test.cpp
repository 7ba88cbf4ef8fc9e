// Which files `sortie rm --purge` removes: the job's, under <workspace>/jobs/<key>*, nothing else.

#include "sortie/jobs/purge.hpp"

#include <gtest/gtest.h>

namespace sortie::jobs {
namespace {

using Argv = std::vector<std::string>;

store::Job finished_job() {
  store::Job job;
  job.id = store::JobId{5};
  job.spec.submission_key = store::SubmissionKey{"sortie-0123456789abcdef"};
  job.rendered.workspace = "/home/r/sortie/jobs/sortie-0123456789abcdef";
  job.rendered.stdout_path = "/home/r/sortie/jobs/sortie-0123456789abcdef.%j.out";
  job.rendered.stderr_path = "/home/r/sortie/jobs/sortie-0123456789abcdef.%j.err";
  job.slurm_job_id = store::SlurmJobId{4242};
  job.status = {store::Phase::submitted, slurm::JobState::completed};
  return job;
}

TEST(Purge, RemovesTheJobDirItsScriptAndItsLogsInOneCommand) {
  auto commands = purge_commands(finished_job());
  ASSERT_TRUE(commands) << commands.error().message;
  ASSERT_EQ(commands->size(), 1u);
  const std::string dir = "/home/r/sortie/jobs/sortie-0123456789abcdef";
  EXPECT_EQ(commands->front().argv,
            (Argv{"rm", "-rf", "--", dir, dir + ".sbatch", dir + ".4242.out", dir + ".4242.err"}));
}

TEST(Purge, MatchesEveryTaskLogOfAnArrayWithFindNotAShell) {
  auto job = finished_job();
  job.rendered.stdout_path = job.rendered.workspace + ".%A_%a.out";
  job.rendered.stderr_path = job.rendered.workspace + ".%A_%a.err";
  auto commands = purge_commands(job);
  ASSERT_TRUE(commands) << commands.error().message;
  ASSERT_EQ(commands->size(), 2u);
  const std::string dir = job.rendered.workspace;
  EXPECT_EQ((*commands)[0].argv, (Argv{"rm", "-rf", "--", dir, dir + ".sbatch"}));
  EXPECT_EQ((*commands)[1].argv,
            (Argv{"find", "/home/r/sortie/jobs", "-maxdepth", "1", "-type", "f", "(", "-name",
                  "sortie-0123456789abcdef.4242_*.out", "-o", "-name",
                  "sortie-0123456789abcdef.4242_*.err", ")", "-delete"}));
}

TEST(Purge, LeavesLogsAloneWithoutASlurmJobAndDoesNothingForAnUnrenderedJob) {
  auto job = finished_job();
  job.slurm_job_id.reset();
  auto commands = purge_commands(job);
  ASSERT_TRUE(commands);
  EXPECT_EQ(commands->front().argv,
            (Argv{"rm", "-rf", "--", job.rendered.workspace, job.rendered.workspace + ".sbatch"}));
  job.rendered = {};
  EXPECT_TRUE(purge_commands(job)->empty());
}

TEST(Purge, RefusesAnyPathOutsideTheJobsFolderOrNotNamedAfterTheKey) {
  for (const std::string dir :
       {"/home/r/sortie", "/home/r/sortie/jobs/../sortie-0123456789abcdef",
        "/home/r/sortie/jobs/other", "relative/jobs/sortie-0123456789abcdef",
        "/home/r/sortie/elsewhere/sortie-0123456789abcdef", "/jobs/sortie-0123456789abcdef",
        "/home/r/sortie//jobs/sortie-0123456789abcdef"}) {
    auto job = finished_job();
    job.rendered.workspace = dir;
    auto commands = purge_commands(job);
    ASSERT_FALSE(commands) << dir;
    EXPECT_EQ(commands.error().code, core::ErrorCode::invalid_argument);
  }
  auto job = finished_job();
  job.rendered.stdout_path = "/home/r/.ssh/authorized_keys";
  EXPECT_FALSE(purge_commands(job));
  job = finished_job();
  job.spec.submission_key = store::SubmissionKey{"*"};
  job.rendered.workspace = "/home/r/sortie/jobs/*";
  EXPECT_FALSE(purge_commands(job));
}

TEST(Purge, CallsJobsActiveUntilSlurmReportsAFinalStateOrSubmissionFailed) {
  auto job = finished_job();
  EXPECT_FALSE(is_active(job));
  job.status = {store::Phase::submitted, slurm::JobState::running};
  EXPECT_TRUE(is_active(job));
  job.status = {store::Phase::submitted, slurm::JobState::pending};
  EXPECT_TRUE(is_active(job));
  job.status = {store::Phase::submitting, std::nullopt};
  EXPECT_TRUE(is_active(job));
  job.status = {store::Phase::submit_failed, std::nullopt};
  EXPECT_FALSE(is_active(job));
}

}  // namespace
}  // namespace sortie::jobs

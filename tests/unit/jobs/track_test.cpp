// The tracker when SLURM's answer holds rows it cannot read: every other job is still updated,
// the job of a bad row keeps its state and says why, and nothing is concluded from a bad row.
// Against a FakeRemote answering as SLURM 24.11.5 does, over a real SQLite store in a temp dir.

#include "sortie/jobs/track.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "../store/temp_dir.hpp"
#include "fake_remote.hpp"

namespace sortie::jobs {
namespace {

using testing::FakeRemote;

// One squeue line as SLURM 24.11 prints it for kSqueueJobFields (exit_code is exit:signal, an
// unset stderr is "(null)"; see tests/data/slurm/24.11/jobs-squeue.mixed.txt).
std::string squeue_2411(const std::string& id, const std::string& state,
                        const std::string& exit_code) {
  return id + "|~|" + id + "|~|N/A|~|" + state +
         "|~|None|~|researcher|~|debug|~|1796206189|~|1796206190|~|1796206190|~|0:00|~|5:00|~|" +
         exit_code + "|~|l40-1|~|/home/researcher|~|/dev/null|~|(null)|~|(null)|~|capture|~|\n";
}

// One sacct line as SLURM 24.11 prints it for kSacctJobFields.
std::string sacct_2411(const std::string& id, const std::string& state,
                       const std::string& exit_code) {
  return id + "|~|" + id + "|~|" + state + "|~|" + exit_code +
         "|~|None|~|researcher|~|debug|~|1796206189|~|1796206190|~|1796206190|~|0|~|5|~|l40-1|~|"
         "/home/researcher|~||~|capture\n";
}

class UnreadableAnswer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = store::Database::open(m_dir.path() / "sortie.db");
    ASSERT_TRUE(database) << database.error().message;
    m_database = std::make_unique<store::Database>(std::move(*database));
    m_store = std::make_unique<store::Store>(*m_database, [this] { return m_now; });
    auto project = m_store->create_project({"tiny", "/srv/tiny", {}});
    ASSERT_TRUE(project) << project.error().message;
    m_project = project->id;
    m_cluster.name = "sandbox";
    m_cluster.host = "researcher@127.0.0.1";
    m_remote.answers["sinfo"] = {0, "slurm-wlm 24.11.5\n", ""};
  }

  Tracker tracker() {
    TrackOptions options;
    options.clock = [this] { return m_now; };
    return Tracker(*m_store, options);
  }

  // A job recorded as submitted with `slurm_id`, or still submitting without one.
  store::JobId add(const std::string& key, std::optional<std::int64_t> slurm_id) {
    store::NewJob job;
    job.project = m_project;
    job.cluster = store::ClusterName{"sandbox"};
    job.submission_key = store::SubmissionKey{key};
    job.name = key;
    auto created = m_store->create_job(job);
    EXPECT_TRUE(created) << created.error().message;
    if (slurm_id) {
      EXPECT_EQ(m_store->mark_submitted(created->id, store::SlurmJobId{*slurm_id}), true);
    }
    return created->id;
  }

  store::Job job(store::JobId id) {
    auto found = m_store->job(id);
    EXPECT_TRUE(found) << found.error().message;
    return found.value_or(store::Job{});
  }

  store::Timestamp m_now = std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::time_point(std::chrono::seconds(1'796'206'200)));
  store::testing::TempDir m_dir;
  std::unique_ptr<store::Database> m_database;
  std::unique_ptr<store::Store> m_store;
  store::ProjectId m_project;
  config::Cluster m_cluster;
  FakeRemote m_remote;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(UnreadableAnswer, ABadRowMarksOnlyItsJobAndEveryOtherJobIsUpdated) {
  const auto running = add("sortie-running", 101);
  const auto unreadable = add("sortie-unreadable", 102);
  const auto completed = add("sortie-completed", 103);
  // 102's exit_code is no form any SLURM prints; the last row's job id cannot be read at all.
  m_remote.answers["squeue"] = {
      0,
      squeue_2411("101", "RUNNING", "0:0") + squeue_2411("102", "FAILED", "3/0") +
          squeue_2411("103", "COMPLETED", "0:0") + squeue_2411("1o4", "RUNNING", "0:0"),
      ""};
  auto track = tracker();
  auto report = track.tick(m_cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;

  EXPECT_EQ(job(running).status.state, slurm::JobState::running);
  EXPECT_EQ(job(completed).status.state, slurm::JobState::completed);
  EXPECT_EQ(job(completed).exit_code, 0);
  const auto marked = job(unreadable);
  EXPECT_EQ(marked.status.state, slurm::JobState::pending) << "left as it was";
  EXPECT_EQ(marked.reason,
            "could not read SLURM's answer for this job: squeue, field exit_code, value '3/0', "
            "SLURM 24.11.5 (line 2: neither a wait status (768) nor exit:signal (3:0))");
  auto events = m_store->events(unreadable);
  ASSERT_TRUE(events) << events.error().message;
  EXPECT_TRUE(contains(events->back().detail, "could not read SLURM's answer for this job"));

  ASSERT_EQ(report->unreadable.size(), 2u);
  EXPECT_TRUE(contains(report->unreadable[0],
                       "SLURM job 102 (sortie job " + std::to_string(unreadable.value) +
                           "): squeue, field exit_code, value '3/0', SLURM 24.11.5"))
      << report->unreadable[0];
  EXPECT_TRUE(contains(report->unreadable[1], "its job id is unreadable")) << report->unreadable[1];
  EXPECT_TRUE(contains(report->unreadable[1], "field JobArrayID, value '1o4'"));
  EXPECT_TRUE(report->unknown.empty()) << "SLURM does know 102: its row is unreadable";
  EXPECT_EQ(report->state_changes, 2);

  // The same answer again writes nothing new; sacct is asked for 102, which squeue could not
  // tell, and its readable row is recorded.
  m_remote.answers["sacct"] = {0, sacct_2411("102", "FAILED", "3:0"), ""};
  report = track.tick(m_cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  bool asked_sacct_for_102 = false;
  for (const auto& command : m_remote.batches.back().commands) {
    for (const auto& argument : command.argv) asked_sacct_for_102 |= argument == "--jobs=102";
  }
  EXPECT_TRUE(asked_sacct_for_102);
  EXPECT_EQ(job(unreadable).status.state, slurm::JobState::failed);
  EXPECT_EQ(job(unreadable).exit_code, 3);
  EXPECT_EQ(report->unreadable.size(), 2u) << "the squeue row is still unreadable";

  // Once squeue's rows can be read, nothing is reported.
  m_remote.answers["squeue"] = {0, squeue_2411("101", "RUNNING", "0:0"), ""};
  report = track.tick(m_cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->unreadable.empty());
}

TEST_F(UnreadableAnswer, AsksTheVersionOnceAndSaysWhenItIsUnknown) {
  add("sortie-unreadable", 102);
  m_remote.answers.erase("sinfo");  // sinfo is not found: 127
  m_remote.answers["squeue"] = {0, squeue_2411("102", "RUNNING", "soon"), ""};
  auto track = tracker();
  auto report = track.tick(m_cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->unreadable.size(), 1u);
  EXPECT_TRUE(contains(report->unreadable[0], "SLURM version unknown"));
  EXPECT_EQ(report->slurm_calls, 2) << "squeue and sacct; sinfo is not a controller call";
  EXPECT_EQ(m_remote.batches.back().commands.back().argv,
            (std::vector<std::string>{"sinfo", "--version"}));
  ASSERT_TRUE(track.tick(m_cluster, m_remote));
  for (const auto& command : m_remote.batches.back().commands) {
    EXPECT_NE(command.argv.front(), "sinfo") << "asked once per cluster";
  }
}

TEST_F(UnreadableAnswer, AnUnreadableLookupRowNeverDeclaresASubmissionFailed) {
  const auto unsettled = add("sortie-lost-answer", std::nullopt);
  m_now += std::chrono::minutes(10);  // far past the grace period
  m_remote.answers["squeue"] = {0, squeue_2411("1o5", "PENDING", "0:0"), ""};
  auto track = tracker();
  auto report = track.tick(m_cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(job(unsettled).status.phase, store::Phase::submitting);
  ASSERT_EQ(report->unreadable.size(), 1u);
  EXPECT_TRUE(contains(report->unreadable[0], "lookup of unsettled submissions"));

  // A readable answer that has no such job settles it as before.
  m_remote.answers["squeue"] = {0, "", ""};
  report = track.tick(m_cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->failed, 1);
  EXPECT_EQ(job(unsettled).status.phase, store::Phase::submit_failed);
}

TEST_F(UnreadableAnswer, AnUnreadableTaskRowStopsTheGuessThatAVanishedTaskWasCancelled) {
  // SLURM 22.05 keeps no record of a task cancelled before it started; the tracker concludes
  // so from its absence only when every row of the array could be read.
  store::NewJob task;
  task.project = m_project;
  task.cluster = store::ClusterName{"sandbox"};
  std::vector<store::JobId> tasks;
  for (int index = 0; index < 2; ++index) {
    task.submission_key = store::SubmissionKey{"sortie-task-" + std::to_string(index)};
    task.name = "task";
    task.array_task_index = index;
    auto created = m_store->create_job(task);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_EQ(m_store->mark_submitted(created->id, store::SlurmJobId{200}), true);
    tasks.push_back(created->id);
  }
  m_remote.answers["sacct"] = {
      0, sacct_2411("200_0", "COMPLETED", "0:0") + sacct_2411("200_1", "COMPLETED", "x"), ""};
  auto track = tracker();
  auto report = track.tick(m_cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(job(tasks[0]).status.state, slurm::JobState::completed);
  EXPECT_EQ(job(tasks[1]).status.state, slurm::JobState::pending) << "not guessed cancelled";
  EXPECT_TRUE(contains(job(tasks[1]).reason, "sacct, field ExitCode, value 'x'"));
}

}  // namespace
}  // namespace sortie::jobs

// The submission protocol and the tracker against a FakeRemote that records every batch, over a
// real SQLite store in a temp dir.

#include "sortie/jobs/submit.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "../store/temp_dir.hpp"
#include "fake_remote.hpp"
#include "sortie/jobs/logs.hpp"
#include "sortie/jobs/rerun.hpp"
#include "sortie/jobs/track.hpp"

namespace sortie::jobs {
namespace {

using testing::FakeRemote;
using testing::sacct_line;
using testing::squeue_line;

const std::string kCommit(40, 'a');

class Submission : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = store::Database::open(m_dir.path() / "sortie.db");
    ASSERT_TRUE(database) << database.error().message;
    m_database = std::make_unique<store::Database>(std::move(*database));
    m_store = std::make_unique<store::Store>(*m_database, [this] { return m_now; });
    auto project = m_store->create_project({"tiny", "/srv/tiny", {}});
    ASSERT_TRUE(project) << project.error().message;
    m_request.project = *project;
    m_request.cluster.name = "sandbox";
    m_request.cluster.host = "researcher@127.0.0.1";
    m_request.cluster.workspace = "~/sortie";
    m_request.arguments = {"--lr", "0.1"};
    m_request.code.record.mode = store::DeliveryMode::git;
    m_request.code.record.commit = kCommit;
    m_request.code.repository_url = "https://example.com/tiny.git";
  }

  Tracker tracker() {
    TrackOptions options;
    options.clock = [this] { return m_now; };
    return Tracker(*m_store, options);
  }

  SubmitOutcome submit_ok() {
    auto outcome = submit(*m_store, m_remote, m_request);
    EXPECT_TRUE(outcome) << outcome.error().message;
    return *outcome;
  }

  store::Timestamp m_now = std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)));
  store::testing::TempDir m_dir;
  std::unique_ptr<store::Database> m_database;
  std::unique_ptr<store::Store> m_store;
  FakeRemote m_remote;
  SubmitRequest m_request;
};

TEST_F(Submission, ValidatesInOneExchangeThenSubmitsInOneStopBatchExchange) {
  auto outcome = submit_ok();

  ASSERT_EQ(m_remote.batches.size(), 2u);
  EXPECT_EQ(m_remote.batches[0].commands.size(), 3u);
  const auto& batch = m_remote.batches[1];
  EXPECT_EQ(batch.on_failure, remote::OnFailure::stop_batch);
  const std::string key = outcome.job.spec.submission_key.value;
  const std::string script = "/home/researcher/sortie/jobs/" + key + ".sbatch";
  ASSERT_EQ(batch.commands.size(), 3u);
  EXPECT_EQ(batch.commands[0].action, remote::Action::ensure_directory);
  EXPECT_EQ(batch.commands[0].argv, (std::vector<std::string>{"/home/researcher/sortie/jobs"}));
  EXPECT_EQ(batch.commands[1].action, remote::Action::write_text_file);
  EXPECT_EQ(batch.commands[1].argv, (std::vector<std::string>{script}));
  EXPECT_EQ(batch.commands[1].input, outcome.job.rendered.script);
  EXPECT_EQ(batch.commands[2].argv, (std::vector<std::string>{"sbatch", "--parsable", script}));

  EXPECT_EQ(outcome.job.status.phase, store::Phase::submitted);
  ASSERT_TRUE(outcome.job.slurm_job_id);
  EXPECT_EQ(outcome.job.slurm_job_id->value, 4242);
  EXPECT_FALSE(outcome.error);
}

TEST_F(Submission, NamesTheSlurmJobAfterItsSubmissionKey) {
  auto outcome = submit_ok();
  const std::string key = outcome.job.spec.submission_key.value;
  EXPECT_TRUE(key.starts_with("sortie-"));
  EXPECT_EQ(key.size(), std::string("sortie-").size() + 16);
  EXPECT_NE(outcome.job.rendered.script.find("#SBATCH --job-name=" + key + "\n"),
            std::string::npos);
  EXPECT_NE(outcome.job.rendered.script.find("python train.py --lr 0.1 "), std::string::npos)
      << outcome.job.rendered.script;
}

TEST_F(Submission, WarmProcessWithFreshClusterFactsSubmitsInOneExchange) {
  ClusterFactsCache cache;
  SubmitOptions options;
  options.facts_cache = &cache;
  ASSERT_TRUE(submit(*m_store, m_remote, m_request, options));
  ASSERT_EQ(m_remote.batches.size(), 2u);

  m_remote.answers["sbatch"] = {0, "4243\n", ""};
  auto second = submit(*m_store, m_remote, m_request, options);
  ASSERT_TRUE(second);
  ASSERT_EQ(m_remote.batches.size(), 3u);
  EXPECT_EQ(m_remote.batches[2].commands.back().argv.front(), "sbatch");
  EXPECT_EQ(second->job.slurm_job_id->value, 4243);
}

TEST_F(Submission, RecordsNothingWhenTheResourcesDoNotFit) {
  m_request.resources.partition = "nonexistent";
  auto outcome = submit(*m_store, m_remote, m_request);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, core::ErrorCode::invalid_argument);
  EXPECT_EQ(m_remote.batches.size(), 1u);
  EXPECT_EQ(*m_store->count_jobs({}), 0);
}

TEST_F(Submission, RejectedSbatchRecordsSubmitFailedWithSlurmsMessage) {
  m_remote.answers["sbatch"] = {
      1, "", "sbatch: error: Batch job submission failed: Invalid partition name specified\n"};
  auto outcome = submit_ok();
  EXPECT_EQ(outcome.job.status.phase, store::Phase::submit_failed);
  EXPECT_NE(outcome.job.reason.find("Invalid partition name specified"), std::string::npos)
      << outcome.job.reason;
  ASSERT_TRUE(outcome.error);
}

TEST_F(Submission, FailedPreparationRecordsSubmitFailedWithoutRunningSbatch) {
  m_remote.answers["ensure_directory"] = {
      1, "", "mkdir: cannot create directory '/home/researcher/sortie/jobs': Permission denied\n"};
  auto outcome = submit_ok();
  EXPECT_EQ(outcome.job.status.phase, store::Phase::submit_failed);
  EXPECT_NE(outcome.job.reason.find("could not make the directory /home/researcher/sortie/jobs"),
            std::string::npos)
      << outcome.job.reason;
  EXPECT_NE(outcome.job.reason.find("Permission denied"), std::string::npos);
}

TEST_F(Submission, SocketTimeoutLeavesTheJobSubmittingUntilReconcileFindsItByKey) {
  m_remote.answers["sbatch"] = {
      1, "",
      "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"};
  auto outcome = submit_ok();
  ASSERT_EQ(outcome.job.status.phase, store::Phase::submitting);
  ASSERT_TRUE(outcome.error);

  const std::string key = outcome.job.spec.submission_key.value;
  m_remote.answers["squeue"] = {0, squeue_line("77", "PENDING", key), ""};
  auto track = tracker();
  auto report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->reconciled, 1);
  auto job = m_store->job(outcome.job.id);
  EXPECT_EQ(job->status.phase, store::Phase::submitted);
  EXPECT_EQ(job->slurm_job_id->value, 77);

  // A second look changes nothing and never submits again.
  auto again = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->reconciled, 0);
  int sbatch_runs = 0;
  for (const auto& batch : m_remote.batches) {
    for (const auto& command : batch.commands) sbatch_runs += command.argv.front() == "sbatch";
  }
  EXPECT_EQ(sbatch_runs, 1);
  EXPECT_EQ(*m_store->count_jobs({}), 1);
}

TEST_F(Submission, ManyUnsettledSubmissionsAreSettledWithTwoSlurmCallsInAll) {
  m_remote.answers["sbatch"] = {
      1, "",
      "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"};
  std::string queue;
  for (int i = 0; i < 20; ++i) {
    auto outcome = submit_ok();
    ASSERT_EQ(outcome.job.status.phase, store::Phase::submitting);
    queue += squeue_line(std::to_string(500 + i), "PENDING", outcome.job.spec.submission_key.value);
  }
  m_remote.answers["squeue"] = {0, queue, ""};
  auto track = tracker();
  auto report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->reconciled, 20);
  EXPECT_EQ(report->slurm_calls, 2);
  // A first tick also asks the SLURM version, which is no call to the controller.
  ASSERT_EQ(m_remote.batches.back().commands.size(), 3u);
  EXPECT_EQ(m_remote.batches.back().commands.back().argv,
            (std::vector<std::string>{"sinfo", "--version"}));
}

TEST_F(Submission, ATickWithABudgetOfOneCallAsksSqueueAndLeavesTheRestForLater) {
  auto settled = submit_ok();
  m_remote.answers["sbatch"] = {
      1, "",
      "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"};
  auto unsettled = submit_ok();
  ASSERT_EQ(unsettled.job.status.phase, store::Phase::submitting);
  m_remote.answers["squeue"] = {
      0, squeue_line("4242", "RUNNING", settled.job.spec.submission_key.value), ""};

  auto track = tracker();
  auto report = track.tick(m_request.cluster, m_remote, 1);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->slurm_calls, 1);
  ASSERT_EQ(m_remote.batches.back().commands.size(), 2u);  // and sinfo --version
  EXPECT_EQ(report->state_changes, 1);
  EXPECT_EQ(m_store->job(unsettled.job.id)->status.phase, store::Phase::submitting);

  m_remote.answers["squeue"] = {
      0,
      squeue_line("4242", "RUNNING", settled.job.spec.submission_key.value) +
          squeue_line("4243", "PENDING", unsettled.job.spec.submission_key.value),
      ""};
  auto next = track.tick(m_request.cluster, m_remote, 5);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->reconciled, 1);
  EXPECT_EQ(m_store->job(unsettled.job.id)->slurm_job_id->value, 4243);
}

TEST_F(Submission, LostConnectionDuringSbatchLeavesTheJobSubmitting) {
  m_remote.failures["sbatch"] = core::Error{core::ErrorCode::connection_lost, "link dropped"};
  auto outcome = submit_ok();
  EXPECT_EQ(outcome.job.status.phase, store::Phase::submitting);
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->code, core::ErrorCode::connection_lost);
}

TEST_F(Submission, ReconcileMarksSubmitFailedOnlyAfterTheGracePeriod) {
  m_remote.failures["sbatch"] = core::Error{core::ErrorCode::timeout, "sbatch took too long"};
  auto outcome = submit_ok();
  m_remote.failures.clear();
  auto track = tracker();

  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  EXPECT_EQ(m_store->job(outcome.job.id)->status.phase, store::Phase::submitting);

  m_now += std::chrono::minutes(3);
  auto report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->failed, 1);
  auto job = m_store->job(outcome.job.id);
  EXPECT_EQ(job->status.phase, store::Phase::submit_failed);
  EXPECT_NE(job->reason.find("SLURM has no job named " + outcome.job.spec.submission_key.value),
            std::string::npos);
}

TEST_F(Submission, TickMakesOneExchangePerClusterWhateverTheNumberOfJobs) {
  std::string queue;
  for (int i = 0; i < 5; ++i) {
    m_remote.answers["sbatch"] = {0, std::to_string(100 + i) + "\n", ""};
    submit_ok();
    queue += squeue_line(std::to_string(100 + i), "RUNNING", "x");
  }
  m_remote.answers["squeue"] = {0, queue, ""};
  const auto before = m_remote.batches.size();
  auto track = tracker();
  auto report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(m_remote.batches.size(), before + 1);
  EXPECT_EQ(report->state_changes, 5);
  store::JobFilter filter;
  filter.state = slurm::JobState::running;
  auto running = m_store->count_jobs(filter);
  EXPECT_EQ(*running, 5);

  // squeue listed them all, so the next tick asks squeue only.
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  EXPECT_EQ(m_remote.batches.size(), before + 2);
  EXPECT_EQ(m_remote.batches.back().commands.size(), 1u);
  EXPECT_EQ(m_remote.batches.back().commands.front().argv.at(2), "squeue");
}

// The --jobs= argument of the last squeue the tracker sent.
std::string squeued_ids(const FakeRemote& remote) {
  for (const auto& command : remote.batches.back().commands) {
    for (const auto& argument : command.argv) {
      if (argument.starts_with("--jobs=")) return argument.substr(7);
    }
  }
  return "";
}

TEST_F(Submission, TrackerKeepsItsJobsBetweenTicksYetSeesEveryChangeToThem) {
  const auto add = [&](store::Store& into, const std::string& key, std::int64_t slurm_id) {
    store::NewJob job;
    job.project = m_request.project.id;
    job.cluster = store::ClusterName{"sandbox"};
    job.submission_key = store::SubmissionKey{key};
    job.name = "x";
    auto created = into.create_job(job);
    EXPECT_TRUE(created) << created.error().message;
    EXPECT_EQ(into.mark_submitted(created->id, store::SlurmJobId{slurm_id}), true);
    return created->id;
  };
  const auto first = add(*m_store, "sortie-first", 100);
  m_remote.answers["squeue"] = {0, squeue_line("100", "RUNNING", "x"), ""};
  auto track = tracker();
  auto report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->state_changes, 1);
  report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->state_changes, 0);
  EXPECT_EQ(squeued_ids(m_remote), "100");

  // Another process (another connection) submits a job: the next tick tracks it.
  auto database = store::Database::open(m_dir.path() / "sortie.db");
  ASSERT_TRUE(database) << database.error().message;
  store::Store other(*database, [this] { return m_now; });
  const auto second = add(other, "sortie-second", 101);
  m_remote.answers["squeue"] = {
      0, squeue_line("100", "RUNNING", "x") + squeue_line("101", "RUNNING", "x"), ""};
  report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(squeued_ids(m_remote), "100,101");
  EXPECT_EQ(report->state_changes, 1);
  EXPECT_EQ(m_store->job(second)->status.state, slurm::JobState::running);

  // A state recorded through the tracker's own connection, outside the tracker: the job ended.
  store::StateUpdate cancelled;
  cancelled.state = slurm::JobState::cancelled;
  ASSERT_EQ(m_store->record_state(second, cancelled), true);
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  EXPECT_EQ(squeued_ids(m_remote), "100");

  // Another process deletes the first job and submits a third.
  ASSERT_EQ(other.delete_job(first), true);
  add(other, "sortie-third", 102);
  m_remote.answers["squeue"] = {0, squeue_line("102", "PENDING", "x"), ""};
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  EXPECT_EQ(squeued_ids(m_remote), "102");

  // A failed exchange, then the job runs: the next tick records it once.
  m_remote.failures.emplace("env", core::Error{core::ErrorCode::io_error, "connection lost"});
  EXPECT_FALSE(track.tick(m_request.cluster, m_remote));
  m_remote.failures.clear();
  m_remote.answers["squeue"] = {0, squeue_line("102", "RUNNING", "x"), ""};
  report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->state_changes, 1);
  report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->state_changes, 0);
}

TEST_F(Submission, TickRecordsTheFinalStateSacctReportsForAJobSqueueNoLongerLists) {
  auto outcome = submit_ok();
  m_remote.answers["sacct"] = {0, sacct_line("4242", "FAILED", "3:0", "x"), ""};
  auto track = tracker();
  auto report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  auto job = m_store->job(outcome.job.id);
  ASSERT_TRUE(job->status.state);
  EXPECT_EQ(*job->status.state, slurm::JobState::failed);
  EXPECT_EQ(job->exit_code, 3);
}

TEST_F(Submission, TickAsksScontrolInTheSameExchangeOnceSacctSaysAccountingIsOff) {
  m_remote.answers["sbatch"] = {0, "59\n", ""};
  auto outcome = submit_ok();
  m_remote.answers["sacct"] = {1, "", "Slurm accounting storage is disabled\n"};
  auto track = tracker();
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  EXPECT_EQ(m_store->job(outcome.job.id)->status.state, slurm::JobState::pending);

  std::string records = testing::read_data("jobs-scontrol.finished.txt");
  m_remote.scontrol_job = {0, records.substr(records.find("JobId=59")), ""};
  const auto before = m_remote.batches.size();
  auto report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(m_remote.batches.size(), before + 1);
  auto job = m_store->job(outcome.job.id);
  ASSERT_TRUE(job->status.state);
  EXPECT_EQ(*job->status.state, slurm::JobState::failed);
  EXPECT_EQ(job->exit_code, 3);
}

TEST_F(Submission, SnapshotIsUploadedUnderAPartialNameAndMovedIntoPlaceBeforeSbatch) {
  m_request.code.record.mode = store::DeliveryMode::snapshot;
  m_request.code.record.snapshot_hash = std::string(64, 'b');
  m_request.code.archive = [] { return core::Result<std::string>("tar bytes"); };
  m_remote.where += "absent\n";
  auto outcome = submit_ok();
  const std::string tar = "/home/researcher/sortie/snapshots/" + std::string(64, 'b') + ".tar";
  ASSERT_EQ(m_remote.written_paths.size(), 1u);
  EXPECT_TRUE(m_remote.written_paths[0].starts_with(tar + ".partial-"));
  const auto& batch = m_remote.batches[1];
  ASSERT_EQ(batch.commands.size(), 4u);
  EXPECT_EQ(batch.commands[1].argv,
            (std::vector<std::string>{"mv", "-f", m_remote.written_paths[0], tar}));
  EXPECT_EQ(outcome.job.status.phase, store::Phase::submitted);
}

TEST_F(Submission, SnapshotAlreadyOnTheClusterIsNotUploadedAgain) {
  m_request.code.record.mode = store::DeliveryMode::snapshot;
  m_request.code.record.snapshot_hash = std::string(64, 'b');
  bool archived = false;
  m_request.code.archive = [&archived] {
    archived = true;
    return core::Result<std::string>("tar bytes");
  };
  m_remote.where += "present\n";
  submit_ok();
  EXPECT_FALSE(archived);
  EXPECT_TRUE(m_remote.written_paths.empty());
  EXPECT_EQ(m_remote.batches[1].commands.size(), 3u);
}

// Where SLURM job 4242 of submission `key` writes its `stream` ("out" or "err") log.
std::string job_log(const std::string& key, std::string_view stream) {
  return "/home/researcher/sortie/jobs/" + key + ".4242." + std::string(stream);
}

TEST_F(Submission, RestartedTrackerResumesTheWandbScanAtTheStartOfTheUnfinishedLine) {
  auto outcome = submit_ok();
  const std::string key = outcome.job.spec.submission_key.value;
  const std::string log = job_log(key, "out");
  const std::string before = "epoch 1\nepoch 2\n";
  const std::string line = "wandb: View run tiny at: https://wandb.ai/team/proj/runs/abc123\n";
  // The first read ends in the middle of the URL.
  m_remote.files[log] = before + line.substr(0, 40);
  m_remote.answers["squeue"] = {0, squeue_line("4242", "RUNNING", key), ""};
  {
    auto first = tracker();
    ASSERT_TRUE(first.tick(m_request.cluster, m_remote));
  }
  EXPECT_TRUE(m_store->job(outcome.job.id)->wandb_urls.empty());
  EXPECT_EQ(m_store->wandb_scan_offset(outcome.job.id), before.size());

  // A new process: it reads from that line's start, not from byte 0, and finds the whole URL.
  m_remote.files[log] = before + line + "epoch 3\n";
  m_remote.reads.clear();
  auto second = tracker();
  ASSERT_TRUE(second.tick(m_request.cluster, m_remote));
  ASSERT_FALSE(m_remote.reads.empty());
  EXPECT_EQ(m_remote.reads.front(), (std::pair<std::string, std::uint64_t>{log, before.size()}));
  EXPECT_EQ(m_store->job(outcome.job.id)->wandb_urls,
            std::vector<std::string>{"https://wandb.ai/team/proj/runs/abc123"});
  EXPECT_EQ(m_store->wandb_scan_offset(outcome.job.id), m_remote.files[log].size());
}

// What wandb 0.17 prints on a job's stderr, between a training script's own progress bar.
constexpr std::string_view kWandbStderr =
    "wandb: Currently logged in as: ada (team). Use `wandb login --relogin` to force relogin\n"
    "wandb: Tracking run with wandb version 0.17.0\n"
    "wandb: Run data is saved locally in /scratch/ada/wandb/run-20261202_101500-abc123\n"
    "wandb: Syncing run tiny\n"
    "wandb: \xe2\xad\x90\xef\xb8\x8f View project at https://wandb.ai/team/proj\n"
    "wandb: \xf0\x9f\x9a\x80 View run at https://wandb.ai/team/proj/runs/abc123\n"
    "  3%|\xe2\x96\x8e         | 3/100 [00:01<00:40]\r  4%|\xe2\x96\x8d         | 4/100";

TEST_F(Submission, WandbRunLinkPrintedOnStderrIsFoundAndEachLogKeepsItsOwnOffset) {
  auto outcome = submit_ok();
  const std::string key = outcome.job.spec.submission_key.value;
  const std::string out = job_log(key, "out");
  const std::string err = job_log(key, "err");
  m_remote.files[out] = "epoch 1\nepoch 2\n";
  m_remote.files[err] = std::string(kWandbStderr);
  m_remote.answers["squeue"] = {0, squeue_line("4242", "RUNNING", key), ""};
  auto first = tracker();
  ASSERT_TRUE(first.tick(m_request.cluster, m_remote));
  EXPECT_EQ(m_store->job(outcome.job.id)->wandb_urls,
            std::vector<std::string>{"https://wandb.ai/team/proj/runs/abc123"});
  EXPECT_EQ(m_store->wandb_scan_offset(outcome.job.id, store::LogStream::out),
            m_remote.files[out].size());
  // The progress bar rewrites its line with '\r'; the last one has no end yet, and a later scan
  // starts at it.
  const auto progress = kWandbStderr.rfind('\r') + 1;
  EXPECT_EQ(m_store->wandb_scan_offset(outcome.job.id, store::LogStream::err), progress);

  // The next tick reads each log from where it stopped, not from byte 0.
  m_remote.reads.clear();
  ASSERT_TRUE(first.tick(m_request.cluster, m_remote));
  EXPECT_THAT(m_remote.reads, ::testing::Contains(std::pair<std::string, std::uint64_t>{
                                  out, m_remote.files[out].size()}));
  EXPECT_THAT(m_remote.reads, ::testing::Contains(std::pair<std::string, std::uint64_t>{
                                  err, m_remote.files[err].size()}));
}

TEST_F(Submission, ALinkInEitherLogOfAnEndedJobIsStoredOnce) {
  auto outcome = submit_ok();
  const std::string key = outcome.job.spec.submission_key.value;
  const std::string out = job_log(key, "out");
  const std::string err = job_log(key, "err");
  // Some scripts echo wandb's line on stdout too; the last line of stderr has no newline.
  m_remote.files[out] = "wandb: View run tiny at: https://wandb.ai/team/proj/runs/abc123\n";
  m_remote.files[err] = "wandb: \xf0\x9f\x9a\x80 View run tiny at: "
                        "https://wandb.ai/team/proj/runs/abc123";
  m_remote.answers["squeue"] = {0, squeue_line("4242", "COMPLETED", key), ""};
  auto first = tracker();
  ASSERT_TRUE(first.tick(m_request.cluster, m_remote));
  EXPECT_EQ(m_store->job(outcome.job.id)->wandb_urls,
            std::vector<std::string>{"https://wandb.ai/team/proj/runs/abc123"});
}

TEST_F(Submission, AMissingStderrLogStopsNeitherTheStdoutScanNorTheTick) {
  auto outcome = submit_ok();
  const std::string key = outcome.job.spec.submission_key.value;
  const std::string out = job_log(key, "out");
  m_remote.files[out] = "wandb: View run tiny at: https://wandb.ai/team/proj/runs/abc123\n";
  m_remote.answers["squeue"] = {0, squeue_line("4242", "RUNNING", key), ""};
  // The first read (stdout) works, the second (stderr) fails as a missing file would.
  m_remote.before_read = [this] {
    if (m_remote.reads.size() == 1) {
      m_remote.read_errors.push_back(
          core::Error{core::ErrorCode::not_found, "no such file: the .err log"});
    }
  };
  auto first = tracker();
  ASSERT_TRUE(first.tick(m_request.cluster, m_remote));
  EXPECT_EQ(m_store->job(outcome.job.id)->wandb_urls,
            std::vector<std::string>{"https://wandb.ai/team/proj/runs/abc123"});
  EXPECT_EQ(m_store->wandb_scan_offset(outcome.job.id, store::LogStream::out),
            m_remote.files[out].size());
  EXPECT_EQ(m_store->wandb_scan_offset(outcome.job.id, store::LogStream::err), 0u);
}

TEST_F(Submission, AccountQosAndConstraintReachTheScriptAndTheRecord) {
  m_request.resources.account = "physics";
  m_request.resources.qos = "high";
  m_request.resources.constraint = "a100&ib";
  auto outcome = submit_ok();
  const auto& script = outcome.job.rendered.script;
  EXPECT_NE(script.find("#SBATCH --account=physics\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --qos=high\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --constraint=a100&ib\n"), std::string::npos) << script;
  EXPECT_EQ(outcome.job.spec.resources.account, "physics");
  EXPECT_EQ(outcome.job.spec.resources.qos, "high");
  EXPECT_EQ(outcome.job.spec.resources.constraint, "a100&ib");
}

TEST_F(Submission, RendersTheRequestsTemplateAndNamesItsFileInErrors) {
  m_request.script_template =
      script::Template{"#!/bin/bash\n#SBATCH --job-name={{{job_name}}}\n# {{project}}\n",
                       "/home/ada/lab.sbatch.mustache"};
  auto outcome = submit_ok();
  EXPECT_EQ(outcome.job.rendered.script, "#!/bin/bash\n#SBATCH --job-name=" +
                                             outcome.job.spec.submission_key.value + "\n# tiny\n");

  m_request.script_template =
      script::Template{"#!/bin/bash\n\necho {{partiton}}\n", "/home/ada/lab.sbatch.mustache"};
  auto failed = submit(*m_store, m_remote, m_request);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("/home/ada/lab.sbatch.mustache:3"), std::string::npos)
      << failed.error().message;
  EXPECT_NE(failed.error().message.find("partiton"), std::string::npos);
}

TEST_F(Submission, RerunRecordsTheSameCodeCommandArgumentsAndResourcesAndWhatItReruns) {
  m_request.resources.partition = "gpu";
  m_request.resources.time_limit = std::chrono::minutes(30);
  m_request.resources.account = "physics";
  auto original = submit_ok().job;
  // The project's entry command changed since; the rerun runs what the original ran. Its
  // checkout is not on this machine: the remote last recorded is fetched from.
  m_request.project.settings.entry_command = "python other.py";
  m_request.project.git =
      store::GitSnapshot{"https://example.com/tiny.git", "main", kCommit, false, true, {}};
  m_remote.answers["sbatch"] = {0, "4243\n", ""};
  auto request = rerun_request(original, m_request.project, m_request.cluster, std::nullopt);
  ASSERT_TRUE(request) << request.error().message;
  auto outcome = submit(*m_store, m_remote, *request);
  ASSERT_TRUE(outcome) << outcome.error().message;
  ASSERT_FALSE(outcome->error) << outcome->error->message;
  const auto& rerun = outcome->job;
  EXPECT_NE(rerun.id, original.id);
  EXPECT_NE(rerun.spec.submission_key, original.spec.submission_key);
  EXPECT_EQ(rerun.spec.rerun_of, original.id);
  EXPECT_EQ(rerun.spec.code, original.spec.code);
  EXPECT_EQ(rerun.spec.command, original.spec.command);
  EXPECT_EQ(rerun.spec.arguments, original.spec.arguments);
  EXPECT_EQ(rerun.spec.resources, original.spec.resources);
  EXPECT_EQ(rerun.spec.cluster, original.spec.cluster);
  EXPECT_NE(rerun.rendered.script.find("python train.py --lr 0.1 "), std::string::npos);
  EXPECT_EQ(request->code.repository_url, "https://example.com/tiny.git");
}

TEST_F(Submission, RerunOfASnapshotGoneFromTheClusterFailsBeforeRecordingAndNeverResnapshots) {
  m_request.code.record.mode = store::DeliveryMode::snapshot;
  m_request.code.record.snapshot_hash = std::string(64, 'b');
  m_request.code.archive = [] { return core::Result<std::string>("tar bytes"); };
  m_remote.where += "present\n";
  auto original = submit_ok().job;

  auto request = rerun_request(original, m_request.project, m_request.cluster, std::nullopt);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_FALSE(request->code.archive);
  m_remote.where = "/home/researcher/sortie\nresearcher\nabsent\n";
  const auto jobs_before = *m_store->count_jobs({});
  auto outcome = submit(*m_store, m_remote, *request);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, core::ErrorCode::not_found);
  EXPECT_NE(outcome.error().message.find("snapshot bbbbbbbbbbbb is no longer on sandbox"),
            std::string::npos)
      << outcome.error().message;
  EXPECT_EQ(*m_store->count_jobs({}), jobs_before);
  EXPECT_TRUE(m_remote.written_paths.empty());

  // Still there: the rerun reuses it without uploading anything.
  m_remote.where = "/home/researcher/sortie\nresearcher\npresent\n";
  m_remote.answers["sbatch"] = {0, "4243\n", ""};
  auto again = submit(*m_store, m_remote, *request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->job.spec.code.snapshot_hash, std::string(64, 'b'));
  EXPECT_NE(again->job.rendered.script.find("/home/researcher/sortie/snapshots/" +
                                            std::string(64, 'b') + ".tar"),
            std::string::npos);
  EXPECT_TRUE(m_remote.written_paths.empty());
}

TEST(LastLines, KeepsOnlyTheLastLinesOfText) {
  EXPECT_EQ(last_lines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(last_lines("a\nb\nc", 2), "b\nc");
  EXPECT_EQ(last_lines("a\nb\n", 5), "a\nb\n");
  EXPECT_EQ(last_lines("a\n", 0), "");
}

}  // namespace
}  // namespace sortie::jobs

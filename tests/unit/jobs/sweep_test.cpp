// Sweeps as one SLURM array: submission (one exchange writing every task file), tracking of
// each task from squeue's and sacct's array lines captured on the sandbox, reconcile of a
// sweep whose sbatch answer was lost, cancel and rerun per task and per sweep, and expansion
// of a Hydra project's overrides.

#include "sortie/jobs/sweep.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "../store/temp_dir.hpp"
#include "fake_remote.hpp"
#include "sortie/jobs/cancel.hpp"
#include "sortie/jobs/purge.hpp"
#include "sortie/jobs/rerun.hpp"
#include "sortie/jobs/submit.hpp"
#include "sortie/jobs/track.hpp"

namespace sortie::jobs {
namespace {

using testing::FakeRemote;
using testing::read_data;

const std::string kCommit(40, 'a');
// The captured arrays' name (tests/data/slurm/README.md).
const std::string kCapturedName = "sortie-capture0000000a";

std::string renamed(std::string text, const std::string& name) {
  for (auto at = text.find(kCapturedName); at != std::string::npos;
       at = text.find(kCapturedName, at + name.size())) {
    text.replace(at, kCapturedName.size(), name);
  }
  return text;
}

class Sweeps : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = store::Database::open(m_dir.path() / "sortie.db");
    ASSERT_TRUE(database) << database.error().message;
    m_database = std::make_unique<store::Database>(std::move(*database));
    m_store = std::make_unique<store::Store>(*m_database, [this] { return m_now; });
    auto project = m_store->create_project({"tiny", "/srv/tiny", {}});
    ASSERT_TRUE(project) << project.error().message;
    m_request.project = *project;
    // Reruns fetch from the remote recorded when the project was last synced.
    m_request.project.git = store::GitSnapshot{};
    m_request.project.git->remote_url = "https://example.com/tiny.git";
    m_request.cluster.name = "sandbox";
    m_request.cluster.host = "researcher@127.0.0.1";
    m_request.cluster.workspace = "~/sortie";
    m_request.code.record.mode = store::DeliveryMode::git;
    m_request.code.record.commit = kCommit;
    m_request.code.repository_url = "https://example.com/tiny.git";
    for (const char* lr : {"0.1", "0.01", "0.001"}) {
      for (const char* model : {"large", "small"}) {
        m_sweep.combinations.push_back(
            {std::string("optimizer.lr=") + lr, std::string("model=") + model});
      }
    }
    m_sweep.max_parallel = 2;
    m_sweep.overrides = {"optimizer.lr=0.1,0.01,0.001", "model=large,small"};
    m_remote.answers["sbatch"] = {0, "1632\n", ""};
  }

  Tracker tracker() {
    TrackOptions options;
    options.clock = [this] { return m_now; };
    return Tracker(*m_store, options);
  }

  SweepOutcome submit_ok() {
    auto outcome = submit_sweep(*m_store, m_remote, m_request, m_sweep);
    EXPECT_TRUE(outcome) << outcome.error().message;
    return *outcome;
  }

  // The tasks' states, by index ("-" for none yet).
  std::vector<std::string> states(const store::SweepId& sweep) {
    std::vector<std::string> result;
    auto tasks = m_store->sweep_tasks(sweep);
    EXPECT_TRUE(tasks) << tasks.error().message;
    for (const auto& task : *tasks) {
      result.push_back(task.status.state ? std::string(slurm::to_string(*task.status.state))
                                         : std::string(store::to_string(task.status.phase)));
    }
    return result;
  }

  void answer(const std::string& squeue_file, const std::string& sacct_file) {
    m_remote.answers["squeue"] = {0, read_data(squeue_file), ""};
    m_remote.answers["sacct"] = {0, read_data(sacct_file), ""};
  }

  store::Timestamp m_now = std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::time_point(std::chrono::seconds(1'795'962'140)));
  store::testing::TempDir m_dir;
  std::unique_ptr<store::Database> m_database;
  std::unique_ptr<store::Store> m_store;
  FakeRemote m_remote;
  SubmitRequest m_request;
  SweepRequest m_sweep;
};

TEST_F(Sweeps, OneExchangeWritesEveryTaskFileVerbatimAndRunsOneSbatchWithTheArray) {
  auto outcome = submit_ok();
  ASSERT_FALSE(outcome.error) << outcome.error->message;

  ASSERT_EQ(m_remote.batches.size(), 2u);
  const auto& batch = m_remote.batches[1];
  EXPECT_EQ(batch.on_failure, remote::OnFailure::stop_batch);
  const std::string dir = "/home/researcher/sortie/jobs/" + outcome.sweep_id.value;
  // jobs dir, tasks dir, 6 task files, the script, sbatch.
  ASSERT_EQ(batch.commands.size(), 10u);
  EXPECT_EQ(batch.commands[1].action, remote::Action::ensure_directory);
  EXPECT_EQ(batch.commands[1].argv, (std::vector<std::string>{dir + "/tasks"}));
  for (std::size_t i = 0; i < 6; ++i) {
    const auto& write = batch.commands[2 + i];
    EXPECT_EQ(write.action, remote::Action::write_text_file);
    EXPECT_EQ(write.argv, (std::vector<std::string>{dir + "/tasks/" + std::to_string(i)}));
    EXPECT_EQ(write.input, m_sweep.combinations[i][0] + "\n" + m_sweep.combinations[i][1] + "\n");
  }
  EXPECT_EQ(batch.commands[9].argv,
            (std::vector<std::string>{"sbatch", "--parsable", dir + ".sbatch"}));
  const auto& script = batch.commands[8].input.value();
  EXPECT_NE(script.find("#SBATCH --array=0-5%2\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --job-name=" + outcome.sweep_id.value + "\n"), std::string::npos);
  EXPECT_NE(script.find("sortie_task_file=" + dir + "/tasks/\"$SLURM_ARRAY_TASK_ID\""),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("#SBATCH --output=" + dir + ".%A_%a.out\n"), std::string::npos);
}

TEST_F(Sweeps, RecordsEveryTaskSubmittedWithTheArrayIdItsIndexAndItsOwnOverrides) {
  auto outcome = submit_ok();
  ASSERT_EQ(outcome.tasks.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    const auto& task = outcome.tasks[static_cast<std::size_t>(i)];
    EXPECT_EQ(task.status.phase, store::Phase::submitted);
    EXPECT_EQ(task.slurm_job_id->value, 1632);
    EXPECT_EQ(task.spec.array_task_index, i);
    EXPECT_EQ(task.spec.sweep, outcome.sweep_id);
    EXPECT_EQ(task.spec.submission_key.value, outcome.sweep_id.value + "_" + std::to_string(i));
    EXPECT_EQ(task.spec.arguments, m_sweep.combinations[static_cast<std::size_t>(i)]);
    EXPECT_EQ(stdout_path(task), "/home/researcher/sortie/jobs/" + outcome.sweep_id.value +
                                     ".1632_" + std::to_string(i) + ".out");
  }
  auto sweep = m_store->sweep(outcome.sweep_id);
  ASSERT_TRUE(sweep) << sweep.error().message;
  EXPECT_EQ(sweep->task_count, 6);
  EXPECT_EQ(sweep->spec.max_parallel, 2);
  EXPECT_EQ(sweep->spec.overrides, m_sweep.overrides);
  store::JobFilter filter;
  filter.sweep = outcome.sweep_id;
  auto listed = m_store->list_jobs(filter, {});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->jobs.size(), 6u);
}

TEST_F(Sweeps, WithoutALimitTheArrayHasNoPercentAndOneCombinationIsAnArrayOfOne) {
  EXPECT_EQ(array_spec(6, std::nullopt), "0-5");
  EXPECT_EQ(array_spec(6, 3), "0-5%3");
  EXPECT_EQ(array_spec(1, std::nullopt), "0");
  m_sweep.combinations.resize(1);
  m_sweep.max_parallel.reset();
  auto outcome = submit_ok();
  EXPECT_EQ(outcome.tasks.size(), 1u);
  EXPECT_NE(outcome.tasks[0].rendered.script.find("#SBATCH --array=0\n"), std::string::npos);
}

TEST_F(Sweeps, RefusesAnOverrideWithALineBreakAndTooManyTasksBeforeRecordingAnything) {
  m_sweep.combinations[3][1] = "model=lar\nge";
  auto refused = submit_sweep(*m_store, m_remote, m_request, m_sweep);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::invalid_argument);
  EXPECT_NE(refused.error().message.find("task 3"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("line break"), std::string::npos);

  m_sweep.combinations.assign(k_max_sweep_tasks + 1, {"x=1"});
  auto too_many = submit_sweep(*m_store, m_remote, m_request, m_sweep);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("10000"), std::string::npos) << too_many.error().message;
  EXPECT_EQ(*m_store->count_jobs({}), 0);
  EXPECT_TRUE(m_remote.batches.empty());
}

TEST_F(Sweeps, RejectedSbatchRecordsEveryTaskSubmitFailed) {
  m_remote.answers["sbatch"] = {
      1, "", "sbatch: error: Batch job submission failed: Invalid job array specification\n"};
  auto outcome = submit_ok();
  ASSERT_TRUE(outcome.error);
  for (const auto& task : outcome.tasks) {
    EXPECT_EQ(task.status.phase, store::Phase::submit_failed);
    EXPECT_NE(task.reason.find("Invalid job array specification"), std::string::npos);
  }
}

TEST_F(Sweeps, TracksEachTaskToItsTrueEndFromCapturedArrayOutput) {
  auto outcome = submit_ok();
  auto track = tracker();

  // 0 and 1 run; 2-5 wait for the %2 limit (sacct's 1632_[2-5%2] row agrees with squeue).
  answer("jobs-squeue.array-early.txt", "jobs-sacct.array-early.txt");
  auto report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->exchanges, 1);
  EXPECT_LE(report->slurm_calls, 5);
  EXPECT_EQ(states(outcome.sweep_id), (std::vector<std::string>{"RUNNING", "RUNNING", "PENDING",
                                                                "PENDING", "PENDING", "PENDING"}));
  auto waiting = m_store->job(outcome.tasks[4].id);
  EXPECT_EQ(waiting->reason, "JobArrayTaskLimit");
  // squeue is asked for the array once, by its id.
  const auto& squeue = m_remote.batches.back().commands.front();
  EXPECT_EQ(squeue.argv.back(), "--jobs=1632");

  answer("jobs-squeue.array-mid.txt", "jobs-sacct.array-mid.txt");
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  EXPECT_EQ(states(outcome.sweep_id), (std::vector<std::string>{"COMPLETED", "FAILED", "RUNNING",
                                                                "RUNNING", "PENDING", "PENDING"}));
  EXPECT_EQ(m_store->job(outcome.tasks[1].id)->exit_code, 3);

  // Task 5 was cancelled while pending: squeue has forgotten it, accounting never had it.
  answer("jobs-squeue.array-late.txt", "jobs-sacct.array-late.txt");
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  EXPECT_EQ(states(outcome.sweep_id),
            (std::vector<std::string>{"COMPLETED", "FAILED", "COMPLETED", "COMPLETED", "COMPLETED",
                                      "CANCELLED"}));
  auto task = m_store->job(outcome.tasks[3].id);
  EXPECT_EQ(task->exit_code, 0);
  EXPECT_EQ(task->elapsed_seconds, 8);
  EXPECT_TRUE(task->started_at && task->ended_at);
  EXPECT_NE(m_store->job(outcome.tasks[5].id)->reason.find("before it started"), std::string::npos);
  EXPECT_TRUE(m_store->unfinished_jobs(store::ClusterName{"sandbox"})->empty());
}

TEST_F(Sweeps, AWholeArrayCancelledSettlesItsNeverStartedTasksFromOneRangeRow) {
  auto outcome = submit_ok();
  m_remote.answers["squeue"] = {1, "", "slurm_load_jobs error: Invalid job id specified\n"};
  m_remote.answers["sacct"] = {0, renamed(read_data("jobs-sacct.array-cancelled.txt"), "x"), ""};
  // The capture's array is 1637 with tasks 0-3.
  m_remote.answers["sbatch"] = {0, "1637\n", ""};
  m_sweep.combinations.resize(4);
  auto cancelled = submit_ok();
  auto track = tracker();
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  EXPECT_EQ(states(cancelled.sweep_id),
            (std::vector<std::string>{"CANCELLED", "CANCELLED", "CANCELLED", "CANCELLED"}));
  EXPECT_EQ(m_store->job(cancelled.tasks[2].id)->cancelled_by, "1001");
  // The other array (1632) is not in that answer and stays as it was.
  EXPECT_EQ(states(outcome.sweep_id)[0], "PENDING");
}

TEST_F(Sweeps, ReconcileSettlesEveryTaskOfASweepWhoseSbatchAnswerWasLostWithTwoCalls) {
  m_remote.answers["sbatch"] = {
      1, "",
      "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"};
  auto outcome = submit_ok();
  ASSERT_TRUE(outcome.error);
  for (const auto& task : outcome.tasks) EXPECT_EQ(task.status.phase, store::Phase::submitting);

  const std::string name = outcome.sweep_id.value;
  m_remote.answers["squeue"] = {0, renamed(read_data("jobs-squeue.array-by-name.txt"), name), ""};
  m_remote.answers["sacct"] = {0, renamed(read_data("jobs-sacct.array-by-name.txt"), name), ""};
  auto track = tracker();
  auto report = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->reconciled, 6);
  EXPECT_EQ(report->slurm_calls, 2);
  const auto& lookup = m_remote.batches.back().commands.front();
  EXPECT_EQ(lookup.argv.back(), "--name=" + name);
  EXPECT_EQ(states(outcome.sweep_id), (std::vector<std::string>{"RUNNING", "RUNNING", "PENDING",
                                                                "PENDING", "PENDING", "PENDING"}));
  auto settled = m_store->sweep_tasks(outcome.sweep_id);
  ASSERT_TRUE(settled);
  for (const auto& task : *settled) EXPECT_EQ(task.slurm_job_id->value, 1632);
  int sbatch_runs = 0;
  for (const auto& batch : m_remote.batches) {
    for (const auto& command : batch.commands) sbatch_runs += command.argv.front() == "sbatch";
  }
  EXPECT_EQ(sbatch_runs, 1);
}

TEST_F(Sweeps, ReconcileFailsEveryTaskOnlyAfterTheGracePeriod) {
  m_remote.answers["sbatch"] = {
      1, "",
      "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"};
  auto outcome = submit_ok();
  auto track = tracker();
  auto early = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(early);
  EXPECT_EQ(early->failed, 0);
  m_now += std::chrono::minutes(5);
  auto late = track.tick(m_request.cluster, m_remote);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->failed, 6);
  EXPECT_EQ(states(outcome.sweep_id), std::vector<std::string>(6, "submit_failed"));
}

TEST_F(Sweeps, CancelOfATaskCancelsThatTaskOnlyAndCancelOfASweepTheWholeArray) {
  auto outcome = submit_ok();
  ASSERT_TRUE(cancel(outcome.tasks[4], m_remote, std::chrono::seconds(5)));
  EXPECT_EQ(m_remote.batches.back().commands.front().argv,
            (std::vector<std::string>{"scancel", "1632_4"}));
  ASSERT_TRUE(cancel_sweep(outcome.tasks, m_remote, std::chrono::seconds(5)));
  EXPECT_EQ(m_remote.batches.back().commands.front().argv,
            (std::vector<std::string>{"scancel", "1632"}));
}

TEST_F(Sweeps, CancelOfASweepWithoutAnArrayIsRefused) {
  m_remote.answers["sbatch"] = {1, "", "sbatch: error: invalid partition\n"};
  auto outcome = submit_ok();
  auto refused = cancel_sweep(outcome.tasks, m_remote, std::chrono::seconds(5));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::invalid_argument);
}

TEST_F(Sweeps, RerunOfATaskIsOneJobWithItsOwnOverrides) {
  auto outcome = submit_ok();
  const auto& task = outcome.tasks[3];
  auto request = rerun_request(task, m_request.project, m_request.cluster, std::nullopt);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->arguments, m_sweep.combinations[3]);
  EXPECT_EQ(request->rerun_of, task.id);
  m_remote.answers["sbatch"] = {0, "1700\n", ""};
  auto rerun = submit(*m_store, m_remote, *request);
  ASSERT_TRUE(rerun) << rerun.error().message;
  EXPECT_FALSE(rerun->job.spec.sweep);
  EXPECT_EQ(rerun->job.spec.arguments, m_sweep.combinations[3]);
  EXPECT_EQ(rerun->job.rendered.script.find("--array"), std::string::npos);
}

TEST_F(Sweeps, RerunOfASweepWithFailedOnlyResubmitsTheTasksThatDidNotComplete) {
  auto outcome = submit_ok();
  auto track = tracker();
  answer("jobs-squeue.array-mid.txt", "jobs-sacct.array-mid.txt");
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  answer("jobs-squeue.array-late.txt", "jobs-sacct.array-late.txt");
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));
  ASSERT_TRUE(track.tick(m_request.cluster, m_remote));

  auto sweep = m_store->sweep(outcome.sweep_id);
  auto tasks = m_store->sweep_tasks(outcome.sweep_id);
  auto rerun = rerun_sweep_request(*sweep, *tasks, m_request.project, m_request.cluster,
                                   std::nullopt, RerunTasks::failed);
  ASSERT_TRUE(rerun) << rerun.error().message;
  // Task 1 failed, task 5 was cancelled.
  EXPECT_EQ(rerun->sweep.combinations, (std::vector<std::vector<std::string>>{
                                           m_sweep.combinations[1], m_sweep.combinations[5]}));
  EXPECT_EQ(rerun->sweep.max_parallel, 2);
  EXPECT_EQ(rerun->sweep.rerun_of, outcome.sweep_id);
  m_remote.answers["sbatch"] = {0, "1800\n", ""};
  auto again = submit_sweep(*m_store, m_remote, rerun->request, rerun->sweep);
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_EQ(again->tasks.size(), 2u);
  EXPECT_EQ(again->tasks[1].spec.array_task_index, 1);
  EXPECT_EQ(again->tasks[1].spec.rerun_of, outcome.tasks[5].id);
  EXPECT_EQ(m_store->sweep(again->sweep_id)->spec.rerun_of, outcome.sweep_id);

  auto all = rerun_sweep_request(*sweep, *tasks, m_request.project, m_request.cluster, std::nullopt,
                                 RerunTasks::all);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->sweep.combinations, m_sweep.combinations);
}

TEST_F(Sweeps, PurgeOfATaskRemovesOnlyItsOwnLogsAndArgumentFile) {
  auto outcome = submit_ok();
  auto commands = purge_commands(outcome.tasks[2]);
  ASSERT_TRUE(commands) << commands.error().message;
  ASSERT_EQ(commands->size(), 1u);
  const std::string dir = "/home/researcher/sortie/jobs/" + outcome.sweep_id.value;
  EXPECT_EQ(commands->front().argv,
            (std::vector<std::string>{"rm", "-rf", "--", dir + "/tasks/2", dir + ".1632_2.out",
                                      dir + ".1632_2.err"}));
}

class SweepExpansion : public ::testing::Test {
 protected:
  store::Project tiny_train() {
    store::Project project;
    project.name = "tiny-train";
    project.path = std::string(SORTIE_TEST_DATA) + "/../../examples/tiny-train";
    project.settings.entry_command = "python3 train.py";
    return project;
  }
};

TEST_F(SweepExpansion, ComposesEveryCombinationOfAHydraProjectInHydrasOrder) {
  auto expanded = expand_sweep(tiny_train(), {"optimizer.lr=0.1,0.01,0.001", "model=glob(*)"},
                               store::SweepMode::cartesian);
  ASSERT_TRUE(expanded) << expanded.error().message;
  EXPECT_TRUE(expanded->composed);
  ASSERT_EQ(expanded->combinations.size(), 6u);
  EXPECT_EQ(expanded->combinations[0],
            (std::vector<std::string>{"optimizer.lr=0.1", "model=large"}));
  EXPECT_EQ(expanded->combinations[5],
            (std::vector<std::string>{"optimizer.lr=0.001", "model=small"}));
  auto paired = expand_sweep(tiny_train(), {"optimizer.lr=0.1,0.01", "model=large,small"},
                             store::SweepMode::paired);
  ASSERT_TRUE(paired) << paired.error().message;
  EXPECT_EQ(paired->combinations.size(), 2u);
}

TEST_F(SweepExpansion, NamesTheCombinationThatDoesNotComposeAndWordsThatAreNotOverrides) {
  auto bad = expand_sweep(tiny_train(), {"model=large,tiny"}, store::SweepMode::cartesian);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("job #1 of 2"), std::string::npos) << bad.error().message;
  auto flag = expand_sweep(tiny_train(), {"--lr", "0.1"}, store::SweepMode::cartesian);
  ASSERT_FALSE(flag);
  EXPECT_NE(flag.error().message.find("'--lr' is not one"), std::string::npos)
      << flag.error().message;
  auto too_many = expand_sweep(tiny_train(), {"seed=range(0,20)", "optimizer.lr=range(0,20)"},
                               store::SweepMode::cartesian, 100);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, core::ErrorCode::invalid_argument);
}

TEST_F(SweepExpansion, WithoutAHydraAppExpandsWithoutComposingAndSaysWhy) {
  store::Project plain = tiny_train();
  plain.settings.entry_command = "./run.sh";
  auto expanded = expand_sweep(plain, {"lr=0.1,0.2"}, store::SweepMode::cartesian);
  ASSERT_TRUE(expanded) << expanded.error().message;
  EXPECT_FALSE(expanded->composed);
  EXPECT_NE(expanded->note.find("not composed"), std::string::npos);
  EXPECT_EQ(expanded->combinations.size(), 2u);
}

TEST_F(SweepExpansion, ASingleRunOfAHydraProjectRefusesASweepWithHydrasMessage) {
  auto refused = check_single_run_arguments(tiny_train(), {"optimizer.lr=0.1,0.01"});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("Ambiguous value for argument 'optimizer.lr=0.1,0.01'"),
            std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("--multirun"), std::string::npos);
  EXPECT_TRUE(check_single_run_arguments(tiny_train(), {"optimizer.lr=0.1", "--cfg", "job"}));
  store::Project plain = tiny_train();
  plain.settings.entry_command = "python3 other.py";
  EXPECT_TRUE(check_single_run_arguments(plain, {"--lr", "0.1,0.01", "x=1,2"}));
}

}  // namespace
}  // namespace sortie::jobs

#include "sortie/store/store.hpp"

#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace sortie::store {
namespace {

using slurm::JobState;

// A clock that advances one second per reading, so every write has its own time.
Clock ticking_clock(std::int64_t start = 1'700'000'000) {
  auto now = std::make_shared<std::int64_t>(start);
  return [now] { return Timestamp{std::chrono::seconds{(*now)++}}; };
}

NewJob new_job(ProjectId project, std::string key, std::string cluster = "alpha") {
  NewJob job;
  job.project = project;
  job.cluster = ClusterName{std::move(cluster)};
  job.submission_key = SubmissionKey{std::move(key)};
  job.name = "train";
  job.command = "python train.py";
  job.code.commit = "0123abcd";
  return job;
}

StateUpdate state_update(JobState state, std::string reason = "") {
  StateUpdate update;
  update.state = state;
  update.reason = std::move(reason);
  return update;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = Database::open(path());
    ASSERT_TRUE(database) << database.error().message;
    m_database = std::make_unique<Database>(std::move(*database));
    m_store = std::make_unique<Store>(*m_database, ticking_clock());
    NewProject project;
    project.name = "vision";
    project.path = "/home/ada/vision";
    auto created = m_store->create_project(project);
    ASSERT_TRUE(created) << created.error().message;
    m_project = created->id;
  }

  std::filesystem::path path() const { return m_directory.path() / "sortie.db"; }
  Store& store() { return *m_store; }
  ProjectId project() const { return m_project; }

  Job create(std::string key, std::string cluster = "alpha") {
    auto job = store().create_job(new_job(m_project, std::move(key), std::move(cluster)));
    EXPECT_TRUE(job) << job.error().message;
    return job.value_or(Job{});
  }

  Job submitted(std::string key, std::int64_t slurm_id, std::string cluster = "alpha") {
    auto job = create(std::move(key), std::move(cluster));
    EXPECT_EQ(store().mark_submitted(job.id, SlurmJobId{slurm_id}), true);
    return job;
  }

 private:
  testing::TempDir m_directory;
  std::unique_ptr<Database> m_database;
  std::unique_ptr<Store> m_store;
  ProjectId m_project;
};

using StoreProjects = StoreTest;
using StoreJobs = StoreTest;
using StoreQueries = StoreTest;

TEST_F(StoreProjects, RoundTripsSettingsWithClusterOverrides) {
  ProjectSettings settings;
  settings.entry_command = "torchrun train.py";
  settings.setup = {"module load cuda/12", "source .venv/bin/activate"};
  settings.cluster_overrides["alpha"] = ClusterOverride{"srun python train.py", std::nullopt};
  settings.cluster_overrides["beta"] =
      ClusterOverride{std::nullopt, std::vector<std::string>{"module load cuda/11"}};
  settings.cluster_overrides["gamma"] = ClusterOverride{std::nullopt, std::vector<std::string>{}};
  settings.default_cluster = ClusterName{"beta"};
  settings.template_path = "/home/ada/vision/slurm.sbatch.mustache";
  ASSERT_TRUE(store().update_settings(project(), settings));

  auto read = store().project(project());
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->settings, settings);
  EXPECT_EQ(read->name, "vision");
  EXPECT_FALSE(read->git);

  settings.cluster_overrides.erase("alpha");
  settings.setup.clear();
  settings.template_path.reset();
  ASSERT_TRUE(store().update_settings(project(), settings));
  EXPECT_EQ(store().project(project())->settings, settings);
}

TEST_F(StoreProjects, DefaultsTheEntryCommandToPythonTrainPy) {
  EXPECT_EQ(store().project(project())->settings.entry_command, "python train.py");
}

TEST_F(StoreProjects, RefusesADuplicateNameOrPath) {
  NewProject same_name;
  same_name.name = "vision";
  same_name.path = "/elsewhere";
  auto by_name = store().create_project(same_name);
  ASSERT_FALSE(by_name);
  EXPECT_EQ(by_name.error().code, core::ErrorCode::invalid_argument);
  EXPECT_NE(by_name.error().message.find("vision"), std::string::npos);

  NewProject same_path;
  same_path.name = "other";
  same_path.path = "/home/ada/vision";
  EXPECT_FALSE(store().create_project(same_path));
  EXPECT_EQ(store().projects()->size(), 1u);
}

TEST_F(StoreProjects, FindsProjectsByNameAndPath) {
  auto by_name = store().project_by_name("vision");
  ASSERT_TRUE(by_name && *by_name);
  EXPECT_EQ((*by_name)->id, project());
  auto by_path = store().project_by_path("/home/ada/vision");
  ASSERT_TRUE(by_path && *by_path);
  EXPECT_EQ((*by_path)->id, project());
  EXPECT_FALSE(*store().project_by_name("nope"));
  EXPECT_EQ(store().project(ProjectId{999}).error().code, core::ErrorCode::not_found);
}

TEST_F(StoreProjects, RecordsTheLastGitState) {
  GitSnapshot git{"git@github.com:ada/vision.git",
                  "main",
                  "deadbeef",
                  true,
                  false,
                  Timestamp{std::chrono::seconds{1'700'000'500}}};
  ASSERT_TRUE(store().record_git_state(project(), git));
  EXPECT_EQ(store().project(project())->git, git);
  EXPECT_EQ(store().record_git_state(ProjectId{999}, git).error().code, core::ErrorCode::not_found);
}

TEST_F(StoreProjects, DeletesAProjectWithoutJobs) {
  ASSERT_TRUE(store().delete_project(project()));
  auto gone = store().project(project());
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, core::ErrorCode::not_found);
  auto again = store().delete_project(project());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::not_found);
}

TEST_F(StoreProjects, RefusesToDeleteAProjectThatHasJobs) {
  create("key-1");
  auto refused = store().delete_project(project());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::invalid_argument);
  EXPECT_NE(refused.error().message.find("1 recorded job"), std::string::npos);
  EXPECT_TRUE(store().project(project()));
}

TEST_F(StoreJobs, RoundTripsEveryFieldOfANewJob) {
  NewJob spec = new_job(project(), "key-full");
  spec.resources.partition = "gpu";
  spec.resources.gpu_type = "a100";
  spec.resources.gpu_count = 4;
  spec.resources.nodes = 2;
  spec.resources.tasks = 8;
  spec.resources.cpus_per_task = 6;
  spec.resources.memory = "64G";
  spec.resources.time_limit_minutes = 720;
  spec.resources.account = "lab";
  spec.resources.qos = "high";
  spec.resources.constraint = "ampere";
  spec.resources.extra_sbatch_lines = {"#SBATCH --exclusive", "#SBATCH --mail-type=END"};
  spec.arguments = {"--lr", "0.001", "model=resnet50"};
  spec.code = CodeDelivery{DeliveryMode::snapshot, "abc", "sha256:ff", {"train.py", "conf/x.yaml"}};
  spec.sweep = SweepId{"sweep-1"};
  spec.array_task_index = 3;
  auto first = store().create_job(new_job(project(), "key-first"));
  ASSERT_TRUE(first);
  spec.rerun_of = first->id;

  auto job = store().create_job(spec);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->spec, spec);
  EXPECT_EQ(job->status, (JobStatus{Phase::submitting, std::nullopt}));
  EXPECT_FALSE(job->slurm_job_id);
  EXPECT_EQ(job->created_at, job->updated_at);

  RenderedJob rendered{"/scratch/ada/sortie/2", "#!/bin/bash\n#SBATCH -J train\npython train.py\n",
                       "/scratch/ada/sortie/2/out.log", "/scratch/ada/sortie/2/err.log"};
  EXPECT_EQ(store().record_rendered(job->id, rendered), true);
  auto read = store().job(job->id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->spec, spec);
  EXPECT_EQ(read->rendered, rendered);
  EXPECT_GT(read->updated_at, read->created_at);
}

TEST_F(StoreJobs, RecordsANewJobAsSubmittingWithACreationEvent) {
  auto job = create("key-1");
  EXPECT_EQ(job.status.phase, Phase::submitting);
  auto events = store().events(job.id);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_FALSE((*events)[0].from);
  EXPECT_EQ((*events)[0].to.phase, Phase::submitting);
}

TEST_F(StoreJobs, RefusesADuplicateSubmissionKey) {
  auto first = create("key-1");
  auto second = store().create_job(new_job(project(), "key-1", "beta"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, core::ErrorCode::invalid_argument);
  EXPECT_NE(second.error().message.find("key-1"), std::string::npos);
  EXPECT_EQ(store().count_jobs({}), 1);
}

TEST_F(StoreJobs, RefusesAJobForAMissingProject) {
  auto job = store().create_job(new_job(ProjectId{999}, "key-1"));
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().code, core::ErrorCode::not_found);
}

TEST_F(StoreJobs, MarksAJobSubmittedOnlyOnce) {
  auto job = create("key-1");
  EXPECT_EQ(store().mark_submitted(job.id, SlurmJobId{100}), true);
  EXPECT_EQ(store().mark_submitted(job.id, SlurmJobId{101}), false);
  EXPECT_EQ(store().mark_submit_failed(job.id, "too late"), false);
  auto read = store().job(job.id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->slurm_job_id, SlurmJobId{100});
  EXPECT_EQ(read->status, (JobStatus{Phase::submitted, JobState::pending}));
  EXPECT_TRUE(read->submitted_at);
  EXPECT_EQ(store().events(job.id)->size(), 2u);
  EXPECT_EQ(store().record_rendered(job.id, RenderedJob{}), false);
  EXPECT_EQ(store().mark_submitted(JobId{999}, SlurmJobId{1}).error().code,
            core::ErrorCode::not_found);
}

TEST_F(StoreJobs, MarksASubmissionFailedWithItsReasonOnlyOnce) {
  auto job = create("key-1");
  EXPECT_EQ(store().mark_submit_failed(job.id, "sbatch: error: invalid partition"), true);
  EXPECT_EQ(store().mark_submit_failed(job.id, "again"), false);
  EXPECT_EQ(store().mark_submitted(job.id, SlurmJobId{5}), false);
  auto read = store().job(job.id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status.phase, Phase::submit_failed);
  EXPECT_EQ(read->reason, "sbatch: error: invalid partition");
  EXPECT_TRUE(is_finished(read->status));
  auto events = store().events(job.id);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].detail, "sbatch: error: invalid partition");
}

TEST_F(StoreJobs, RefusesASlurmIdAlreadyRecordedOnTheSameCluster) {
  submitted("key-1", 100);
  auto second = create("key-2");
  auto marked = store().mark_submitted(second.id, SlurmJobId{100});
  ASSERT_FALSE(marked);
  EXPECT_EQ(marked.error().code, core::ErrorCode::invalid_argument);
  EXPECT_EQ(store().job(second.id)->status.phase, Phase::submitting);
  auto elsewhere = create("key-3", "beta");
  EXPECT_EQ(store().mark_submitted(elsewhere.id, SlurmJobId{100}), true);
}

TEST_F(StoreJobs, TwoConnectionsRacingToMarkSubmittedLetExactlyOneWin) {
  for (int round = 0; round < 10; ++round) {
    auto job = create("race-" + std::to_string(round));
    std::latch start(2);
    bool won[2] = {false, false};
    std::vector<std::jthread> racers;
    for (int racer = 0; racer < 2; ++racer) {
      racers.emplace_back([&, racer] {
        auto database = Database::open(path());
        ASSERT_TRUE(database) << database.error().message;
        Store own(*database);
        start.arrive_and_wait();
        auto marked = own.mark_submitted(job.id, SlurmJobId{1000 + round * 2 + racer});
        ASSERT_TRUE(marked) << marked.error().message;
        won[racer] = *marked;
      });
    }
    racers.clear();
    EXPECT_NE(won[0], won[1]) << "round " << round;
    auto read = store().job(job.id);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->slurm_job_id, SlurmJobId{1000 + round * 2 + (won[0] ? 0 : 1)});
    EXPECT_EQ(store().events(job.id)->size(), 2u);
  }
}

TEST_F(StoreQueries, ChangeTokenStaysWhileNothingIsWrittenAndMovesOnAnyConnectionsWrite) {
  auto job = submitted("key-token", 100);
  auto before = store().change_token();
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_TRUE(store().unfinished_jobs(ClusterName{"alpha"}));
  ASSERT_TRUE(store().job(job.id));
  EXPECT_EQ(store().change_token().value(), *before);

  // A write through this Store.
  ASSERT_EQ(store().record_state(job.id, state_update(JobState::running)), true);
  auto after_own = store().change_token();
  ASSERT_TRUE(after_own);
  EXPECT_NE(*after_own, *before);
  EXPECT_EQ(store().change_token().value(), *after_own);

  // A write through another connection (another process's, in real life).
  {
    auto database = Database::open(path());
    ASSERT_TRUE(database) << database.error().message;
    Store other(*database);
    ASSERT_EQ(other.delete_job(job.id), true);
  }
  auto after_other = store().change_token();
  ASSERT_TRUE(after_other);
  EXPECT_NE(*after_other, *after_own);
  EXPECT_EQ(store().change_token().value(), *after_other);
}

TEST_F(StoreJobs, RecordsAnEventPerTransitionAndNoneForNoOpUpdates) {
  auto job = submitted("key-1", 100);
  EXPECT_EQ(store().record_state(job.id, state_update(JobState::pending)), false);
  EXPECT_EQ(store().record_state(job.id, state_update(JobState::pending, "Priority")), true);
  EXPECT_EQ(store().record_state(job.id, state_update(JobState::pending, "Priority")), false);

  auto running = state_update(JobState::running);
  running.nodes = "gpu01";
  running.started_at = Timestamp{std::chrono::seconds{1'700'001'000}};
  running.elapsed_seconds = 10;
  EXPECT_EQ(store().record_state(job.id, running), true);
  const auto before_tick = store().job(job.id)->updated_at;
  running.elapsed_seconds = 70;  // a detail changes: the row is updated, no event
  EXPECT_EQ(store().record_state(job.id, running), false);
  EXPECT_EQ(store().job(job.id)->elapsed_seconds, 70);
  EXPECT_GT(store().job(job.id)->updated_at, before_tick);
  const auto unchanged = store().job(job.id)->updated_at;
  EXPECT_EQ(store().record_state(job.id, running), false);
  EXPECT_EQ(store().job(job.id)->updated_at, unchanged);

  auto failed = state_update(JobState::failed, "NonZeroExitCode");
  failed.exit_code = 1;
  failed.ended_at = Timestamp{std::chrono::seconds{1'700'002'000}};
  EXPECT_EQ(store().record_state(job.id, failed), true);

  auto events = store().events(job.id);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 5u);  // created, submitted, Priority, running, failed
  EXPECT_EQ((*events)[2].from, (JobStatus{Phase::submitted, JobState::pending}));
  EXPECT_EQ((*events)[2].detail, "Priority");
  EXPECT_EQ((*events)[3].to, (JobStatus{Phase::submitted, JobState::running}));
  EXPECT_EQ((*events)[4].to, (JobStatus{Phase::submitted, JobState::failed}));
  EXPECT_EQ((*events)[4].detail, "NonZeroExitCode; exit code 1");
  for (std::size_t index = 1; index < events->size(); ++index) {
    EXPECT_GT((*events)[index].sequence, (*events)[index - 1].sequence);
    EXPECT_GE((*events)[index].at, (*events)[index - 1].at);
  }

  auto read = store().job(job.id);
  EXPECT_EQ(read->exit_code, 1);
  EXPECT_EQ(read->nodes, "gpu01");  // kept: the final report did not name nodes
  EXPECT_EQ(read->started_at, running.started_at);
  EXPECT_EQ(read->ended_at, failed.ended_at);
}

TEST_F(StoreJobs, KeepsAFinalStateAgainstStaleReports) {
  auto job = submitted("key-1", 100);
  ASSERT_EQ(store().record_state(job.id, state_update(JobState::completed)), true);
  EXPECT_EQ(store().record_state(job.id, state_update(JobState::running)), false);
  EXPECT_EQ(store().job(job.id)->status.state, JobState::completed);
}

TEST_F(StoreJobs, RefusesStateUpdatesBeforeTheJobIsSubmitted) {
  auto job = create("key-1");
  auto recorded = store().record_state(job.id, state_update(JobState::running));
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code, core::ErrorCode::invalid_argument);
  EXPECT_EQ(store().record_state(JobId{999}, state_update(JobState::running)).error().code,
            core::ErrorCode::not_found);
}

TEST_F(StoreJobs, AddsEachWandbUrlOnce) {
  auto job = submitted("key-1", 100);
  ASSERT_TRUE(store().add_wandb_url(job.id, "https://wandb.ai/ada/vision/runs/a"));
  ASSERT_TRUE(store().add_wandb_url(job.id, "https://wandb.ai/ada/vision/runs/b"));
  ASSERT_TRUE(store().add_wandb_url(job.id, "https://wandb.ai/ada/vision/runs/a"));
  EXPECT_EQ(store().job(job.id)->wandb_urls,
            (std::vector<std::string>{"https://wandb.ai/ada/vision/runs/a",
                                      "https://wandb.ai/ada/vision/runs/b"}));
}

TEST_F(StoreJobs, RemembersTheWandbScanOffsetPerJobWithoutTouchingTheJob) {
  auto first = submitted("key-1", 100);
  auto second = submitted("key-2", 101);
  EXPECT_EQ(store().wandb_scan_offset(first.id), 0u);
  const auto before = store().job(first.id)->updated_at;
  ASSERT_TRUE(store().record_wandb_scan_offset(first.id, 5'000'000'000));
  EXPECT_EQ(store().wandb_scan_offset(first.id), 5'000'000'000u);
  EXPECT_EQ(store().wandb_scan_offset(second.id), 0u);
  EXPECT_EQ(store().job(first.id)->updated_at, before);
  EXPECT_EQ(store().record_wandb_scan_offset(JobId{999}, 1).error().code,
            core::ErrorCode::not_found);
  EXPECT_EQ(store().wandb_scan_offset(JobId{999}).error().code, core::ErrorCode::not_found);
}

TEST_F(StoreJobs, KeepsTheStdoutAndStderrScanOffsetsApart) {
  auto job = submitted("key-1", 100);
  ASSERT_TRUE(store().record_wandb_scan_offset(job.id, 700, LogStream::err));
  EXPECT_EQ(store().wandb_scan_offset(job.id, LogStream::err), 700u);
  EXPECT_EQ(store().wandb_scan_offset(job.id, LogStream::out), 0u);
  ASSERT_TRUE(store().record_wandb_scan_offset(job.id, 90, LogStream::out));
  EXPECT_EQ(store().wandb_scan_offset(job.id, LogStream::out), 90u);
  EXPECT_EQ(store().wandb_scan_offset(job.id, LogStream::err), 700u);
  EXPECT_EQ(store().record_wandb_scan_offset(JobId{999}, 1, LogStream::err).error().code,
            core::ErrorCode::not_found);
}

TEST_F(StoreJobs, DeletesAJobWithItsEventsAndLists) {
  auto original = submitted("key-1", 100);
  auto spec = new_job(project(), "key-2");
  spec.arguments = {"--epochs", "3"};
  spec.rerun_of = original.id;
  auto rerun = store().create_job(spec);
  ASSERT_TRUE(rerun);
  ASSERT_TRUE(store().add_wandb_url(original.id, "https://wandb.ai/x"));

  EXPECT_EQ(store().delete_job(original.id), true);
  EXPECT_EQ(store().delete_job(original.id), false);
  EXPECT_EQ(store().job(original.id).error().code, core::ErrorCode::not_found);
  EXPECT_TRUE(store().events(original.id)->empty());
  EXPECT_FALSE(store().job(rerun->id)->spec.rerun_of);
  EXPECT_EQ(store().job(rerun->id)->spec.arguments, spec.arguments);
}

TEST_F(StoreJobs, StoresUnicodeAndInjectionLookingStringsAsData) {
  const std::string hostile = "'); DROP TABLE jobs;--";
  const std::string unicode = "Überprüfung 学習 🚀 \"quoted\" \\ back\nslash";
  auto spec = new_job(project(), hostile);
  spec.name = unicode;
  spec.command = hostile;
  spec.arguments = {hostile, unicode, "", "%s %d ?"};
  spec.resources.partition = hostile;
  auto job = store().create_job(spec);
  ASSERT_TRUE(job) << job.error().message;
  ASSERT_EQ(store().mark_submit_failed(job->id, unicode), true);

  auto read = store().job_by_submission_key(SubmissionKey{hostile});
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->spec, spec);
  EXPECT_EQ((*read)->reason, unicode);
  EXPECT_EQ(store().count_jobs({}), 1);

  NewProject project_spec;
  project_spec.name = unicode;
  project_spec.path = hostile;
  project_spec.settings.setup = {hostile};
  auto created = store().create_project(project_spec);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(store().project_by_name(unicode).value()->settings.setup,
            std::vector<std::string>{hostile});
}

TEST_F(StoreQueries, FindsJobsBySubmissionKeyAndBySlurmIdPerCluster) {
  auto alpha = submitted("key-1", 100, "alpha");
  auto beta = submitted("key-2", 100, "beta");
  EXPECT_EQ(store().job_by_submission_key(SubmissionKey{"key-2"}).value()->id, beta.id);
  EXPECT_FALSE(*store().job_by_submission_key(SubmissionKey{"key-9"}));
  EXPECT_EQ(store().job_by_slurm_id(ClusterName{"alpha"}, SlurmJobId{100}).value()->id, alpha.id);
  EXPECT_EQ(store().job_by_slurm_id(ClusterName{"beta"}, SlurmJobId{100}).value()->id, beta.id);
  EXPECT_FALSE(*store().job_by_slurm_id(ClusterName{"alpha"}, SlurmJobId{101}));
}

TEST_F(StoreQueries, TellsArrayTasksSharingASlurmIdApart) {
  std::vector<JobId> tasks;
  for (int index = 0; index < 3; ++index) {
    auto spec = new_job(project(), "sweep-" + std::to_string(index));
    spec.sweep = SweepId{"s1"};
    spec.array_task_index = index;
    auto job = store().create_job(spec);
    ASSERT_TRUE(job);
    ASSERT_EQ(store().mark_submitted(job->id, SlurmJobId{500}), true);
    tasks.push_back(job->id);
  }
  EXPECT_EQ(store().job_by_slurm_id(ClusterName{"alpha"}, SlurmJobId{500}, 1).value()->id,
            tasks[1]);
  EXPECT_FALSE(*store().job_by_slurm_id(ClusterName{"alpha"}, SlurmJobId{500}));
}

TEST_F(StoreQueries, ListsUnfinishedJobsOfOneClusterOldestFirst) {
  auto waiting = create("key-1");
  auto running = submitted("key-2", 2);
  ASSERT_TRUE(store().record_state(running.id, state_update(JobState::running)));
  auto done = submitted("key-3", 3);
  ASSERT_TRUE(store().record_state(done.id, state_update(JobState::completed)));
  auto failed = create("key-4");
  ASSERT_TRUE(store().mark_submit_failed(failed.id, "no"));
  auto pending = submitted("key-5", 5);
  submitted("key-6", 6, "beta");

  auto unfinished = store().unfinished_jobs(ClusterName{"alpha"});
  ASSERT_TRUE(unfinished);
  std::vector<JobId> ids;
  for (const auto& job : *unfinished) ids.push_back(job.id);
  EXPECT_EQ(ids, (std::vector<JobId>{waiting.id, running.id, pending.id}));
}

TEST_F(StoreQueries, PagesNewestFirstAndStaysStableWhileJobsAreAdded) {
  for (int index = 0; index < 25; ++index) create("key-" + std::to_string(index));
  std::vector<JobId> seen;
  std::optional<JobId> cursor;
  int pages = 0;
  do {
    auto page = store().list_jobs({}, PageRequest{10, cursor});
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& job : page->jobs) seen.push_back(job.id);
    cursor = page->next_cursor;
    // New jobs arriving between pages must neither shift nor repeat what follows.
    create("new-" + std::to_string(pages++));
  } while (cursor);
  ASSERT_EQ(seen.size(), 25u);
  for (std::size_t index = 1; index < seen.size(); ++index) EXPECT_GT(seen[index - 1], seen[index]);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(store().count_jobs({}), 28);
}

TEST_F(StoreQueries, FiltersAndCountsByProjectClusterPhaseAndState) {
  NewProject other_spec;
  other_spec.name = "nlp";
  other_spec.path = "/home/ada/nlp";
  auto other = store().create_project(other_spec);
  ASSERT_TRUE(other);
  auto a = submitted("key-1", 1);
  ASSERT_TRUE(store().record_state(a.id, state_update(JobState::running)));
  submitted("key-2", 2);
  auto c = store().create_job(new_job(other->id, "key-3", "beta"));
  ASSERT_TRUE(c);

  JobFilter by_project;
  by_project.project = other->id;
  EXPECT_EQ(store().count_jobs(by_project), 1);
  JobFilter by_state;
  by_state.state = JobState::running;
  auto running = store().list_jobs(by_state, PageRequest{});
  ASSERT_TRUE(running);
  ASSERT_EQ(running->jobs.size(), 1u);
  EXPECT_EQ(running->jobs[0].id, a.id);
  EXPECT_FALSE(running->next_cursor);
  JobFilter by_phase;
  by_phase.phase = Phase::submitting;
  EXPECT_EQ(store().count_jobs(by_phase), 1);
  JobFilter combined;
  combined.project = project();
  combined.cluster = ClusterName{"alpha"};
  combined.state = JobState::pending;
  EXPECT_EQ(store().count_jobs(combined), 1);
}

}  // namespace
}  // namespace sortie::store

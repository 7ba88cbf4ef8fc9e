#include "sortie/store/migrations.hpp"

#include <gtest/gtest.h>

#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"
#include "temp_dir.hpp"

namespace sortie::store {
namespace {

TEST(Migration, VersionsCountUpFromOneWithoutGaps) {
  int expected = 1;
  for (const auto& migration : migrations()) EXPECT_EQ(migration.version, expected++);
  EXPECT_EQ(latest_schema_version(), expected - 1);
}

TEST(Migration, BringsAnEmptyFileToTheLatestSchema) {
  testing::TempDir directory;
  auto database = Database::open(directory.path() / "sortie.db");
  ASSERT_TRUE(database) << database.error().message;
  EXPECT_EQ(database->schema_version(), latest_schema_version());
  auto tables = database->prepare(
      "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' "
      "AND name NOT LIKE 'sqlite_%' ORDER BY name)");
  ASSERT_TRUE(tables && tables->step().value_or(false));
  EXPECT_EQ(tables->text(0),
            "api_tokens,job_events,job_lists,jobs,project_overrides,project_setup_lines,projects,"
            "sweep_overrides,sweeps");
}

TEST(Migration, ReopeningAnUpToDateDatabaseChangesNothing) {
  testing::TempDir directory;
  const auto path = directory.path() / "sortie.db";
  { ASSERT_TRUE(Database::open(path)); }
  auto again = Database::open(path);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->schema_version(), latest_schema_version());
}

TEST(Migration, UpgradesAVersionOneDatabaseKeepingItsRows) {
  testing::TempDir directory;
  const auto path = directory.path() / "sortie.db";
  {
    // A database as the first sortie release left it.
    auto old = Database::open(path, {.migrate = Migrate::no});
    ASSERT_TRUE(old);
    ASSERT_TRUE(migrate(*old, 1));
    ASSERT_EQ(old->schema_version(), 1);
    auto inserted = old->execute(R"sql(
      INSERT INTO projects (id, name, path, created_at, entry_command, default_cluster)
        VALUES (1, 'vision', '/src/vision', 1700000000, 'python main.py', 'alpha');
      INSERT INTO project_setup_lines VALUES (1, '', 0, 'module load cuda');
      INSERT INTO jobs (id, project_id, cluster, submission_key, name, phase, slurm_job_id, state,
                        finished, reason, command, delivery_mode, delivery_commit, created_at,
                        updated_at, gpu_count)
        VALUES (7, 1, 'alpha', 'key-7', 'baseline', 'submitted', 4242, 'RUNNING', 0, '',
                'python main.py', 'git', 'abc123', 1700000100, 1700000200, 2);
      INSERT INTO job_lists VALUES (7, 'argument', 0, '--lr=0.1');
      INSERT INTO job_events (job_id, at, from_phase, from_state, to_phase, to_state, detail)
        VALUES (7, 1700000100, NULL, NULL, 'submitting', NULL, 'recorded for submission');
    )sql");
    ASSERT_TRUE(inserted) << inserted.error().message;
  }

  auto database = Database::open(path);
  ASSERT_TRUE(database) << database.error().message;
  EXPECT_EQ(database->schema_version(), latest_schema_version());
  Store store(*database);

  auto project = store.project(ProjectId{1});
  ASSERT_TRUE(project) << project.error().message;
  EXPECT_EQ(project->name, "vision");
  EXPECT_EQ(project->settings.entry_command, "python main.py");
  EXPECT_EQ(project->settings.setup, std::vector<std::string>{"module load cuda"});
  ASSERT_TRUE(project->settings.default_cluster);
  EXPECT_EQ(project->settings.default_cluster->value, "alpha");

  auto job = store.job(JobId{7});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->spec.submission_key.value, "key-7");
  EXPECT_EQ(job->status.phase, Phase::submitted);
  EXPECT_EQ(job->status.state, slurm::JobState::running);
  EXPECT_EQ(job->slurm_job_id, SlurmJobId{4242});
  EXPECT_EQ(job->spec.resources.gpu_count, 2);
  EXPECT_EQ(job->spec.arguments, std::vector<std::string>{"--lr=0.1"});
  EXPECT_FALSE(job->spec.sweep);
  EXPECT_FALSE(job->spec.array_task_index);
  auto found = store.job_by_slurm_id(ClusterName{"alpha"}, SlurmJobId{4242});
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, JobId{7});
  EXPECT_EQ(store.events(JobId{7}).value_or(std::vector<JobEvent>{}).size(), 1u);

  // The upgraded database takes new jobs after the old ones.
  NewJob new_job;
  new_job.project = ProjectId{1};
  new_job.cluster = ClusterName{"alpha"};
  new_job.submission_key = SubmissionKey{"key-8"};
  new_job.command = "python main.py";
  auto next = store.create_job(new_job);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_GT(next->id, JobId{7});
}

TEST(Migration, UpgradesAVersionTwoDatabaseInPlaceWithNoTemplateAndScanOffsetsAtZero) {
  testing::TempDir directory;
  const auto path = directory.path() / "sortie.db";
  {
    // A database as sortie left it before project templates and persisted scan offsets.
    auto old = Database::open(path, {.migrate = Migrate::no});
    ASSERT_TRUE(old);
    ASSERT_TRUE(migrate(*old, 2));
    ASSERT_EQ(old->schema_version(), 2);
    auto inserted = old->execute(R"sql(
      INSERT INTO projects (id, name, path, created_at, entry_command)
        VALUES (1, 'vision', '/src/vision', 1700000000, 'python main.py');
      INSERT INTO jobs (id, project_id, cluster, submission_key, name, phase, slurm_job_id, state,
                        finished, reason, command, delivery_mode, delivery_commit, created_at,
                        updated_at, sweep_id, array_task_index)
        VALUES (7, 1, 'alpha', 'key-7', 'baseline', 'submitted', 4242, 'RUNNING', 0, '',
                'python main.py', 'git', 'abc123', 1700000100, 1700000200, 'sweep-1', 3);
    )sql");
    ASSERT_TRUE(inserted) << inserted.error().message;
  }

  auto database = Database::open(path);
  ASSERT_TRUE(database) << database.error().message;
  EXPECT_EQ(database->schema_version(), latest_schema_version());
  Store store(*database);

  auto project = store.project(ProjectId{1});
  ASSERT_TRUE(project) << project.error().message;
  EXPECT_EQ(project->settings.entry_command, "python main.py");
  EXPECT_FALSE(project->settings.template_path);
  auto job = store.job(JobId{7});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->spec.array_task_index, 3);
  EXPECT_EQ(store.wandb_scan_offset(JobId{7}), 0u);

  // The new columns take writes.
  auto settings = project->settings;
  settings.template_path = "/src/vision/slurm.sbatch.mustache";
  ASSERT_TRUE(store.update_settings(ProjectId{1}, settings));
  EXPECT_EQ(store.project(ProjectId{1})->settings.template_path,
            "/src/vision/slurm.sbatch.mustache");
  ASSERT_TRUE(store.record_wandb_scan_offset(JobId{7}, 123456));
  EXPECT_EQ(store.wandb_scan_offset(JobId{7}), 123456u);
  EXPECT_EQ(store.wandb_scan_offset(JobId{7}, LogStream::err), 0u);
  ASSERT_TRUE(store.record_wandb_scan_offset(JobId{7}, 99, LogStream::err));
  EXPECT_EQ(store.wandb_scan_offset(JobId{7}, LogStream::err), 99u);
  EXPECT_EQ(store.job(JobId{7})->updated_at, job->updated_at);
}

TEST(Migration, UpgradesAVersionThreeDatabaseWithItsJobsAndRecordsSweepsAfterwards) {
  testing::TempDir directory;
  const auto path = directory.path() / "sortie.db";
  {
    // A database as sortie left it before sweeps had their own table.
    auto old = Database::open(path, {.migrate = Migrate::no});
    ASSERT_TRUE(old);
    ASSERT_TRUE(migrate(*old, 3));
    ASSERT_EQ(old->schema_version(), 3);
    auto inserted = old->execute(R"sql(
      INSERT INTO projects (id, name, path, created_at, entry_command)
        VALUES (1, 'vision', '/src/vision', 1700000000, 'python main.py');
      INSERT INTO jobs (id, project_id, cluster, submission_key, name, phase, slurm_job_id, state,
                        finished, reason, command, delivery_mode, delivery_commit, created_at,
                        updated_at)
        VALUES (7, 1, 'alpha', 'key-7', 'baseline', 'submitted', 4242, 'RUNNING', 0, '',
                'python main.py', 'git', 'abc123', 1700000100, 1700000200);
    )sql");
    ASSERT_TRUE(inserted) << inserted.error().message;
  }

  auto database = Database::open(path);
  ASSERT_TRUE(database) << database.error().message;
  EXPECT_EQ(database->schema_version(), latest_schema_version());
  Store store(*database);
  auto job = store.job(JobId{7});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->slurm_job_id, SlurmJobId{4242});
  EXPECT_FALSE(job->spec.sweep);

  // A sweep and its tasks, recorded together; the old job keeps its SLURM id.
  NewSweep sweep{
      SweepId{"sortie-00000000000000aa"}, ProjectId{1}, ClusterName{"alpha"}, SweepMode::paired, 2,
      {"lr=0.1,0.2", "seed=1,2"},         std::nullopt};
  std::vector<NewJob> tasks(2);
  for (int i = 0; i < 2; ++i) {
    auto& task = tasks[static_cast<std::size_t>(i)];
    task.project = ProjectId{1};
    task.cluster = ClusterName{"alpha"};
    task.submission_key = SubmissionKey{sweep.id.value + "_" + std::to_string(i)};
    task.name = "vision";
    task.command = "python main.py";
    task.arguments = {i == 0 ? "lr=0.1" : "lr=0.2", i == 0 ? "seed=1" : "seed=2"};
    task.sweep = sweep.id;
    task.array_task_index = i;
  }
  auto created = store.create_sweep(sweep, tasks);
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(created->size(), 2u);
  EXPECT_EQ((*created)[1].spec.arguments, (std::vector<std::string>{"lr=0.2", "seed=2"}));
  EXPECT_EQ(store.mark_sweep_submitted(sweep.id, SlurmJobId{4243}), 2);
  EXPECT_EQ(store.mark_sweep_submitted(sweep.id, SlurmJobId{4243}), 0);
  EXPECT_EQ(store.job_by_slurm_id(ClusterName{"alpha"}, SlurmJobId{4243}, 1)->value().id,
            (*created)[1].id);
  auto read = store.sweep(sweep.id);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->spec, sweep);
  EXPECT_EQ(read->task_count, 2);
  EXPECT_EQ(store.find_sweeps("00000000"), (std::vector<SweepId>{sweep.id}));
  EXPECT_EQ(store.find_sweeps(sweep.id.value), (std::vector<SweepId>{sweep.id}));
  EXPECT_TRUE(store.find_sweeps("ff")->empty());
  EXPECT_TRUE(store.find_sweeps("%")->empty());
  // A second sweep under the same id is refused and records nothing.
  auto again = store.create_sweep(sweep, tasks);
  ASSERT_FALSE(again);
  EXPECT_EQ(store.count_jobs({}), 3);
}

}  // namespace
}  // namespace sortie::store

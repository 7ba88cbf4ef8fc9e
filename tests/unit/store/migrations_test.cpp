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
            "job_events,job_lists,jobs,project_overrides,project_setup_lines,projects");
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
  EXPECT_EQ(database->schema_version(), 3);
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
  EXPECT_EQ(store.job(JobId{7})->updated_at, job->updated_at);
}

}  // namespace
}  // namespace sortie::store

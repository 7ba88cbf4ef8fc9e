#include "sortie/store/migrations.hpp"

#include <fmt/format.h>

#include <array>

#include "sortie/store/database.hpp"

namespace sortie::store {
namespace {

// Timestamps are whole seconds since the Unix epoch, UTC. Enums are stored by name (phases as
// sortie spells them, states as SLURM does) so the file reads well in the sqlite3 shell.
constexpr std::string_view k_schema_1 = R"sql(
PRAGMA application_id = 1936683636;

CREATE TABLE projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  entry_command TEXT NOT NULL DEFAULT 'python train.py',
  default_cluster TEXT,
  git_remote_url TEXT,
  git_branch TEXT,
  git_commit TEXT,
  git_dirty INTEGER,
  git_pushed INTEGER,
  git_synced_at INTEGER
);

-- A cluster's override of a project's settings; setup lines live in project_setup_lines.
CREATE TABLE project_overrides (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  cluster TEXT NOT NULL CHECK (cluster <> ''),
  entry_command TEXT,
  overrides_setup INTEGER NOT NULL,
  PRIMARY KEY (project_id, cluster)
) WITHOUT ROWID;

-- scope '' holds the project's own setup lines; any other scope is a cluster's override.
CREATE TABLE project_setup_lines (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  scope TEXT NOT NULL,
  position INTEGER NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (project_id, scope, position)
) WITHOUT ROWID;

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  cluster TEXT NOT NULL,
  submission_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  phase TEXT NOT NULL CHECK (phase IN ('submitting', 'submitted', 'submit_failed')),
  slurm_job_id INTEGER,
  state TEXT,
  finished INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  exit_code INTEGER,
  signal INTEGER,
  cancelled_by TEXT,
  submitted_at INTEGER,
  started_at INTEGER,
  ended_at INTEGER,
  nodes TEXT,
  elapsed_seconds INTEGER,
  partition TEXT,
  gpu_type TEXT,
  gpu_count INTEGER,
  node_count INTEGER,
  tasks INTEGER,
  cpus_per_task INTEGER,
  memory TEXT,
  time_limit_minutes INTEGER,
  account TEXT,
  qos TEXT,
  constraints TEXT,
  command TEXT NOT NULL,
  delivery_mode TEXT NOT NULL CHECK (delivery_mode IN ('git', 'snapshot')),
  delivery_commit TEXT NOT NULL,
  snapshot_hash TEXT,
  workspace TEXT NOT NULL DEFAULT '',
  script TEXT NOT NULL DEFAULT '',
  stdout_path TEXT NOT NULL DEFAULT '',
  stderr_path TEXT NOT NULL DEFAULT '',
  rerun_of INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX jobs_by_slurm_id ON jobs (cluster, slurm_job_id)
  WHERE slurm_job_id IS NOT NULL;
CREATE INDEX jobs_by_project ON jobs (project_id, id);
CREATE INDEX jobs_by_cluster ON jobs (cluster, id);
CREATE INDEX jobs_by_state ON jobs (state, id);
CREATE INDEX jobs_by_phase ON jobs (phase, id);
CREATE INDEX jobs_unfinished ON jobs (cluster, id) WHERE finished = 0;
CREATE INDEX jobs_by_rerun ON jobs (rerun_of) WHERE rerun_of IS NOT NULL;

-- A job's ordered string lists: list is 'argument', 'sbatch_line', 'changed_file' or 'wandb_url'.
CREATE TABLE job_lists (
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  list TEXT NOT NULL,
  position INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (job_id, list, position)
) WITHOUT ROWID;

CREATE TABLE job_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  from_phase TEXT,
  from_state TEXT,
  to_phase TEXT NOT NULL,
  to_state TEXT,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_events_by_job ON job_events (job_id, id);
)sql";

// Sweeps: the tasks of one SLURM array share its job id, so uniqueness of a SLURM id per
// cluster now includes the array task index.
constexpr std::string_view k_schema_2 = R"sql(
ALTER TABLE jobs ADD COLUMN sweep_id TEXT;
ALTER TABLE jobs ADD COLUMN array_task_index INTEGER;
DROP INDEX jobs_by_slurm_id;
CREATE UNIQUE INDEX jobs_by_slurm_id ON jobs (cluster, slurm_job_id, coalesce(array_task_index, -1))
  WHERE slurm_job_id IS NOT NULL;
CREATE INDEX jobs_by_sweep ON jobs (sweep_id, array_task_index) WHERE sweep_id IS NOT NULL;
)sql";

// A project may name its own sbatch template (a path on this machine); a job remembers how far
// its stdout was scanned for W&B links, so a restarted sortie does not read the log from byte 0.
constexpr std::string_view k_schema_3 = R"sql(
ALTER TABLE projects ADD COLUMN template_path TEXT;
ALTER TABLE jobs ADD COLUMN wandb_scan_offset INTEGER NOT NULL DEFAULT 0
  CHECK (wandb_scan_offset >= 0);
)sql";

// A sweep submitted as one SLURM array: what was asked (the overrides as typed, how they
// combine, how many tasks may run at once) beside its tasks, which are ordinary jobs carrying
// the sweep's id and their array index. The id is the array's submission key (its SLURM name).
constexpr std::string_view k_schema_4 = R"sql(
CREATE TABLE sweeps (
  id TEXT PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  cluster TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('cartesian', 'paired')),
  max_parallel INTEGER CHECK (max_parallel IS NULL OR max_parallel > 0),
  task_count INTEGER NOT NULL CHECK (task_count > 0),
  rerun_of TEXT,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE sweep_overrides (
  sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (sweep_id, position)
) WITHOUT ROWID;
)sql";

// API tokens for `sortie serve` off loopback: only a hash of each token is kept, never the
// token itself.
constexpr std::string_view k_schema_5 = R"sql(
CREATE TABLE api_tokens (
  name TEXT PRIMARY KEY NOT NULL CHECK (length(name) > 0),
  hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
)sql";

// wandb prints its lines on stderr, so a job's stderr log is scanned for W&B links too, and
// remembers its own offset (wandb_scan_offset stays stdout's).
constexpr std::string_view k_schema_6 = R"sql(
ALTER TABLE jobs ADD COLUMN wandb_stderr_scan_offset INTEGER NOT NULL DEFAULT 0
  CHECK (wandb_stderr_scan_offset >= 0);
)sql";

constexpr std::array k_migrations = {
    Migration{1, "projects, jobs, job lists and events", k_schema_1},
    Migration{2, "sweep id and array task index on jobs", k_schema_2},
    Migration{3, "project template path; W&B scan offset on jobs", k_schema_3},
    Migration{4, "sweeps submitted as SLURM arrays", k_schema_4},
    Migration{5, "API tokens (hashes only)", k_schema_5},
    Migration{6, "W&B scan offset of each job's stderr", k_schema_6},
};

}  // namespace

std::span<const Migration> migrations() {
  return k_migrations;
}

int latest_schema_version() {
  return k_migrations.back().version;
}

core::Result<void> migrate(Database& database, std::optional<int> up_to) {
  const int target = up_to.value_or(latest_schema_version());
  auto initial = database.schema_version();
  if (!initial) return std::unexpected(initial.error());
  if (*initial > latest_schema_version()) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("the database {} was written by a newer sortie (schema version "
                                  "{}; this sortie knows up to {}); upgrade sortie to use it",
                                  database.path().string(), *initial, latest_schema_version()));
  }
  for (const auto& migration : k_migrations) {
    if (migration.version > target) break;
    if (migration.version <= *initial) continue;
    auto applied = database.transaction([&]() -> core::Result<void> {
      // Another process may have applied it since we looked.
      auto current = database.schema_version();
      if (!current) return std::unexpected(current.error());
      if (*current >= migration.version) return {};
      if (auto ran = database.execute(migration.sql); !ran) {
        return core::fail(ran.error().code,
                          fmt::format("schema migration {} ({}): {}", migration.version,
                                      migration.summary, ran.error().message));
      }
      return database.execute(fmt::format("PRAGMA user_version = {}", migration.version));
    });
    if (!applied) return applied;
  }
  return {};
}

}  // namespace sortie::store

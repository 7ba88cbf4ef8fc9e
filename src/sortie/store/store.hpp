#pragma once

// Typed reads and writes of projects, jobs and job events. Every method is one short
// transaction (or joins the caller's `Database::transaction`), so each is atomic; the ones
// whose races matter are compare-and-set and say so.
//
// Submission protocol (never lose or duplicate a job): `create_job` (phase submitting, unique
// submission key) → `record_rendered` → upload → sbatch → `mark_submitted` with SLURM's id. If
// sortie dies in between, reconcile asks SLURM for the submission key and ends with
// `mark_submitted` or `mark_submit_failed`; both only act on a job still `submitting`, so of two
// racing reconcilers exactly one wins.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/store/database.hpp"
#include "sortie/store/ids.hpp"
#include "sortie/store/model.hpp"

namespace sortie::store {

// The time now, in UTC; a parameter so tests can fix it.
using Clock = std::function<Timestamp()>;

// The system clock, to whole seconds.
Timestamp system_now();

// Where the database stood when read: compare two to learn whether anything may have been
// written in between (see Store::change_token).
struct ChangeToken {
  std::int64_t other_connections = 0;  // SQLite's data_version
  std::int64_t this_connection = 0;    // rows this connection changed so far

  friend bool operator==(const ChangeToken&, const ChangeToken&) = default;
};

class Store {
 public:
  // Reads and writes through `database`, which must outlive the Store; used by one thread at a
  // time, like the Database.
  explicit Store(Database& database, Clock clock = system_now);

  // Projects

  // Registers a project. Fails with invalid_argument naming the clash when the name or the
  // path is already registered.
  core::Result<Project> create_project(const NewProject& project);

  // The project with `id`; not_found when there is none.
  core::Result<Project> project(ProjectId id);

  // The project named `name`, or nullopt.
  core::Result<std::optional<Project>> project_by_name(std::string_view name);

  // The project whose checkout is at `path`, or nullopt.
  core::Result<std::optional<Project>> project_by_path(std::string_view path);

  // Every project, by name.
  core::Result<std::vector<Project>> projects();

  // Replaces the project's settings (entry command, setup lines, cluster overrides, default
  // cluster). not_found when there is no such project.
  core::Result<void> update_settings(ProjectId id, const ProjectSettings& settings);

  // Records what the local Git repository looked like. not_found when there is no such project.
  core::Result<void> record_git_state(ProjectId id, const GitSnapshot& git);

  // Removes the project and its settings. Refused (invalid_argument, naming how many) while
  // any job of the project is recorded, so no job loses its project; not_found when absent.
  core::Result<void> delete_project(ProjectId id);

  // Jobs: the submission lifecycle

  // Records a new job in phase `submitting` and its creation event (a task of a sweep is
  // recorded with create_sweep). Fails with
  // invalid_argument when the submission key is already recorded (naming that job), and with
  // not_found when the project does not exist.
  core::Result<Job> create_job(const NewJob& job);

  // Records the rendered script, workspace and log paths of a job still `submitting`.
  // Returns false (and changes nothing) when the job has left `submitting`; not_found when
  // there is no such job.
  core::Result<bool> record_rendered(JobId id, const RenderedJob& rendered);

  // Compare-and-set `submitting` → `submitted` with SLURM's job id, state PENDING. Returns
  // true when this call made the transition, false when the job had already left
  // `submitting` (another process won). not_found when there is no such job;
  // invalid_argument when another job on the cluster already has that SLURM id.
  core::Result<bool> mark_submitted(JobId id, SlurmJobId slurm_job_id);

  // Compare-and-set `submitting` → `submit_failed` with the reason. Returns true when this
  // call made the transition, false when the job had already left `submitting`.
  core::Result<bool> mark_submit_failed(JobId id, std::string_view reason);

  // Records what SLURM says about a submitted job. Writes only when something differs from the
  // record; appends an event only when the state or the reason changed. A recorded final state
  // is kept: a later report of a non-final state (stale squeue output) is ignored. Returns
  // true when an event was appended. not_found when there is no such job; invalid_argument when
  // the job is not `submitted`.
  core::Result<bool> record_state(JobId id, const StateUpdate& update);

  // Sweeps: one SLURM array, many tasks. The same protocol as a job's, for all tasks at once:
  // `create_sweep` (every task `submitting`) → `record_sweep_rendered` → one exchange that
  // writes the task files and runs sbatch → `mark_sweep_submitted` with the array's id. Each
  // step is one transaction over every task still `submitting`, so the tasks never disagree.

  // Records the sweep and its tasks, all `submitting`, in ONE transaction. `tasks[i]` must
  // carry `sweep == sweep.id` and `array_task_index == i`, and submission keys of their own
  // (asserted). Fails like create_job (a clash of keys, an unknown project), and with
  // invalid_argument when the sweep id is already recorded or there are no tasks.
  core::Result<std::vector<Job>> create_sweep(const NewSweep& sweep,
                                              const std::vector<NewJob>& tasks);

  // record_rendered for every task of the sweep still `submitting`; returns how many.
  core::Result<int> record_sweep_rendered(const SweepId& sweep, const RenderedJob& rendered);

  // Compare-and-set `submitting` → `submitted` for every task of the sweep still
  // `submitting`, with the array's SLURM job id and state PENDING; returns how many moved (0
  // when another process won). invalid_argument when another job already has that id and
  // task index on the cluster.
  core::Result<int> mark_sweep_submitted(const SweepId& sweep, SlurmJobId array_job_id);

  // Compare-and-set `submitting` → `submit_failed` for every task of the sweep still
  // `submitting`; returns how many moved.
  core::Result<int> mark_sweep_submit_failed(const SweepId& sweep, std::string_view reason);

  // The sweep; not_found when it is not recorded.
  core::Result<Sweep> sweep(const SweepId& id);

  // The sweep's tasks, by array index (tasks removed with delete_job are missing).
  core::Result<std::vector<Job>> sweep_tasks(const SweepId& id);

  // The ids of recorded sweeps that are `text` or start with it, or whose part after
  // "sortie-" does (so `3fa9` finds `sortie-3fa9...`); at most `limit`, sorted.
  core::Result<std::vector<SweepId>> find_sweeps(std::string_view text, int limit = 10);

  // Runs `body` (which calls this Store) in one write transaction: many small writes cost one
  // commit. Commits when `body` returns a value, rolls back on an error.
  template <class Body>
  auto in_one_transaction(Body&& body) -> std::invoke_result_t<Body&> {
    return m_database.transaction(body);
  }

  // Adds a W&B run URL to the job unless it is already listed. not_found when no such job.
  core::Result<void> add_wandb_url(JobId id, std::string_view url);

  // Where scanning the job's `stream` log for W&B links resumes: 0 until one was recorded.
  // Each stream has its own offset. not_found when there is no such job.
  core::Result<std::uint64_t> wandb_scan_offset(JobId id, LogStream stream = LogStream::out);

  // Records where scanning the job's `stream` log for W&B links resumes (a line boundary, so a
  // link is never cut); the other stream's offset is kept. Touches nothing else (not
  // updated_at: it is not a change of the job). not_found when there is no such job.
  core::Result<void> record_wandb_scan_offset(JobId id, std::uint64_t offset,
                                              LogStream stream = LogStream::out);

  // Deletes the job, its events and its lists; jobs that were reruns of it keep existing with
  // no `rerun_of`. Whether an active job may be deleted is the caller's decision. Returns false
  // when there was no such job.
  core::Result<bool> delete_job(JobId id);

  // Jobs: queries

  // The job with `id`; not_found when there is none.
  core::Result<Job> job(JobId id);

  // The job recorded under `key`, or nullopt.
  core::Result<std::optional<Job>> job_by_submission_key(const SubmissionKey& key);

  // The job SLURM knows as `slurm_job_id` on `cluster` (for an array task, with its index), or
  // nullopt.
  core::Result<std::optional<Job>> job_by_slurm_id(const ClusterName& cluster,
                                                   SlurmJobId slurm_job_id,
                                                   std::optional<int> array_task_index = {});

  // Jobs on `cluster` that may still change: `submitting`, or `submitted` with no final state.
  // Oldest first. For tracking: only the id, spec.cluster, key, name, phase, SLURM id and state
  // fields, code mode, paths and times are read; resources, command, commit, script, rerun and
  // sweep links and lists are left empty (see job() for a whole job).
  core::Result<std::vector<Job>> unfinished_jobs(const ClusterName& cluster);

  // Where the database stands now, without reading any table: two tokens are equal only when
  // no row was written in between, by this Store's connection or by any other (another
  // process, another thread's Database). Unequal tokens may also follow writes that changed
  // nothing the caller reads, so a cache re-reads then. Fails (io_error) when SQLite cannot say.
  core::Result<ChangeToken> change_token();

  // A page of the jobs matching `filter`, newest first. `page.limit` must be positive.
  core::Result<JobPage> list_jobs(const JobFilter& filter, const PageRequest& page);

  // How many jobs match `filter`.
  core::Result<std::int64_t> count_jobs(const JobFilter& filter);

  // The job's events, oldest first.
  core::Result<std::vector<JobEvent>> events(JobId id);

  // Events of every job recorded after the event numbered `sequence`, oldest first, at most
  // `limit` (for live updates: pass the last sequence seen).
  core::Result<std::vector<JobEvent>> events_after(std::int64_t sequence, int limit);

  // The newest event's sequence number; 0 when there is none.
  core::Result<std::int64_t> latest_event_sequence();

  // API tokens (only their SHA-256 hashes are stored)

  // Records a token's hash under `name`. invalid_argument when the name is taken.
  core::Result<void> create_token(std::string_view name, std::string_view hash);

  // The name of the token whose hash is `hash`, or nullopt.
  core::Result<std::optional<std::string>> token_name(std::string_view hash);

  // Every token, by name.
  core::Result<std::vector<ApiToken>> tokens();

  // Forgets the token `name`; false when there was none.
  core::Result<bool> delete_token(std::string_view name);

 private:
  core::Result<void> write_settings(ProjectId id, const ProjectSettings& settings);
  core::Result<Project> read_project(Statement& row);
  core::Result<std::optional<Project>> project_where(std::string_view sql, std::string_view value);
  core::Result<std::vector<Job>> read_jobs(Statement& statement, std::size_t expected = 0);
  core::Result<void> load_lists(std::vector<Job>& jobs);
  core::Result<Job> read_job(JobId id);
  core::Result<std::optional<Job>> single_job(Statement& statement);
  core::Result<std::vector<Job>> read_sweep_tasks(const SweepId& id);
  core::Result<JobId> insert_job(const NewJob& job);
  core::Result<void> append_event(JobId id, const std::optional<JobStatus>& from,
                                  const JobStatus& to, std::string_view detail, Timestamp at);

  Database& m_database;
  Clock m_clock;
};

}  // namespace sortie::store

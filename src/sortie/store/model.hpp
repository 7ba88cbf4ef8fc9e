#pragma once

// The plain structs the store reads and writes. No SQL here: callers see only these.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/slurm/job_state.hpp"
#include "sortie/store/ids.hpp"

namespace sortie::store {

using Timestamp = std::chrono::sys_seconds;  // UTC, whole seconds

// A project's run settings that one cluster overrides; unset fields fall back to the project's.
struct ClusterOverride {
  std::optional<std::string> entry_command;
  std::optional<std::vector<std::string>> setup;
  friend bool operator==(const ClusterOverride&, const ClusterOverride&) = default;
};

// How a project runs, as the user configured it.
struct ProjectSettings {
  std::string entry_command = "python train.py";
  std::vector<std::string> setup;  // shell lines run before the entry command, in order
  std::map<std::string, ClusterOverride> cluster_overrides;  // keyed by cluster name
  std::optional<ClusterName> default_cluster;
  // The project's own sbatch template (an absolute path on this machine); it beats the
  // cluster's and the built-in one.
  std::optional<std::string> template_path;
  friend bool operator==(const ProjectSettings&, const ProjectSettings&) = default;
};

// The local Git repository's state when sortie last looked.
struct GitSnapshot {
  std::string remote_url;
  std::string branch;
  std::string commit;
  bool dirty = false;
  bool pushed = false;  // the commit is on the remote
  Timestamp synced_at{};
  friend bool operator==(const GitSnapshot&, const GitSnapshot&) = default;
};

// What registering a project needs.
struct NewProject {
  std::string name;
  std::string path;  // absolute path of the local checkout
  ProjectSettings settings;
};

// A registered project.
struct Project {
  ProjectId id;
  std::string name;
  std::string path;
  Timestamp created_at{};
  ProjectSettings settings;
  std::optional<GitSnapshot> git;
};

// Resources asked of SLURM; unset fields are left to the cluster's defaults.
struct Resources {
  std::optional<std::string> partition;
  std::optional<std::string> gpu_type;
  std::optional<int> gpu_count;
  std::optional<int> nodes;
  std::optional<int> tasks;
  std::optional<int> cpus_per_task;
  std::optional<std::string> memory;  // as sbatch takes it, e.g. "32G"
  std::optional<int> time_limit_minutes;
  std::optional<std::string> account;
  std::optional<std::string> qos;
  std::optional<std::string> constraint;
  std::vector<std::string> extra_sbatch_lines;  // verbatim "#SBATCH ..." lines
  friend bool operator==(const Resources&, const Resources&) = default;
};

enum class DeliveryMode { git, snapshot };

// How the code reached the cluster.
struct CodeDelivery {
  DeliveryMode mode = DeliveryMode::git;
  std::string commit;
  std::optional<std::string> snapshot_hash;  // set for snapshot deliveries
  std::vector<std::string> changed_files;    // uncommitted files a snapshot carried
  friend bool operator==(const CodeDelivery&, const CodeDelivery&) = default;
};

// Everything sortie knows about a job before it renders the script: what `create_job` records.
struct NewJob {
  ProjectId project;
  ClusterName cluster;
  SubmissionKey submission_key;
  std::string name;
  Resources resources;
  std::string command;
  std::vector<std::string> arguments;
  CodeDelivery code;
  std::optional<JobId> rerun_of;
  std::optional<SweepId> sweep;
  std::optional<int> array_task_index;
  friend bool operator==(const NewJob&, const NewJob&) = default;
};

// What rendering the submission produced: recorded before the upload so a crash after it
// leaves the exact script and paths on record.
struct RenderedJob {
  std::string workspace;  // directory on the cluster
  std::string script;     // the exact sbatch script
  std::string stdout_path;
  std::string stderr_path;
  friend bool operator==(const RenderedJob&, const RenderedJob&) = default;
};

// One of a job's two logs: SLURM's --output file (stdout) or its --error file (stderr).
enum class LogStream { out, err };

// sortie's side of a job's life; the SLURM state is tracked separately once a SLURM job exists.
enum class Phase {
  submitting,     // recorded; sbatch may or may not have run
  submitted,      // SLURM accepted it and its id is recorded
  submit_failed,  // no SLURM job exists; `reason` says why
};

// "submitting", "submitted", "submit_failed".
std::string_view to_string(Phase phase);

// The phase for its name; nullopt for anything else.
std::optional<Phase> parse_phase(std::string_view text);

// A point in a job's life: its phase and, once SLURM reported one, SLURM's state.
struct JobStatus {
  Phase phase = Phase::submitting;
  std::optional<slurm::JobState> state;
  friend bool operator==(const JobStatus&, const JobStatus&) = default;
};

// True when the job will not change any more: submission failed, or SLURM's state is final.
bool is_finished(const JobStatus& status);

// A recorded job.
struct Job {
  JobId id;
  NewJob spec;
  RenderedJob rendered;
  JobStatus status;
  std::optional<SlurmJobId> slurm_job_id;
  std::string reason;  // SLURM's pending reason, or why submission or the job failed
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::optional<std::string> cancelled_by;
  std::optional<Timestamp> submitted_at;
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> ended_at;
  std::optional<std::string> nodes;  // SLURM's node list, e.g. "gpu[01-02]"
  std::optional<std::int64_t> elapsed_seconds;
  std::vector<std::string> wandb_urls;
  Timestamp created_at{};
  Timestamp updated_at{};
};

// What the monitor learned about a submitted job. Unset optional fields keep the recorded
// value (squeue knows less than sacct); `reason` always replaces it.
struct StateUpdate {
  slurm::JobState state = slurm::JobState::pending;
  std::string reason;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::optional<std::string> cancelled_by;
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> ended_at;
  std::optional<std::string> nodes;
  std::optional<std::int64_t> elapsed_seconds;
};

// One recorded transition of a job.
struct JobEvent {
  std::int64_t sequence = 0;  // increases with every event in the database
  JobId job;
  Timestamp at{};
  std::optional<JobStatus> from;  // nullopt for the job's creation
  JobStatus to;
  std::string detail;
};

// An API token as listed: never the token itself.
struct ApiToken {
  std::string name;
  Timestamp created_at{};
};

// How a sweep's overrides combine into tasks (Hydra's basic sweeper, or element-wise).
enum class SweepMode { cartesian, paired };

// "cartesian", "paired".
std::string_view to_string(SweepMode mode);

// What `create_sweep` records besides the tasks.
struct NewSweep {
  SweepId id;  // the array's submission key, which is also its SLURM job name
  ProjectId project;
  ClusterName cluster;
  SweepMode mode = SweepMode::cartesian;
  std::optional<int> max_parallel;     // the `%P` of --array; nullopt: SLURM's limit only
  std::vector<std::string> overrides;  // as the user typed them (with the sweeps)
  std::optional<SweepId> rerun_of;
  friend bool operator==(const NewSweep&, const NewSweep&) = default;
};

// A recorded sweep; its tasks are jobs whose spec.sweep is its id.
struct Sweep {
  NewSweep spec;
  int task_count = 0;
  Timestamp created_at{};
};

// Which jobs a listing or count covers; unset fields match every job.
struct JobFilter {
  std::optional<SweepId> sweep;
  std::optional<ProjectId> project;
  std::optional<ClusterName> cluster;
  std::optional<Phase> phase;
  std::optional<slurm::JobState> state;
};

// A page request, newest job first. `before` is the cursor: the previous page's `next_cursor`.
struct PageRequest {
  int limit = 50;
  std::optional<JobId> before;
  std::int64_t offset = 0;  // rows skipped after the cursor (for numbered pages)
};

// One page of jobs, newest first. `next_cursor` is set when older jobs may follow; pages stay
// stable while new jobs are recorded, because the cursor is a job id, not an offset.
struct JobPage {
  std::vector<Job> jobs;
  std::optional<JobId> next_cursor;
};

}  // namespace sortie::store

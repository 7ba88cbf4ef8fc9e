#pragma once

// Submitting a job exactly once: validate against the cluster, record it under a unique
// submission key (which is also the SLURM job name), render, then one exchange that makes the
// job's directory, writes the script and runs `sbatch --parsable`. Whatever goes wrong after the
// job is recorded leaves a record that either names SLURM's job, says why no job exists, or stays
// `submitting` until reconcile() (track.hpp) asks SLURM by the key.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sortie/config/clusters.hpp"
#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/script/render.hpp"
#include "sortie/script/resources.hpp"
#include "sortie/slurm/node.hpp"
#include "sortie/slurm/partition.hpp"
#include "sortie/store/model.hpp"
#include "sortie/store/store.hpp"

namespace sortie::jobs {

// The code a job runs and how it gets to the cluster.
struct CodeToDeliver {
  store::CodeDelivery record;  // what the job record says (mode, commit, hash, changed files)
  std::string repository_url;  // git mode: what the cluster's clone cache fetches from
  // Snapshot mode: produces the tar archive whose content hash is `record.snapshot_hash`;
  // called only when the cluster does not already hold that archive. Empty when the archive
  // must already be there (a rerun runs exactly what the original job ran and never snapshots
  // the working tree again): then plan() fails when it is gone.
  std::function<core::Result<std::string>()> archive;
};

// What the user asked to run.
struct SubmitRequest {
  store::Project project;
  config::Cluster cluster;
  script::Resources resources;  // job_name is replaced by the submission key
  std::string name;             // shown in listings; defaults to the project's name
  std::vector<std::string> arguments;
  CodeToDeliver code;
  // The sbatch template; nullopt: the built-in one (script::default_template()).
  std::optional<script::Template> script_template;
  // When set, replaces the project's entry command (a rerun runs the one recorded).
  std::optional<std::string> entry_command;
  // The job this one reruns; recorded as its rerun_of.
  std::optional<store::JobId> rerun_of;
};

// The paths of one job on the cluster, all absolute.
struct JobPaths {
  std::string workspace;  // the cluster's workspace root, `~` resolved
  std::string job_dir;    // <workspace>/jobs/<key>; the job makes it when it starts
  std::string script;     // <job_dir>.sbatch (logs: script::log_patterns())
  std::string snapshot;   // <workspace>/snapshots/<hash>.tar (snapshot mode only)
  std::string tasks_dir;  // <job_dir>/tasks: an array's per-task argument files (arrays only)
};

// Everything submit learned and produced before touching the record: the rendered script and
// where it goes.
struct Plan {
  store::SubmissionKey key;
  std::string remote_user;  // whoami on the cluster
  JobPaths paths;
  script::ScriptContext context;
  std::string script;
  bool snapshot_present = false;  // the archive is already on the cluster
};

// What the validation exchange learns about a cluster: its layout and where the workspace is.
struct ClusterFacts {
  std::vector<slurm::Partition> partitions;
  std::vector<slurm::Node> nodes;
  std::string workspace;  // absolute
  std::string user;
};

// Recently learned ClusterFacts per cluster, so a long-lived process (a server, a benchmark)
// submits warm in ONE exchange; layouts change rarely, and sbatch still refuses what no longer
// fits (then the job is recorded submit_failed with SLURM's reason). Safe across threads.
class ClusterFactsCache {
 public:
  explicit ClusterFactsCache(std::chrono::seconds max_age = std::chrono::seconds(60))
      : m_max_age(max_age) {}

  // The facts of `cluster` learned less than max_age ago, or nullopt.
  std::optional<ClusterFacts> get(const std::string& cluster) const;
  void put(const std::string& cluster, ClusterFacts facts);

 private:
  struct Entry {
    ClusterFacts facts;
    std::chrono::steady_clock::time_point learned_at;
  };
  std::chrono::seconds m_max_age;
  mutable std::mutex m_mutex;
  std::map<std::string, Entry> m_entries;
};

struct SubmitOptions {
  std::chrono::milliseconds validation_timeout{30'000};
  std::chrono::milliseconds submission_timeout{120'000};
  std::chrono::milliseconds upload_timeout{300'000};
  // When set, git-mode submissions reuse facts learned less than its max_age ago and skip the
  // validation exchange. Snapshot submissions always ask (they must know whether the archive is
  // there).
  ClusterFactsCache* facts_cache = nullptr;
  // Called as the submission passes each step: "recorded" (the job is on record, nothing sent),
  // "rendered" (the script is on record), "answered" (SLURM answered sbatch; its id is not yet
  // recorded). Fault-injection tests stop the process there (see cli/job_commands.cpp).
  std::function<void(std::string_view step)> checkpoint;
};

// The result of a submission whose job got recorded. `job` is the record as it stands:
// `submitted` (with SLURM's id), `submit_failed` (with the reason) or still `submitting` when
// SLURM's answer was lost; then `error` says so and that reconcile settles it.
struct SubmitOutcome {
  store::Job job;
  std::optional<core::Error> error;
};

// A fresh submission key: "sortie-" and 16 random hex digits. It is the SLURM job name.
store::SubmissionKey new_submission_key();

// The submission key of task `index` of the sweep whose array is submitted under `sweep`:
// "<sweep>_<index>", as SLURM names the task (`%A_%a`). Only the sweep's key reaches SLURM.
store::SubmissionKey task_submission_key(const store::SweepId& sweep, int index);

// The most tasks one sweep may have: SLURM's default MaxArraySize is 1001, and a sweep of
// more than this is almost certainly a mistake in the overrides.
inline constexpr std::size_t k_max_sweep_tasks = 10'000;

// What a sweep adds to a SubmitRequest. The request's `arguments` are ignored: task i gets
// `combinations[i]` (each task's record keeps them as its arguments).
struct SweepRequest {
  std::vector<std::vector<std::string>> combinations;   // 1 to k_max_sweep_tasks, in order
  std::optional<int> max_parallel;                      // --array=0-(N-1)%P; nullopt: no %P
  store::SweepMode mode = store::SweepMode::cartesian;  // recorded, for listings and reruns
  std::vector<std::string> overrides;                   // as typed, recorded with the sweep
  std::optional<store::SweepId> rerun_of;               // the sweep this one reruns
  // Per task, the job it reruns (empty, or one entry per combination).
  std::vector<std::optional<store::JobId>> task_rerun_of;
};

// The result of a sweep submission whose tasks got recorded: the tasks as they stand (all
// `submitted` with the array's id, all `submit_failed` with the reason, or all still
// `submitting` when SLURM's answer was lost; then `error` says so and reconcile settles them).
struct SweepOutcome {
  store::SweepId sweep_id;
  std::vector<store::Job> tasks;
  std::optional<core::Error> error;
};

// The --array value for `count` tasks at most `max_parallel` at once: "0-5", "0-5%3", "0".
std::string array_spec(std::size_t count, std::optional<int> max_parallel);

// Checks a sweep before anything is recorded: 1 to k_max_sweep_tasks combinations, a
// positive max_parallel, and arguments a task file can carry (no line break or NUL; the
// message names the task and the argument). invalid_argument otherwise.
core::Result<void> check_sweep(const SweepRequest& sweep);

// The validation exchange (partitions, nodes, home directory, user, whether the snapshot is
// already uploaded: ONE Remote::run; none with fresh facts in options.facts_cache, see there),
// the resource check and the rendering. Records nothing.
// Fails with the cluster's or the check's error, with the template's error (naming its file,
// line and variable), and with not_found when a snapshot is neither on the cluster nor
// uploadable (`code.archive` empty).
core::Result<Plan> plan(remote::Remote& remote, const SubmitRequest& request,
                        const store::SubmissionKey& key, const SubmitOptions& options = {});

// Submits `request` exactly once (see the file comment). Fails without recording anything when
// validation fails; once the job is recorded, returns the outcome.
core::Result<SubmitOutcome> submit(store::Store& store, remote::Remote& remote,
                                   const SubmitRequest& request, const SubmitOptions& options = {});

// Submits `request` as ONE SLURM array of `sweep.combinations.size()` tasks, exactly once:
// validates and renders like submit() (the script reads task i's arguments from
// <job_dir>/tasks/<i>), records the sweep and every task `submitting` in one transaction
// under the sweep's key (the array's SLURM name; each task has its own key
// task_submission_key()), then ONE exchange writes the script and every task file and runs
// sbatch --array; SLURM's answer moves all tasks at once. Fails without recording anything
// when check_sweep() or validation fails.
core::Result<SweepOutcome> submit_sweep(store::Store& store, remote::Remote& remote,
                                        const SubmitRequest& request, const SweepRequest& sweep,
                                        const SubmitOptions& options = {});

// The commands of the submission exchange, in order: make sure <workspace>/jobs exists,
// (snapshot mode, when just uploaded: move the partial archive into place,) (arrays: make
// <job_dir>/tasks and write `task_files[i]` as its file `i`,) write the script,
// `sbatch --parsable SCRIPT`. On a warm shell only sbatch starts a process.
std::vector<remote::Command> submission_commands(const Plan& plan,
                                                 const std::optional<std::string>& partial_archive,
                                                 const std::vector<std::string>& task_files = {});

}  // namespace sortie::jobs

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sortie/store/model.hpp"

namespace sortie::json {

// A job as `sortie show --json` and `sortie jobs --json` print it, with its project's name and
// its log paths (SLURM's id already substituted; empty before SLURM gave one).
struct JobDocument {
  store::Job job;
  std::string project;
  std::string stdout_path;
  std::string stderr_path;
};

// One job: id, project, cluster, name, submission_key, phase, slurm_job_id, state, reason,
// exit_code, signal, cancelled_by, created_at/submitted_at/started_at/ended_at (ISO 8601 UTC or
// null), elapsed_seconds, nodes, resources, command, arguments, code {mode, commit,
// snapshot_hash, changed_files}, wandb_urls, log_paths {stdout, stderr}.
std::string to_json(const JobDocument& job);

// A list of jobs: {"jobs": [...]} with each as above.
std::string to_json(const std::vector<JobDocument>& jobs);

}  // namespace sortie::json

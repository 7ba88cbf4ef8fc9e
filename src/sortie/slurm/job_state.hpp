#pragma once

#include <optional>
#include <string_view>

namespace sortie::slurm {

// Every job state SLURM reports (squeue, sacct, scontrol show job), kept distinct.
enum class JobState {
  pending,
  configuring,
  running,
  completing,
  completed,
  failed,
  cancelled,
  timeout,
  out_of_memory,
  node_fail,
  preempted,
  requeued,      // REQUEUED, REQUEUE_FED, REQUEUE_HOLD
  suspended,
  boot_fail,
  deadline,
  resizing,
  revoked,
  signaling,
  special_exit,
  stage_out,
  stopped,
};

// The state for SLURM's name of it ("PENDING", "CANCELLED", "OUT_OF_MEMORY", and the short
// codes "PD", "R", "CG", "CA", "OOM", ...); sacct's "CANCELLED by 1000" is CANCELLED.
// nullopt for a name SLURM does not use.
std::optional<JobState> parse_job_state(std::string_view text);

// SLURM's name of the state, e.g. "OUT_OF_MEMORY".
std::string_view to_string(JobState state);

// True for states a job never leaves (COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY,
// NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE, REVOKED, SPECIAL_EXIT).
bool is_final(JobState state);

}  // namespace sortie::slurm

#pragma once

#include <optional>
#include <string_view>

namespace sortie::slurm {

// Every job state SLURM 20.11 to 26.05 reports (squeue, sacct, scontrol show job), kept
// distinct: the base states and the flags SLURM names instead of the base state while they are
// set (src/common/slurm_protocol_defs.c, job_state_string() and job_state_string_complete()).
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
  requeued,  // REQUEUED, REQUEUE_FED, REQUEUE_HOLD, REQUEUED_CRON (20.11 only)
  suspended,
  boot_fail,
  deadline,
  resizing,
  revoked,
  signaling,
  special_exit,
  stage_out,
  stopped,
  resv_del_hold,  // held because its reservation was deleted
  expediting,     // 26.05: an expedited requeue under way
  // Flags job_state_string_complete() lists after the base state ("PENDING,POWER_UP_NODE");
  // read only when SLURM names no base state.
  power_up_node,
  launch_failed,
  update_db,
  reconfig_fail,
};

// The state for SLURM's name of it ("PENDING", "CANCELLED", "OUT_OF_MEMORY", and the short
// codes "PD", "R", "CG", "CA", "OOM", ...) as any version from 20.11 to 26.05 prints it:
// sacct's "CANCELLED by 1000" is CANCELLED; a base state with flags ("CANCELLED+COMPLETING",
// "PENDING,REQUEUE_HOLD") is the flag SLURM's own job_state_string() would name first
// (COMPLETING, STAGE_OUT, CONFIGURING, EXPEDITING, RESIZING, REQUEUED, ...), else the base.
// nullopt for a name SLURM does not use (names are upper case, as SLURM prints them).
std::optional<JobState> parse_job_state(std::string_view text);

// SLURM's name of the state, e.g. "OUT_OF_MEMORY".
std::string_view to_string(JobState state);

// True for states a job never leaves (COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY,
// NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE, REVOKED, SPECIAL_EXIT).
bool is_final(JobState state);

}  // namespace sortie::slurm

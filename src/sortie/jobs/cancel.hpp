#pragma once

// Cancelling a job, one task of a sweep, or a whole sweep: `scancel` its SLURM job, task or
// array. The record changes only when SLURM reports the job CANCELLED (the tracker's next
// tick), so it never claims what SLURM has not done.

#include <chrono>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/store/model.hpp"

namespace sortie::jobs {

// Asks SLURM to cancel `job`: `scancel 123`, or `scancel 123_4` for task 4 of a sweep (that
// task only). invalid_argument when the job has no SLURM job (still submitting, or its
// submission failed); command_failed with scancel's words when it refuses; the connection's
// error when the cluster cannot be reached.
core::Result<void> cancel(const store::Job& job, remote::Remote& remote,
                          std::chrono::milliseconds timeout);

// Asks SLURM to cancel every task of a sweep at once: `scancel ARRAY` for the array the tasks
// were submitted as. `tasks` are the sweep's tasks (Store::sweep_tasks). invalid_argument when
// no task has a SLURM job (the sweep is still submitting or failed to submit); otherwise as
// cancel().
core::Result<void> cancel_sweep(const std::vector<store::Job>& tasks, remote::Remote& remote,
                                std::chrono::milliseconds timeout);

}  // namespace sortie::jobs

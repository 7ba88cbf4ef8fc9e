#pragma once

// Cancelling a job: `scancel` its SLURM job. The record changes only when SLURM reports the
// job CANCELLED (the tracker's next tick), so it never claims what SLURM has not done.

#include <chrono>

#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/store/model.hpp"

namespace sortie::jobs {

// Asks SLURM to cancel `job`. invalid_argument when the job has no SLURM job (still
// submitting, or its submission failed); command_failed with scancel's words when it refuses;
// the connection's error when the cluster cannot be reached.
core::Result<void> cancel(const store::Job& job, remote::Remote& remote,
                          std::chrono::milliseconds timeout);

}  // namespace sortie::jobs

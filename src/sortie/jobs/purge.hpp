#pragma once

// Removing a finished job's files from the cluster: everything sortie put or had SLURM put under
// <workspace>/jobs/<key>*, and nothing else.

#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/store/model.hpp"

namespace sortie::jobs {

// True while the job may still change on the cluster: `submitting` (SLURM may have it), or
// submitted without a final state (pending, running, completing, suspended, requeued, ...).
bool is_active(const store::Job& job);

// The commands, for one exchange, that remove the job's files: its directory (recursively),
// its script `<job_dir>.sbatch` and its logs (the recorded stdout/stderr patterns with SLURM's
// id filled in; for an array `%A_%a`, every task's file, matched by `find -name`, not by a
// shell). Empty when the job was never rendered. Every path is checked to lie under
// `<workspace>/jobs/<key>` (an absolute, normal job dir named after the job's submission key,
// in a folder named `jobs`); anything else fails with invalid_argument and removes nothing.
// A task of a sweep shares the sweep's directory and script (named by the sweep's key) with
// the other tasks: only its own logs (`%A_%a` with its index) and its argument file
// `<job_dir>/tasks/<index>` are removed.
core::Result<std::vector<remote::Command>> purge_commands(const store::Job& job);

}  // namespace sortie::jobs

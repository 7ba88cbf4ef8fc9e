#pragma once

// Running a recorded job again: exactly the same code (mode, commit, snapshot), entry command,
// arguments and resources, on the same cluster, as a new job that says which one it reruns.

#include "sortie/config/clusters.hpp"
#include "sortie/core/error.hpp"
#include "sortie/jobs/submit.hpp"
#include "sortie/script/resources.hpp"
#include "sortie/store/model.hpp"

namespace sortie::jobs {

// The resources a job recorded, as a request (the partition and time limit it was given are
// asked for explicitly, so a changed cluster default does not change the rerun).
script::Resources requested_resources(const store::Resources& recorded);

// The submission that reruns `job` of `project` on `cluster` (the cluster the job ran on),
// for jobs::submit. Git mode fetches the recorded commit from the project's remote (read from
// its checkout now, else as last recorded); snapshot mode reuses the archive the job ran
// (<workspace>/snapshots/<hash>.tar) and never snapshots the working tree again: the request
// has no archive to upload, so plan() fails with not_found when it is gone. The template is
// the one chosen now for the project and cluster (`script_template`, nullopt: the built-in).
// A task of a sweep reruns as a single job with the task's own overrides (its arguments).
// Fails with invalid_argument for a job that was never recorded with its code, or a git job
// whose project has no remote.
core::Result<SubmitRequest> rerun_request(const store::Job& job, const store::Project& project,
                                          const config::Cluster& cluster,
                                          std::optional<script::Template> script_template);

// Which tasks of a sweep a rerun submits again.
enum class RerunTasks {
  all,     // every recorded task
  failed,  // tasks that ended other than COMPLETED (FAILED, CANCELLED, TIMEOUT, ..., or whose
           // submission failed)
};

// A sweep rerun: the request (as rerun_request() builds it from the first task: same code,
// command, resources) and the new array's tasks, renumbered from 0 in the old order, each
// recording the task it reruns.
struct SweepRerun {
  SubmitRequest request;
  SweepRequest sweep;
};

// The submission that reruns sweep `sweep` (its recorded `tasks`, Store::sweep_tasks) as a
// new array, for jobs::submit_sweep: the same overrides, mode and --parallel limit, recorded
// with `rerun_of` = the sweep. Fails as rerun_request() does, and with invalid_argument when
// no task is selected (naming how many tasks there are and in which states).
core::Result<SweepRerun> rerun_sweep_request(const store::Sweep& sweep,
                                             const std::vector<store::Job>& tasks,
                                             const store::Project& project,
                                             const config::Cluster& cluster,
                                             std::optional<script::Template> script_template,
                                             RerunTasks which = RerunTasks::all);

}  // namespace sortie::jobs

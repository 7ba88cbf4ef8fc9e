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
// Fails with invalid_argument for a task of a sweep (its arguments come from the array), a
// job that was never recorded with its code, or a git job whose project has no remote.
core::Result<SubmitRequest> rerun_request(const store::Job& job, const store::Project& project,
                                          const config::Cluster& cluster,
                                          std::optional<script::Template> script_template);

}  // namespace sortie::jobs

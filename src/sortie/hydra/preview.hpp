#pragma once

// Previewing a multirun before anything is submitted: the override list of each job in
// Hydra's BasicSweeper order, with glob() expanded over the real options of the config
// groups, and every job composed once, so that a sweep with one bad combination is caught on
// the researcher's machine rather than as a failed job on the cluster. Pure apart from the
// config source it reads through.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/config_repository.hpp"
#include "sortie/hydra/config_source.hpp"
#include "sortie/hydra/override.hpp"
#include "sortie/hydra/sweep.hpp"

namespace sortie::hydra {

struct PreviewOptions {
  SweepMode mode = SweepMode::cartesian;
  std::size_t max_jobs = k_max_jobs;  // fewer may be asked for, not more
  VersionBase version_base = VersionBase::current;
};

// The options of config group `group` ("model", "server/db") in `source`, sorted; empty when
// it is not a group. What glob() sweeps over.
std::vector<std::string> group_options(const ConfigSource& source, std::string_view group);

// The override list of each job of the multirun `overrides` of primary config `config_name`
// ("" for none), each as Hydra would pass it to the job. Fails with:
// - check_multirun's error (sweeping over `hydra.` keys);
// - not_found for a glob() over a key that is not a config group of the source, and
//   invalid_argument for a glob() that matches none of the group's options (Hydra would run
//   no job; a preview says why instead);
// - expand_jobs' errors (unequal paired sweeps, more than min(max_jobs, k_max_jobs) jobs,
//   interval());
// - the first job that does not compose, with that error's code and the message
//   "job #<index> of <count> (<its overrides>): <why>", the index 0-based as Hydra numbers
//   jobs (hydra.job.num).
core::Result<std::vector<std::vector<std::string>>> preview_sweep(
    const ConfigSource& source, const ParseYaml& parse, std::string_view config_name,
    const std::vector<Override>& overrides, const PreviewOptions& options = {});

}  // namespace sortie::hydra

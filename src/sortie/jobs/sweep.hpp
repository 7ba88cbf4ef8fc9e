#pragma once

// From what a user types after `sortie submit PROJECT -m --` to the combinations of a sweep:
// the project's Hydra app read from its checkout (as Hydra finds it), the overrides expanded
// as Hydra's basic sweeper does (or paired), every combination composed so a bad one is caught
// before anything is submitted. And the check a single run makes: sweeps need --multirun.
// Submitting the combinations is submit_sweep() (submit.hpp).

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/config_repository.hpp"
#include "sortie/jobs/submit.hpp"
#include "sortie/store/model.hpp"

namespace sortie::jobs {

// Where a project's Hydra app keeps its configs, as Hydra finds them.
struct HydraApp {
  std::filesystem::path config_dir;  // absolute, normalised
  std::string config_name;           // the primary config; "" for none (config_name=None)
  hydra::VersionBase version_base = hydra::VersionBase::current;
};

// The Hydra app of `project`'s checkout: the script the entry command runs (the first `*.py`
// word, or `-m pkg.mod`), its `@hydra.main(config_path=..., config_name=..., version_base=...)`
// and the config directory relative to the script. Fails, with a message naming the project:
// invalid_argument when the entry command names no script, the script has no readable
// @hydra.main, config_path is None or a `pkg://` source; not_found when the script is not in
// the checkout; io_error when it cannot be read.
core::Result<HydraApp> find_hydra_app(const store::Project& project);

// A sweep's combinations and how they were checked.
struct ExpandedSweep {
  std::vector<std::vector<std::string>> combinations;  // the overrides of task i, in order
  bool composed = false;  // every combination was composed against the project's configs
  std::string note;       // why not, when not
};

// Expands `overrides` (Hydra override syntax, as typed after `-m --`) into the combinations of
// a multirun, in Hydra's order (cartesian: the first swept key varies slowest; paired: task i
// takes value i of every sweep). When the project has a Hydra app sortie can read,
// `glob()` runs over its real config groups and every combination is composed (the first
// that fails is named with its index); otherwise the overrides are expanded without composing
// and `note` says why. N = 1 (no sweep) is a valid sweep of one task. Fails with
// invalid_argument on an argument that is not a Hydra override (naming it), on sweeping over
// `hydra.` keys, unequal paired sweeps, more than `max_tasks` combinations; with the
// composition's error otherwise.
core::Result<ExpandedSweep> expand_sweep(const store::Project& project,
                                         const std::vector<std::string>& overrides,
                                         store::SweepMode mode,
                                         std::size_t max_tasks = k_max_sweep_tasks);

// The check Hydra makes for a run without --multirun, made before a single job is submitted:
// when `project` has a Hydra app, an argument that is a sweep (`x=1,2`, `x=range(3)`) is
// refused with Hydra's own message ("Ambiguous value for argument ... add --multirun").
// Arguments of projects without a Hydra app, options (`-x`, `--cfg`) and words that are not
// overrides pass as they are.
core::Result<void> check_single_run_arguments(const store::Project& project,
                                              const std::vector<std::string>& arguments);

}  // namespace sortie::jobs

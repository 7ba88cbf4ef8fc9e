#pragma once

// Expansion of parsed overrides into the override lists of multirun jobs, as Hydra 1.3's
// BasicSweeper does (hydra/_internal/core_plugins/basic_sweeper.py), plus a paired mode and
// the check Hydra makes when sweeps appear without --multirun. Pure.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/override.hpp"

namespace sortie::hydra {

// How swept overrides combine into jobs.
enum class SweepMode {
  cartesian,  // every combination; the first swept key varies slowest (BasicSweeper)
  paired,     // job i takes element i of every sweep; all sweeps must have the same length
};

// Where the overrides came from, which only changes the example in Hydra's error message.
enum class OverrideSource { shell, code };

// The most jobs one multirun may make, and so the most values one sweep (a choice, a range, a
// glob) may have, whoever asks: `sortie hydra parse`, `sortie sweep preview`, /api/hydra/parse
// and /api/hydra/expand, and a submitted sweep (one SLURM array) all hold it. Counts are made
// before anything is expanded (check_sweep_size), so `range(0,1e12)` costs nothing.
inline constexpr std::size_t k_max_jobs = 10'000;

// A number of values or jobs counted before they are made.
struct SweepSize {
  enum class Precision {
    exact,
    about,     // an estimate, made by division for a float range far past the limit
    at_least,  // a lower bound: counting stopped (past 2^64, or past the limit)
  };
  std::uint64_t count = 0;
  Precision precision = Precision::exact;
};

// The one check of the size of a sweep, a range, a sort or a multirun, made before any of it is
// built. Succeeds when `size` is at most `limit` (k_max_jobs, or less when a caller asks for
// less); fails with invalid_argument "<what> would make <count> <unit>; at most <limit>:
// <hint>" otherwise.
core::Result<void> check_sweep_size(std::string_view what, SweepSize size, std::string_view unit,
                                    std::string_view hint, std::size_t limit = k_max_jobs);

struct SweepOptions {
  // The options of a config group (`db` -> {"mysql", "postgres"}), for glob(); Hydra lists
  // them sorted, and so does the expansion. Empty: glob sweeps fail to expand.
  std::function<std::vector<std::string>(std::string_view group)> group_options;
  // Seeds the order of shuffle() sweeps; the same seed gives the same jobs.
  std::uint64_t shuffle_seed = 0;
  // Fewer jobs than k_max_jobs may be asked for; more may not.
  std::size_t max_jobs = k_max_jobs;
};

// The `key=value` strings one override contributes, one per job, rendered as Hydra renders
// them (render.hpp): an element gives one string, a sweep one per value. Fails for interval
// sweeps ("BasicSweeper does not support sweep type : INTERVAL_SWEEP"), for glob without
// group options, for ranges Hydra cannot enumerate (a zero step), and, before making any of
// them, for a sweep of more than min(options.max_jobs, k_max_jobs) values (check_sweep_size's
// message).
core::Result<std::vector<std::string>> expand_override(const Override& override_value,
                                                       const SweepOptions& options = {});

// How many strings expand_override would make (1 for an element), counted without making any:
// a range by range_size, a glob by matching the group's options. Fails as expand_override
// does, except for the limit.
core::Result<SweepSize> sweep_size(const Override& override_value,
                                   const SweepOptions& options = {});

// expand_override of each override, as `sortie hydra parse` and /api/hydra/parse report them
// (an override that did not parse keeps its error), with one budget for the request: together
// their sweeps make at most k_max_jobs values (no multirun of them could have more jobs), so
// that many overrides of 10,000 values each cannot add up. A sweep past the budget fails,
// saying so, and makes nothing.
std::vector<core::Result<std::vector<std::string>>> expand_overrides(
    const std::vector<core::Result<Override>>& overrides, const SweepOptions& options = {});

// The override list of each job, in BasicSweeper order. Overrides with the same key element
// (`~`/`+` prefix, key and package) collapse into the later one, at the place of the first,
// as Hydra's ordered dict does. Fails as expand_override does, when `paired` sweeps differ in
// length (naming each key and its length), or when there would be more than
// min(options.max_jobs, k_max_jobs) jobs (counted before any job is made; the message shows
// the factors).
core::Result<std::vector<std::vector<std::string>>> expand_jobs(
    const std::vector<Override>& overrides, SweepMode mode = SweepMode::cartesian,
    const SweepOptions& options = {});

// The check Hydra makes for a single run (no --multirun): any sweep fails, a comma-separated
// one with "Ambiguous value for argument 'x=1,2'" and the three ways out, others with
// "Sweep parameters 'x=range(3)' requires --multirun".
core::Result<void> check_single_run(const std::vector<Override>& overrides,
                                    OverrideSource source = OverrideSource::shell);

// The check Hydra makes for a multirun: sweeping over `hydra.`/`hydra/` keys fails with
// "Sweeping over Hydra's configuration is not supported : 'hydra.x=1,2'".
core::Result<void> check_multirun(const std::vector<Override>& overrides);

}  // namespace sortie::hydra

#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/override.hpp"
#include "sortie/json/hydra_value.hpp"

namespace sortie::json {

// One command-line override as `sortie hydra parse --json` reports it: the parsed override
// (or why it failed) and, when it could be expanded, what it contributes to each job.
struct HydraOverrideReport {
  std::string input;
  core::Result<hydra::Override> parsed;
  // The per-job `key=value` strings (hydra::expand_override), or why they could not be made.
  core::Result<std::vector<std::string>> jobs = std::vector<std::string>{};
};

// Renders the reports as a pretty JSON array (2-space indent), one object per input, keys in
// this order:
//   {"input", "kind": "change"|"add"|"force_add"|"delete", "key", "package" (null if none),
//    "value_type": "element"|"simple_sweep"|"choice_sweep"|"range_sweep"|"interval_sweep"|
//                  "glob_sweep",
//    "value", "sweep": [job strings] or null, and "sweep_error" only when sweep is null}
// or {"input", "error"} for an input that did not parse. In "value": ints are JSON integers;
// finite floats are JSON numbers that always carry a `.` or an exponent; non-finite floats are
// {"float": "inf"|"-inf"|"nan"}; a choice sweep is {"choices", "shuffle", "tags"}; a range
// {"start", "stop", "step", "shuffle", "tags"}; an interval {"start", "end", "tags"}; a glob
// {"include", "exclude", "tags"}; `~key` without a value has "value": null. The shape is
// documented in docs/hydra/overrides.md; keep the two in step. Never throws.
std::string to_json(const std::vector<HydraOverrideReport>& reports);

}  // namespace sortie::json

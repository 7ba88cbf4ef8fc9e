#pragma once

#include <string>
#include <vector>

#include "sortie/hydra/sweep.hpp"

namespace sortie::json {

// A previewed multirun (`sortie sweep preview --json`): where its configs came from and the
// override list of each job, every job already composed without error.
struct SweepPreviewReport {
  std::string config_dir;
  std::string config_name;  // "" when the app has none
  hydra::SweepMode mode = hydra::SweepMode::cartesian;
  std::vector<std::vector<std::string>> jobs;
};

// Pretty JSON (2-space indent), keys in this order:
// {"config_dir", "config_name" (null when ""), "mode": "cartesian"|"paired", "job_count",
//  "jobs": [{"index": 0, "overrides": ["optimizer.lr=0.1", "model=large"]}, ...]}
// Documented in docs/hydra/cli.md; keep the two in step. Never throws.
std::string to_json(const SweepPreviewReport& report);

// POST /api/hydra/expand's answer, compact: {"config_dir" (null when ""), "config_name",
// "mode", "count", "jobs": [["optimizer.lr=0.1", "model=large"], ...]}.
std::string expansion_document(const SweepPreviewReport& report);

}  // namespace sortie::json

#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"

namespace sortie::slurm {

// Parses a SLURM time limit as scontrol and squeue print it and as sbatch --time accepts it:
// `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`. Leftover seconds round up to a
// whole minute, as SLURM does. `UNLIMITED`, `INFINITE`, `NONE` and `N/A` (no limit, or no
// default) give nullopt. Fails with parse_error on anything else.
core::Result<std::optional<std::chrono::minutes>> parse_time_limit(std::string_view text);

// Writes a time limit as SLURM does: "30:00", "01:00:00", "1-00:00:00"; "UNLIMITED" for
// nullopt. Round-trips through parse_time_limit().
std::string format_time_limit(std::optional<std::chrono::minutes> limit);

}  // namespace sortie::slurm

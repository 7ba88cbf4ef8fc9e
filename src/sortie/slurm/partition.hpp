#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"

namespace sortie::slurm {

// Whether a partition takes and runs jobs (`State=` of `scontrol show partition`).
enum class PartitionState {
  up,        // takes and runs jobs
  down,      // takes jobs but does not start them
  drain,     // runs what it has, takes no new jobs
  inactive,  // neither takes nor runs jobs
};

// One line of `scontrol -o show partition`, reduced to what sortie uses.
struct Partition {
  std::string name;
  bool is_default = false;
  PartitionState state = PartitionState::up;
  std::optional<std::chrono::minutes> max_time;      // nullopt: UNLIMITED
  std::optional<std::chrono::minutes> default_time;  // nullopt: NONE (the max_time applies)
  std::string nodes;  // SLURM's node list expression, e.g. "gpu[01-04],cpu01"; empty when none
  std::int64_t total_nodes = 0;
  std::int64_t total_cpus = 0;
};

// Parses the whole output of `scontrol -o show partition` (see commands.hpp). Empty output, or
// scontrol's "No partitions in the system", is an empty list. Fails with parse_error naming the
// line number when a line is not a partition record or a field we use cannot be read.
// "UP", "DOWN", "DRAIN" or "INACTIVE", as SLURM writes it.
std::string_view to_string(PartitionState state);

core::Result<std::vector<Partition>> parse_partitions(std::string_view output);

}  // namespace sortie::slurm

#pragma once

#include <chrono>
#include <string>

#include "sortie/core/error.hpp"
#include "sortie/gpus/availability.hpp"
#include "sortie/remote/remote.hpp"

namespace sortie::gpus {

// Availability with the nodes it was computed from (for drawing each node's GPUs).
struct Snapshot {
  Availability availability;
  std::vector<slurm::Node> nodes;
};

// Asks the cluster behind `remote` for its nodes and pending jobs in ONE run() call
// (`scontrol -d -o show node`, then the pending-jobs squeue of slurm/commands.hpp), and computes
// GPU availability with compute(), named `cluster_name` and stamped with the time of the answer.
// Errors: whatever run() returns (connection_*, timeout, ...); slurm_unavailable,
// slurm_rate_limited, not_found or command_failed from slurm::check() when a command failed;
// parse_error when the output was not understood. Never a partial result.
core::Result<Availability> query(remote::Remote& remote, const Filters& filters,
                                 std::string cluster_name, std::chrono::milliseconds timeout);

// As query(), also keeping the nodes as scontrol described them.
core::Result<Snapshot> query_snapshot(remote::Remote& remote, const Filters& filters,
                                      std::string cluster_name, std::chrono::milliseconds timeout);

}  // namespace sortie::gpus

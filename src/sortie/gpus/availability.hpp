#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/slurm/node.hpp"
#include "sortie/slurm/squeue.hpp"

namespace sortie::gpus {

// The type name under which GPUs declared without a type (`Gres=gpu:2`) are reported.
inline constexpr std::string_view kUntyped = "(untyped)";

// What the user wants to see. An empty list allows everything.
struct Filters {
  std::vector<std::string> partitions;  // only nodes and pending jobs in these partitions
  std::vector<std::string> gpu_types;   // only these GPU types (kUntyped for untyped GPUs)
};

// A node that has free GPUs of some type, and how many.
struct NodeFree {
  std::string name;
  std::int64_t free = 0;

  friend bool operator==(const NodeFree&, const NodeFree&) = default;
};

// The GPUs of one type.
struct TypeAvailability {
  std::string type;
  std::int64_t total = 0;         // used + free + powered_down: what jobs can get now or soon
  std::int64_t used = 0;          // allocated to running jobs (also on nodes that are draining)
  std::int64_t free = 0;          // idle on nodes that are up and accept work
  std::int64_t powered_down = 0;  // idle on power-saved or cloud nodes SLURM boots on demand
  std::int64_t unavailable = 0;   // idle on nodes that take no new work (down, drained, ...)
  std::int64_t pending = 0;       // asked for, of this type by name, by pending jobs
  std::vector<NodeFree> nodes;    // nodes with free GPUs of this type, by name

  friend bool operator==(const TypeAvailability&, const TypeAvailability&) = default;
};

// The GPUs reachable through one partition.
struct PartitionAvailability {
  std::string name;
  std::int64_t pending_untyped = 0;         // GPUs asked for without a type by jobs pending here
  std::vector<TypeAvailability> gpu_types;  // by type name
};

// GPU availability on one cluster at one moment.
struct Availability {
  std::string cluster;                               // set by query(); empty from compute()
  std::chrono::system_clock::time_point queried_at;  // set by query(); epoch from compute()
  std::int64_t pending_untyped = 0;               // GPUs asked for without a type by pending jobs
  std::vector<TypeAvailability> gpu_types;        // by type name
  std::vector<PartitionAvailability> partitions;  // by name; those with GPU nodes or GPU demand
};

// How a node's idle GPUs count, from its state.
enum class NodeCapacity {
  up,            // idle GPUs are free
  powered_down,  // POWERED_DOWN, POWERING_UP, POWER_DOWN/POWER_UP requested: booted on demand
  unavailable,   // DOWN, DRAIN*, FAIL, NOT_RESPONDING, MAINTENANCE, INVALID_REG, FUTURE,
                 // POWERING_DOWN, REBOOT_ISSUED, UNKNOWN, ERROR or a base state we do not know
};

// Classifies a node state. Taking no new work wins over being powered down.
NodeCapacity capacity_of(const slurm::NodeState& state);

// Counts GPUs per type, over the cluster and per partition, from parsed `scontrol show node` and
// pending-job output. Items named other than "gpu" (shards, mps) are ignored. On a node that
// takes no new work, GPUs still held by running jobs count as used, the rest as unavailable. A
// node in several partitions counts in each of them; a pending job listing several partitions
// counts in each of them and once in the cluster totals. With filters, only allowed partitions
// and types appear, and cluster totals count only nodes and jobs in allowed partitions. Types,
// nodes and partitions are sorted by name. Pure: the same input gives the same output.
Availability compute(const std::vector<slurm::Node>& nodes,
                     const std::vector<slurm::PendingJob>& pending_jobs, const Filters& filters);

}  // namespace sortie::gpus

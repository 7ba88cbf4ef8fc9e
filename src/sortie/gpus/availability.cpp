#include "sortie/gpus/availability.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <utility>

namespace sortie::gpus {
namespace {

using slurm::NodeBase;
using slurm::NodeFlag;

struct Tally {
  std::int64_t used = 0;
  std::int64_t free = 0;
  std::int64_t powered_down = 0;
  std::int64_t unavailable = 0;
  std::int64_t pending = 0;
  std::vector<NodeFree> nodes;
};

using TypeTallies = std::map<std::string, Tally, std::less<>>;

struct PartitionTally {
  std::int64_t pending_untyped = 0;
  TypeTallies types;
};

// The GPUs of one type on one node.
struct NodeGpus {
  std::string type;  // kUntyped for GPUs without a type
  std::int64_t total = 0;
  std::int64_t used = 0;
};

bool allows(const std::vector<std::string>& allowed, std::string_view name) {
  return allowed.empty() || std::ranges::find(allowed, name) != allowed.end();
}

std::string display_type(std::string_view type) {
  return type.empty() ? std::string(kUntyped) : std::string(type);
}

// GPUs per type on a node, with those in use attributed to their type. Used GPUs whose type the
// node does not declare (SLURM may report an untyped allocation) fill the types in order.
std::vector<NodeGpus> gpus_of(const slurm::Node& node) {
  std::vector<NodeGpus> gpus;
  for (const auto& item : node.gres) {
    if (item.name != "gpu") continue;
    const std::string type = display_type(item.type);
    auto found = std::ranges::find(gpus, type, &NodeGpus::type);
    if (found == gpus.end()) {
      gpus.push_back(NodeGpus{type, item.count, 0});
    } else {
      found->total += item.count;
    }
  }
  std::int64_t unattributed = 0;
  for (const auto& item : node.gres_used) {
    if (item.name != "gpu" || item.count <= 0) continue;
    auto found = std::ranges::find(gpus, display_type(item.type), &NodeGpus::type);
    if (found == gpus.end()) {
      unattributed += item.count;
      continue;
    }
    const std::int64_t room = found->total - found->used;
    const std::int64_t taken = std::min(room, item.count);
    found->used += taken;
    unattributed += item.count - taken;
  }
  for (auto& gpu : gpus) {
    const std::int64_t taken = std::min(gpu.total - gpu.used, unattributed);
    gpu.used += taken;
    unattributed -= taken;
  }
  return gpus;
}

void add_node(Tally& tally, const NodeGpus& gpus, NodeCapacity capacity, const std::string& name) {
  const std::int64_t idle = gpus.total - gpus.used;
  tally.used += gpus.used;
  switch (capacity) {
    case NodeCapacity::up:
      tally.free += idle;
      if (idle > 0) tally.nodes.push_back(NodeFree{name, idle});
      break;
    case NodeCapacity::powered_down:
      tally.powered_down += idle;
      break;
    case NodeCapacity::unavailable:
      tally.unavailable += idle;
      break;
  }
}

std::vector<TypeAvailability> finish(TypeTallies& tallies) {
  std::vector<TypeAvailability> types;
  types.reserve(tallies.size());
  for (auto& [type, tally] : tallies) {
    std::ranges::sort(tally.nodes, {}, &NodeFree::name);
    types.push_back(TypeAvailability{
        .type = type,
        .total = tally.used + tally.free + tally.powered_down,
        .used = tally.used,
        .free = tally.free,
        .powered_down = tally.powered_down,
        .unavailable = tally.unavailable,
        .pending = tally.pending,
        .nodes = std::move(tally.nodes),
    });
  }
  return types;
}

}  // namespace

NodeCapacity capacity_of(const slurm::NodeState& state) {
  switch (state.base) {
    case NodeBase::down:
    case NodeBase::error:
    case NodeBase::future:
    case NodeBase::unknown:
    case NodeBase::other:
      return NodeCapacity::unavailable;
    case NodeBase::allocated:
    case NodeBase::completing:
    case NodeBase::idle:
    case NodeBase::mixed:
      break;
  }
  for (const NodeFlag flag :
       {NodeFlag::drain, NodeFlag::drained, NodeFlag::draining, NodeFlag::fail,
        NodeFlag::not_responding, NodeFlag::maintenance, NodeFlag::invalid_reg,
        NodeFlag::powering_down, NodeFlag::reboot_issued}) {
    if (state.flags.has(flag)) return NodeCapacity::unavailable;
  }
  for (const NodeFlag flag :
       {NodeFlag::powered_down, NodeFlag::powering_up, NodeFlag::power_down, NodeFlag::power_up}) {
    if (state.flags.has(flag)) return NodeCapacity::powered_down;
  }
  return NodeCapacity::up;
}

Availability compute(const std::vector<slurm::Node>& nodes,
                     const std::vector<slurm::PendingJob>& pending_jobs, const Filters& filters) {
  TypeTallies cluster;
  std::int64_t cluster_pending_untyped = 0;
  std::map<std::string, PartitionTally, std::less<>> partitions;

  for (const auto& node : nodes) {
    std::vector<const std::string*> node_partitions;
    for (const auto& partition : node.partitions) {
      if (allows(filters.partitions, partition)) node_partitions.push_back(&partition);
    }
    if (!filters.partitions.empty() && node_partitions.empty()) continue;
    const NodeCapacity capacity = capacity_of(node.state);
    for (const auto& gpus : gpus_of(node)) {
      if (!allows(filters.gpu_types, gpus.type)) continue;
      add_node(cluster[gpus.type], gpus, capacity, node.name);
      for (const auto* partition : node_partitions) {
        add_node(partitions[*partition].types[gpus.type], gpus, capacity, node.name);
      }
    }
  }

  for (const auto& job : pending_jobs) {
    std::vector<const std::string*> job_partitions;
    for (const auto& partition : job.partitions) {
      if (allows(filters.partitions, partition)) job_partitions.push_back(&partition);
    }
    if (!filters.partitions.empty() && job_partitions.empty()) continue;
    for (const auto& request : job.gpus) {
      if (request.type.empty()) {
        cluster_pending_untyped += request.count;
        for (const auto* partition : job_partitions) {
          partitions[*partition].pending_untyped += request.count;
        }
        continue;
      }
      if (!allows(filters.gpu_types, request.type)) continue;
      cluster[request.type].pending += request.count;
      for (const auto* partition : job_partitions) {
        partitions[*partition].types[request.type].pending += request.count;
      }
    }
  }

  Availability availability;
  availability.pending_untyped = cluster_pending_untyped;
  availability.gpu_types = finish(cluster);
  for (auto& [name, tally] : partitions) {
    availability.partitions.push_back(PartitionAvailability{
        .name = name,
        .pending_untyped = tally.pending_untyped,
        .gpu_types = finish(tally.types),
    });
  }
  return availability;
}

}  // namespace sortie::gpus

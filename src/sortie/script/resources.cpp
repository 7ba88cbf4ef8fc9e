#include "sortie/script/resources.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "sortie/script/directive.hpp"
#include "sortie/slurm/time.hpp"

namespace sortie::script {

namespace {

using core::ErrorCode;

std::unexpected<core::Error> invalid(std::string message) {
  return core::fail(ErrorCode::invalid_argument, std::move(message));
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string listed(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  return fmt::format("{}", fmt::join(names, ", "));
}

core::Result<void> check_word(std::string_view field, const std::optional<std::string>& value) {
  if (!value) return {};
  if (auto problem = directive_word_problem(*value)) {
    return invalid(fmt::format("{} '{}' {}: it goes on an #SBATCH line, which takes one plain word",
                               field, *value, *problem));
  }
  return {};
}

core::Result<void> check_array(const std::optional<std::string>& array) {
  if (!array) return {};
  const bool well_formed = !array->empty() &&
                           std::isdigit(static_cast<unsigned char>(array->front())) &&
                           std::all_of(array->begin(), array->end(), [](char c) {
                             return std::isdigit(static_cast<unsigned char>(c)) || c == ',' ||
                                    c == '-' || c == ':' || c == '%';
                           });
  if (!well_formed) {
    return invalid(fmt::format(
        "--array '{}' is not a SLURM array spec: write indexes and ranges like `0-5`, `1,3,7`, "
        "`0-15:4` or `0-9%2` (at most 2 at a time)",
        *array));
  }
  return {};
}

core::Result<void> check_extra_lines(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    if (line.find_first_of("\n\r") != std::string::npos) {
      return invalid(fmt::format(
          "extra #SBATCH line '{}' contains a line break: give one directive per line", line));
    }
    if (!line.starts_with("#SBATCH ")) {
      return invalid(
          fmt::format("extra #SBATCH line '{}' does not start with '#SBATCH ': write e.g. "
                      "'#SBATCH --exclusive'",
                      line));
    }
    if (std::any_of(line.begin(), line.end(), [](char c) {
          const auto byte = static_cast<unsigned char>(c);
          return (byte < 0x20 && c != '\t') || byte == 0x7f;
        })) {
      return invalid(fmt::format("extra #SBATCH line '{}' contains a control character", line));
    }
  }
  return {};
}

core::Result<void> check_counts(const Resources& resources) {
  if (resources.gpus < 0) {
    return invalid(
        fmt::format("--gpus {} is negative: ask for 0 or more GPUs per node", resources.gpus));
  }
  if (resources.nodes < 1) {
    return invalid(fmt::format("--nodes {} is less than 1", resources.nodes));
  }
  const auto positive = [](std::string_view field,
                           const std::optional<std::int64_t>& value) -> core::Result<void> {
    if (value && *value < 1) return invalid(fmt::format("{} {} is less than 1", field, *value));
    return {};
  };
  if (auto ok = positive("--ntasks-per-node", resources.tasks_per_node); !ok) return ok;
  if (auto ok = positive("--ntasks", resources.ntasks); !ok) return ok;
  if (auto ok = positive("--cpus-per-task", resources.cpus_per_task); !ok) return ok;
  return {};
}

core::Result<const slurm::Partition*> resolve_partition(
    const Resources& resources, const std::vector<slurm::Partition>& partitions,
    const config::Cluster& cluster) {
  std::vector<std::string> existing;
  existing.reserve(partitions.size());
  for (const auto& partition : partitions) existing.push_back(partition.name);

  const slurm::Partition* chosen = nullptr;
  if (resources.partition) {
    for (const auto& partition : partitions) {
      if (partition.name == *resources.partition) chosen = &partition;
    }
    if (chosen == nullptr) {
      return invalid(fmt::format("--partition '{}' does not exist on cluster '{}' (partitions: {})",
                                 *resources.partition, cluster.name, listed(existing)));
    }
  } else {
    for (const auto& partition : partitions) {
      if (partition.is_default) chosen = &partition;
    }
    if (chosen == nullptr) {
      return invalid(fmt::format(
          "cluster '{}' has no default partition: name one with --partition (partitions: {})",
          cluster.name, listed(existing)));
    }
  }

  if (!cluster.allowed_partitions.empty() && !contains(cluster.allowed_partitions, chosen->name)) {
    return invalid(fmt::format(
        "{} '{}' is not allowed on cluster '{}' by clusters.yaml (allowed_partitions: {}): name "
        "one of those with --partition",
        resources.partition ? "--partition" : "the default partition", chosen->name, cluster.name,
        listed(cluster.allowed_partitions)));
  }
  if (chosen->state == slurm::PartitionState::drain ||
      chosen->state == slurm::PartitionState::inactive) {
    return invalid(fmt::format("--partition '{}' is {}: it takes no new jobs", chosen->name,
                               slurm::to_string(chosen->state)));
  }
  return chosen;
}

core::Result<std::optional<std::chrono::minutes>> resolve_time(const Resources& resources,
                                                               const slurm::Partition& partition) {
  if (!resources.time_limit) {
    if (partition.default_time) return partition.default_time;
    return partition.max_time;
  }
  if (*resources.time_limit <= std::chrono::minutes{0}) {
    return invalid("--time must be at least one minute");
  }
  if (partition.max_time && *resources.time_limit > *partition.max_time) {
    return invalid(fmt::format(
        "--time {} is above the MaxTime of partition '{}' ({}): ask for {} or less, or use "
        "another partition",
        slurm::format_time_limit(resources.time_limit), partition.name,
        slurm::format_time_limit(partition.max_time),
        slurm::format_time_limit(partition.max_time)));
  }
  return resources.time_limit;
}

// GPUs of `node` of `type`; every GPU when `type` is empty (an untyped request takes any).
std::int64_t gpus_of_type(const slurm::Node& node, std::string_view type) {
  std::int64_t count = 0;
  for (const auto& item : node.gres) {
    if (item.name == "gpu" && (type.empty() || item.type == type)) count += item.count;
  }
  return count;
}

std::int64_t ceil_div(std::int64_t numerator, std::int64_t denominator) {
  return (numerator + denominator - 1) / denominator;
}

core::Result<std::string> check_gpus(const Resources& resources, const slurm::Partition& partition,
                                     const std::vector<slurm::Node>& nodes,
                                     const config::Cluster& cluster) {
  std::vector<const slurm::Node*> members;
  for (const auto& node : nodes) {
    if (contains(node.partitions, partition.name)) members.push_back(&node);
  }
  if (members.empty()) {
    return invalid(fmt::format("--partition '{}' has no nodes", partition.name));
  }
  if (static_cast<std::int64_t>(members.size()) < resources.nodes) {
    return invalid(fmt::format("--nodes {}: partition '{}' has only {} node{}", resources.nodes,
                               partition.name, members.size(), members.size() == 1 ? "" : "s"));
  }

  std::vector<std::string> types;  // typed GPU types of the partition, in node order
  for (const auto* node : members) {
    for (const auto& item : node->gres) {
      if (item.name == "gpu" && !item.type.empty() && !contains(types, item.type)) {
        types.push_back(item.type);
      }
    }
  }

  const std::string type = resources.gpu_type.value_or("");
  if (resources.gpu_type) {
    if (type.empty()) return invalid("--gpu-type is empty: name a type or leave it out");
    if (!contains(types, type)) {
      return invalid(
          fmt::format("--gpu-type '{}' does not exist in partition '{}' (GPU types "
                      "there: {})",
                      type, partition.name, listed(types)));
    }
    if (!cluster.allowed_gpu_types.empty() && !contains(cluster.allowed_gpu_types, type)) {
      return invalid(fmt::format(
          "--gpu-type '{}' is not allowed on cluster '{}' by clusters.yaml (allowed_gpu_types: "
          "{})",
          type, cluster.name, listed(cluster.allowed_gpu_types)));
    }
  }
  if (resources.gpus == 0) return type;

  if (!resources.gpu_type && !cluster.allowed_gpu_types.empty()) {
    // An untyped request may land on any type of the partition: only fine when all are allowed.
    std::vector<std::string> disallowed;
    for (const auto& present : types) {
      if (!contains(cluster.allowed_gpu_types, present)) disallowed.push_back(present);
    }
    if (!disallowed.empty()) {
      return invalid(fmt::format(
          "--gpus {} without --gpu-type could land on {} GPUs, which clusters.yaml does not allow "
          "on cluster '{}': name one of {} with --gpu-type",
          resources.gpus, listed(disallowed), cluster.name, listed(cluster.allowed_gpu_types)));
    }
  }

  std::int64_t most = 0;
  std::int64_t fitting = 0;
  for (const auto* node : members) {
    const std::int64_t count = gpus_of_type(*node, type);
    most = std::max(most, count);
    if (count >= resources.gpus) ++fitting;
  }
  const std::string what = type.empty() ? "" : type + " ";
  if (most == 0) {
    return invalid(fmt::format("--gpus {}: partition '{}' has no {}GPUs", resources.gpus,
                               partition.name, what));
  }
  if (fitting == 0) {
    const std::int64_t total = resources.gpus * resources.nodes;
    const std::int64_t suggested_nodes = ceil_div(total, most);
    const std::int64_t per_node = ceil_div(total, suggested_nodes);
    return invalid(fmt::format(
        "--gpus {}: no node in partition '{}' has {} {}GPUs (the most on one node is {}): ask "
        "for --nodes {} with {} GPUs each",
        resources.gpus, partition.name, resources.gpus, what, most, suggested_nodes, per_node));
  }
  if (fitting < resources.nodes) {
    return invalid(fmt::format(
        "--nodes {} with {} {}GPUs each: partition '{}' has only {} node{} with that many",
        resources.nodes, resources.gpus, what, partition.name, fitting, fitting == 1 ? "" : "s"));
  }
  return type;
}

core::Result<void> check_cpus(const Resources& resources, const slurm::Partition& partition) {
  // Node records carry no CPU count yet; the partition's total bounds any one node's.
  if (!resources.cpus_per_task || partition.total_cpus <= 0) return {};
  const std::int64_t per_node = *resources.cpus_per_task * resources.tasks_per_node.value_or(1);
  if (per_node > partition.total_cpus) {
    return invalid(fmt::format(
        "--cpus-per-task {}: {} CPUs per node is more than partition '{}' has in all ({})",
        *resources.cpus_per_task, per_node, partition.name, partition.total_cpus));
  }
  return {};
}

}  // namespace

core::Result<std::chrono::minutes> parse_time_request(std::string_view text) {
  auto parsed = slurm::parse_time_limit(text);
  if (!parsed) {
    return invalid(fmt::format(
        "--time '{}' is not a time limit: write minutes (`90`), `HH:MM:SS` or `D-HH[:MM]`", text));
  }
  if (!*parsed) {
    return invalid(fmt::format("--time '{}': a job needs a finite time limit", text));
  }
  if (**parsed <= std::chrono::minutes{0}) {
    return invalid("--time must be at least one minute");
  }
  return **parsed;
}

core::Result<std::string> parse_memory(std::string_view text) {
  std::string normalised(text);
  if (!normalised.empty() && std::isalpha(static_cast<unsigned char>(normalised.back()))) {
    normalised.back() =
        static_cast<char>(std::toupper(static_cast<unsigned char>(normalised.back())));
  }
  const std::string_view digits =
      std::string_view(normalised)
          .substr(0,
                  normalised.empty() || std::isdigit(static_cast<unsigned char>(normalised.back()))
                      ? normalised.size()
                      : normalised.size() - 1);
  const bool unit_ok = normalised.empty() ||
                       std::isdigit(static_cast<unsigned char>(normalised.back())) ||
                       std::string_view("KMGT").find(normalised.back()) != std::string_view::npos;
  const bool digits_ok = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (!unit_ok || !digits_ok) {
    return invalid(fmt::format(
        "--mem '{}' is not a SLURM memory size: write digits and an optional unit K, M, G or T "
        "(e.g. 64G)",
        text));
  }
  return normalised;
}

core::Result<CheckedResources> check(const Resources& resources,
                                     const std::vector<slurm::Partition>& partitions,
                                     const std::vector<slurm::Node>& nodes,
                                     const config::Cluster& cluster) {
  if (resources.job_name.empty()) return invalid("job name is empty: give the job a name");
  if (auto ok = check_word("job name", resources.job_name); !ok) return std::unexpected(ok.error());
  if (auto ok = check_word("--account", resources.account); !ok) return std::unexpected(ok.error());
  if (auto ok = check_word("--qos", resources.qos); !ok) return std::unexpected(ok.error());
  if (auto ok = check_word("--constraint", resources.constraint); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = check_array(resources.array); !ok) return std::unexpected(ok.error());
  if (auto ok = check_extra_lines(resources.extra_sbatch_lines); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = check_counts(resources); !ok) return std::unexpected(ok.error());

  CheckedResources checked;
  if (resources.memory) {
    auto memory = parse_memory(*resources.memory);
    if (!memory) return std::unexpected(memory.error());
    checked.memory = *memory;
  }

  auto partition = resolve_partition(resources, partitions, cluster);
  if (!partition) return std::unexpected(partition.error());
  auto time_limit = resolve_time(resources, **partition);
  if (!time_limit) return std::unexpected(time_limit.error());
  auto gpu_type = check_gpus(resources, **partition, nodes, cluster);
  if (!gpu_type) return std::unexpected(gpu_type.error());
  if (auto ok = check_cpus(resources, **partition); !ok) return std::unexpected(ok.error());

  checked.job_name = resources.job_name;
  checked.partition = (*partition)->name;
  checked.gpu_type = *gpu_type;
  checked.gpus_per_node = resources.gpus;
  checked.nodes = resources.nodes;
  checked.tasks_per_node = resources.tasks_per_node;
  checked.ntasks = resources.ntasks;
  checked.cpus_per_task = resources.cpus_per_task;
  checked.time_limit = *time_limit;
  checked.account = resources.account;
  checked.qos = resources.qos;
  checked.constraint = resources.constraint;
  checked.array = resources.array;
  checked.extra_sbatch_lines = resources.extra_sbatch_lines;
  return checked;
}

}  // namespace sortie::script

#include "sortie/slurm/partition.hpp"

#include <fmt/format.h>

#include "sortie/slurm/fields.hpp"
#include "sortie/slurm/time.hpp"

namespace sortie::slurm {
namespace {

std::optional<PartitionState> parse_state(std::string_view text) {
  if (text == "UP") return PartitionState::up;
  if (text == "DOWN") return PartitionState::down;
  if (text == "DRAIN") return PartitionState::drain;
  if (text == "INACTIVE") return PartitionState::inactive;
  return std::nullopt;
}

}  // namespace

core::Result<std::vector<Partition>> parse_partitions(std::string_view output) {
  std::vector<Partition> partitions;
  std::optional<core::Error> error;
  detail::for_each_line(output, [&](std::size_t number, std::string_view line) {
    line = detail::trim(line);
    if (line.empty() || detail::is_none_in_system_note(line)) return true;
    std::optional<std::string> problem;
    auto note = [&](std::string message) {
      if (!problem) problem = std::move(message);
    };
    if (!line.starts_with("PartitionName=")) {
      note(fmt::format("expected a line starting with PartitionName=, got '{}'",
                       line.substr(0, 80)));
    } else {
      Partition partition;
      bool has_state = false;
      // No partition field holds free text, so every `Key=` word starts a field.
      detail::for_each_field(
          line, [](std::string_view) { return false; }, [](std::string_view) { return true; },
          [&](std::string_view key, std::string_view value) {
            if (key == "PartitionName") {
              partition.name = std::string(value);
            } else if (key == "Default") {
              partition.is_default = value == "YES";
            } else if (key == "State") {
              if (const auto state = parse_state(value)) {
                partition.state = *state;
                has_state = true;
              } else {
                note(fmt::format("unknown partition State '{}'", value));
              }
            } else if (key == "MaxTime" || key == "DefaultTime") {
              auto time = parse_time_limit(value);
              if (!time) return note(fmt::format("{}: {}", key, time.error().message));
              (key == "MaxTime" ? partition.max_time : partition.default_time) = *time;
            } else if (key == "Nodes") {
              partition.nodes = value == "(null)" ? std::string() : std::string(value);
            } else if (key == "TotalNodes" || key == "TotalCPUs") {
              const auto count = detail::parse_count(value);
              if (!count) return note(fmt::format("{} '{}' is not a number", key, value));
              (key == "TotalNodes" ? partition.total_nodes : partition.total_cpus) = *count;
            }
          });
      if (partition.name.empty()) note("PartitionName is empty");
      if (!has_state && !problem) note(fmt::format("partition {} has no State", partition.name));
      if (!problem) partitions.push_back(std::move(partition));
    }
    if (problem) {
      error = core::Error{core::ErrorCode::parse_error,
                          fmt::format("scontrol show partition, line {}: {}", number, *problem)};
      return false;
    }
    return true;
  });
  if (error) return std::unexpected(std::move(*error));
  return partitions;
}

std::string_view to_string(PartitionState state) {
  switch (state) {
    case PartitionState::up: return "UP";
    case PartitionState::down: return "DOWN";
    case PartitionState::drain: return "DRAIN";
    case PartitionState::inactive: return "INACTIVE";
  }
  return "UNKNOWN";
}

}  // namespace sortie::slurm

#include "sortie/slurm/node.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

#include "sortie/slurm/fields.hpp"

namespace sortie::slurm {
namespace {

char upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

// Case-insensitive comparison with an upper-case `word`.
bool equals_upper(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (upper(text[i]) != word[i]) return false;
  }
  return true;
}

struct BaseName {
  std::string_view name;
  NodeBase base;
};

constexpr std::array kBases{
    BaseName{"ALLOCATED", NodeBase::allocated},
    BaseName{"ALLOC", NodeBase::allocated},
    BaseName{"COMPLETING", NodeBase::completing},
    BaseName{"COMP", NodeBase::completing},
    BaseName{"DOWN", NodeBase::down},
    BaseName{"ERROR", NodeBase::error},
    BaseName{"FUTURE", NodeBase::future},
    BaseName{"FUTR", NodeBase::future},
    BaseName{"IDLE", NodeBase::idle},
    BaseName{"MIXED", NodeBase::mixed},
    BaseName{"MIX", NodeBase::mixed},
    BaseName{"UNKNOWN", NodeBase::unknown},
    BaseName{"UNK", NodeBase::unknown},
};

struct FlagName {
  std::string_view name;
  NodeFlag flag;
};

// The long names scontrol prints, and sinfo's short ones (`drng`, `maint`, `resv`, ...).
constexpr std::array kFlags{
    FlagName{"BLOCKED", NodeFlag::blocked},
    FlagName{"CLOUD", NodeFlag::cloud},
    FlagName{"COMPLETING", NodeFlag::completing},
    FlagName{"COMP", NodeFlag::completing},
    FlagName{"DRAIN", NodeFlag::drain},
    FlagName{"DRAINED", NodeFlag::drained},
    FlagName{"DRAINING", NodeFlag::draining},
    FlagName{"DRNG", NodeFlag::draining},
    FlagName{"DYNAMIC_FUTURE", NodeFlag::dynamic_future},
    FlagName{"DYNAMIC_NORM", NodeFlag::dynamic_norm},
    FlagName{"FAIL", NodeFlag::fail},
    FlagName{"FAILING", NodeFlag::fail},
    FlagName{"INVALID_REG", NodeFlag::invalid_reg},
    FlagName{"INVAL", NodeFlag::invalid_reg},
    FlagName{"MAINTENANCE", NodeFlag::maintenance},
    FlagName{"MAINT", NodeFlag::maintenance},
    FlagName{"NOT_RESPONDING", NodeFlag::not_responding},
    FlagName{"NO_RESPOND", NodeFlag::not_responding},
    FlagName{"PERFCTRS", NodeFlag::perfctrs},
    FlagName{"NPC", NodeFlag::perfctrs},
    FlagName{"PLANNED", NodeFlag::planned},
    FlagName{"PLND", NodeFlag::planned},
    FlagName{"POWER_DOWN", NodeFlag::power_down},
    FlagName{"POWER_UP", NodeFlag::power_up},
    FlagName{"POWERED_DOWN", NodeFlag::powered_down},
    FlagName{"POWERING_DOWN", NodeFlag::powering_down},
    FlagName{"POWERING_UP", NodeFlag::powering_up},
    FlagName{"REBOOT_ISSUED", NodeFlag::reboot_issued},
    FlagName{"REBOOT_REQUESTED", NodeFlag::reboot_requested},
    FlagName{"REBOOT", NodeFlag::reboot_requested},
    FlagName{"RESERVED", NodeFlag::reserved},
    FlagName{"RESV", NodeFlag::reserved},
};

std::optional<NodeFlag> flag_named(std::string_view name) {
  for (const auto& entry : kFlags) {
    if (equals_upper(name, entry.name)) return entry.flag;
  }
  return std::nullopt;
}

std::optional<NodeFlag> flag_for_symbol(char symbol) {
  switch (symbol) {
    case '*':
      return NodeFlag::not_responding;
    case '~':
      return NodeFlag::powered_down;
    case '#':
      return NodeFlag::powering_up;
    case '%':
      return NodeFlag::powering_down;
    case '$':
      return NodeFlag::maintenance;
    case '@':
      return NodeFlag::reboot_requested;
    case '^':
      return NodeFlag::reboot_issued;
    case '!':
      return NodeFlag::power_down;
    case '-':
      return NodeFlag::planned;
    default:
      return std::nullopt;
  }
}

// Every node key printed by `scontrol show node` in SLURM 22.05 to 24.x, sorted. A word in a
// free-text value (Reason, OS, ...) starts a new field only when it is one of these.
constexpr auto kNodeKeys = std::to_array<std::string_view>({
    "ActiveFeatures",
    "AllocMem",
    "AllocTRES",
    "Arch",
    "AvailableFeatures",
    "AveWatts",
    "BcastAddr",
    "Boards",
    "BootTime",
    "CPUAlloc",
    "CPUEfctv",
    "CPUErr",
    "CPULoad",
    "CPUSpecList",
    "CPUTot",
    "CapWatts",
    "CfgTRES",
    "Comment",
    "ConsumedJoules",
    "CoreSpecCount",
    "CoresPerSocket",
    "CpuBind",
    "CurrentWatts",
    "ExtSensorsJoules",
    "ExtSensorsTemp",
    "ExtSensorsWatts",
    "Extra",
    "Features",
    "FreeMem",
    "Gres",
    "GresDrain",
    "GresUsed",
    "InstanceId",
    "InstanceType",
    "LastBusyTime",
    "LowestJoules",
    "MCS_label",
    "MemSpecLimit",
    "NextState",
    "NodeAddr",
    "NodeHostName",
    "NodeName",
    "OS",
    "Owner",
    "Partitions",
    "Port",
    "Power",
    "RealMemory",
    "Reason",
    "ReasonTime",
    "ReasonUser",
    "Reservation",
    "RestrictedCoresPerGPU",
    "ResumeAfter",
    "ResumeAfterTime",
    "SlurmdStartTime",
    "Sockets",
    "State",
    "TRES",
    "TRESWeights",
    "ThreadsPerCore",
    "TmpDisk",
    "Topology",
    "TopologyAddr",
    "TopologyRoute",
    "Version",
    "Weight",
    "Weights",
});

bool is_known_node_key(std::string_view key) {
  static_assert(std::ranges::is_sorted(kNodeKeys));
  return std::ranges::binary_search(kNodeKeys, key);
}

bool is_free_text_key(std::string_view key) {
  return key == "Reason" || key == "OS" || key == "Comment" || key == "Extra";
}

std::vector<std::string> split_partitions(std::string_view value) {
  std::vector<std::string> partitions;
  if (value.empty() || value == "(null)") return partitions;
  while (true) {
    const auto comma = value.find(',');
    if (const auto name = value.substr(0, comma); !name.empty()) partitions.emplace_back(name);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return partitions;
}

}  // namespace

NodeState parse_node_state(std::string_view text) {
  NodeState state;
  state.text = std::string(text);
  while (!text.empty()) {
    const auto flag = flag_for_symbol(text.back());
    if (!flag) break;
    state.flags.set(*flag);
    text.remove_suffix(1);
  }
  const auto plus = text.find('+');
  const std::string_view base = text.substr(0, plus);
  state.base = NodeBase::other;
  for (const auto& entry : kBases) {
    if (equals_upper(base, entry.name)) {
      state.base = entry.base;
      break;
    }
  }
  // sinfo prints some flags on their own (`drain`, `drng`, `maint`): keep them as flags.
  if (state.base == NodeBase::other) {
    if (const auto flag = flag_named(base)) state.flags.set(*flag);
  }
  if (plus == std::string_view::npos) return state;
  text.remove_prefix(plus + 1);
  while (true) {
    const auto next = text.find('+');
    if (const auto flag = flag_named(text.substr(0, next))) state.flags.set(*flag);
    if (next == std::string_view::npos) break;
    text.remove_prefix(next + 1);
  }
  return state;
}

core::Result<std::vector<Node>> parse_nodes(std::string_view output) {
  std::vector<Node> nodes;
  std::optional<core::Error> error;
  detail::for_each_line(output, [&](std::size_t number, std::string_view line) {
    line = detail::trim(line);
    if (line.empty() || detail::is_none_in_system_note(line)) return true;
    auto fail = [&](std::string message) {
      error = core::Error{core::ErrorCode::parse_error,
                          fmt::format("scontrol show node, line {}: {}", number, message)};
      return false;
    };
    if (!line.starts_with("NodeName=")) {
      return fail(
          fmt::format("expected a line starting with NodeName=, got '{}'", line.substr(0, 80)));
    }
    Node node;
    std::string_view gres;
    std::string_view gres_used;
    bool has_state = false;
    detail::for_each_field(line, is_free_text_key, is_known_node_key,
                           [&](std::string_view key, std::string_view value) {
                             // Dispatch on length first: most keys are none of these.
                             switch (key.size()) {
                               case 4:
                                 if (key == "Gres") gres = value;
                                 break;
                               case 5:
                                 if (key == "State") {
                                   node.state = parse_node_state(value);
                                   has_state = true;
                                 }
                                 break;
                               case 6:
                                 if (key == "Reason") node.reason = std::string(value);
                                 break;
                               case 8:
                                 if (key == "NodeName") node.name = std::string(value);
                                 if (key == "GresUsed") gres_used = value;
                                 break;
                               case 10:
                                 if (key == "Partitions") node.partitions = split_partitions(value);
                                 break;
                               default:
                                 break;
                             }
                           });
    if (node.name.empty()) return fail("NodeName is empty");
    if (!has_state) return fail(fmt::format("node {} has no State", node.name));
    auto parsed_gres = parse_gres(gres);
    if (!parsed_gres)
      return fail(fmt::format("node {}: Gres: {}", node.name, parsed_gres.error().message));
    auto parsed_used = parse_gres(gres_used);
    if (!parsed_used) {
      return fail(fmt::format("node {}: GresUsed: {}", node.name, parsed_used.error().message));
    }
    node.gres = std::move(*parsed_gres);
    node.gres_used = std::move(*parsed_used);
    nodes.push_back(std::move(node));
    return true;
  });
  if (error) return std::unexpected(std::move(*error));
  return nodes;
}

}  // namespace sortie::slurm

#include "sortie/slurm/node.hpp"

#include <fmt/format.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
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
  switch (key.size()) {
    case 2:
      return key == "OS";
    case 5:
      return key == "Extra";
    case 6:
      return key == "Reason";
    case 7:
      return key == "Comment";
    default:
      return false;
  }
}

constexpr auto kKeyChars = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[static_cast<std::size_t>(c)] =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }
  return table;
}();

bool is_key_char(char c) {
  return kKeyChars[static_cast<unsigned char>(c)];
}

// The positions of '=' in [begin, end), in order: 16 bytes at a time with SSE2, where a memchr
// call per '=' would cost more than the search (a node line has about 70 of them).
class EqualsFinder {
 public:
  EqualsFinder(const char* begin, const char* end) : m_next(begin), m_end(end) {}

  // The next '=', or nullptr when there is none.
  const char* next() {
    while (m_mask == 0) {
      if (m_next >= m_end) return nullptr;
      m_block = m_next;
#if defined(__SSE2__)
      if (m_end - m_next >= 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m_next));
        m_mask =
            static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('='))));
        m_next += 16;
        continue;
      }
#endif
      const auto length = std::min<std::ptrdiff_t>(m_end - m_next, 16);
      for (std::ptrdiff_t i = 0; i < length; ++i) {
        if (m_next[i] == '=') m_mask |= 1U << i;
      }
      m_next += length;
    }
    const auto bit = std::countr_zero(m_mask);
    m_mask &= m_mask - 1;
    return m_block + bit;
  }

 private:
  const char* m_next;
  const char* m_end;
  const char* m_block = nullptr;
  unsigned m_mask = 0;
};

// detail::for_each_field for node lines, with the same fields and values, found faster: a
// 10,000-node cluster prints 8 MB. Instead of looking at every space-separated word, it goes
// from '=' to '=' and looks back for the key: a word starts a field only when it is `Key=...`,
// i.e. its first '=' follows a letter or underscore, then letters, digits and underscores.
template <class OnField>
void for_each_node_field(std::string_view line, OnField on_field) {
  const char* const begin = line.data();
  const std::size_t first_key = detail::key_length(line);
  std::string_view key = line.substr(0, first_key);
  std::size_t value_start = first_key + 1;
  bool free_text = is_free_text_key(key);
  EqualsFinder finder(begin + value_start, begin + line.size());
  while (const char* equals = finder.next()) {
    const char* key_start = equals;
    while (key_start > begin && is_key_char(key_start[-1])) --key_start;
    // A key at the start of a word: after a space, not empty, not starting with a digit.
    if (key_start == equals || key_start == begin || key_start[-1] != ' ' ||
        (*key_start >= '0' && *key_start <= '9')) {
      continue;
    }
    const auto token_start = static_cast<std::size_t>(key_start - begin);
    if (token_start <= value_start) continue;
    const std::string_view next_key(key_start, static_cast<std::size_t>(equals - key_start));
    if (free_text && !(is_known_node_key(next_key) &&
                       !detail::starts_field_in(line.substr(0, token_start), next_key))) {
      continue;
    }
    // scontrol pads some fields with a second space ("CoresPerSocket=8  CPUAlloc=0").
    std::size_t value_end = token_start - 1;
    while (value_end > value_start && line[value_end - 1] == ' ') --value_end;
    on_field(key, line.substr(value_start, value_end - value_start));
    key = next_key;
    value_start = token_start + next_key.size() + 1;
    free_text = is_free_text_key(key);
  }
  std::size_t last = line.size();
  while (last > value_start && (line[last - 1] == ' ' || line[last - 1] == '\r')) --last;
  on_field(key, line.substr(value_start, last > value_start ? last - value_start : 0));
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
  // A line is about 1 KB: reserving once spares the copies of 10,000 nodes while growing.
  nodes.reserve(output.size() / 512 + 1);
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
    Node& node = nodes.emplace_back();
    std::string_view gres;
    std::string_view gres_used;
    bool has_state = false;
    for_each_node_field(line, [&](std::string_view key, std::string_view value) {
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
    return true;
  });
  if (error) return std::unexpected(std::move(*error));
  return nodes;
}

}  // namespace sortie::slurm

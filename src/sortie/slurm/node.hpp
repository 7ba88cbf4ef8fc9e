#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/slurm/gres.hpp"

namespace sortie::slurm {

// The base of a node's state, the part before the first '+' in `State=MIXED+DRAIN`.
enum class NodeBase {
  allocated,
  completing,
  down,
  error,
  future,
  idle,
  mixed,
  unknown,
  other,  // a base this code does not know; NodeState::text keeps what SLURM printed
};

// A flag after the base, as in `State=IDLE+CLOUD+POWERED_DOWN`.
enum class NodeFlag : std::uint8_t {
  blocked,
  cloud,
  completing,
  drain,
  drained,
  draining,
  dynamic_future,
  dynamic_norm,
  fail,
  invalid_reg,
  maintenance,
  not_responding,
  perfctrs,
  planned,
  power_down,
  power_up,
  powered_down,
  powering_down,
  powering_up,
  reboot_issued,
  reboot_requested,
  reserved,
};

// A set of NodeFlag values.
class NodeFlags {
 public:
  // Whether `flag` is in the set.
  [[nodiscard]] bool has(NodeFlag flag) const { return (m_bits & bit(flag)) != 0; }
  // Adds `flag` to the set.
  void set(NodeFlag flag) { m_bits |= bit(flag); }
  // Whether the set is empty.
  [[nodiscard]] bool empty() const { return m_bits == 0; }

  friend bool operator==(const NodeFlags&, const NodeFlags&) = default;

 private:
  static std::uint32_t bit(NodeFlag flag) {
    return std::uint32_t{1} << static_cast<unsigned>(flag);
  }
  std::uint32_t m_bits = 0;
};

// A node's state as `scontrol show node` prints it.
struct NodeState {
  NodeBase base = NodeBase::unknown;
  NodeFlags flags;
  std::string text;  // the state exactly as SLURM printed it, e.g. "MIXED+DRAIN"
};

// Parses a node state: a base and `+FLAG`s (`IDLE+DRAIN+MAINTENANCE+RESERVED`), case-insensitive,
// also in sinfo's form with trailing symbols (`idle~`, `mix-`, `down*`), which map to flags
// (* not_responding, ~ powered_down, # powering_up, % powering_down, $ maintenance,
// @ reboot_requested, ^ reboot_issued, ! power_down, - planned). Never fails: an unknown base
// gives NodeBase::other, unknown flags are skipped; `text` always keeps the original.
NodeState parse_node_state(std::string_view text);

// One line of `scontrol -d -o show node`, reduced to what sortie uses.
struct Node {
  std::string name;
  NodeState state;
  std::vector<GresItem> gres;       // configured generic resources (`Gres=`)
  std::vector<GresItem> gres_used;  // those allocated to running jobs (`GresUsed=`)
  std::vector<std::string> partitions;
  std::string reason;  // why the node is down or drained; empty when SLURM gave none
};

// Parses the whole output of `scontrol -d -o show node` (see commands.hpp): one node per line.
// Empty output, or scontrol's "No nodes in the system", is an empty list. Fails with
// parse_error naming the line number when a line is not a node record or its Gres cannot be
// read.
core::Result<std::vector<Node>> parse_nodes(std::string_view output);

}  // namespace sortie::slurm

#include "sortie/slurm/node.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sortie::slurm {
namespace {

// A node line as SLURM 22.05 prints it, with the double spaces scontrol really emits.
std::string node_line(std::string_view name, std::string_view state, std::string_view gres,
                      std::string_view gres_used, std::string_view tail = "") {
  std::string line = "NodeName=";
  line += name;
  line +=
      " Arch=x86_64 CoresPerSocket=8  CPUAlloc=0 CPUEfctv=16 CPUTot=16 CPULoad=0.01 "
      "AvailableFeatures=(null) ActiveFeatures=(null) Gres=";
  line += gres;
  line += " GresDrain=N/A GresUsed=";
  line += gres_used;
  line += " NodeAddr=10.0.0.1 NodeHostName=";
  line += name;
  line +=
      " Version=22.05.8 OS=Linux 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 "
      "(2024-02-01)  RealMemory=256000 AllocMem=0 FreeMem=250000 Sockets=2 Boards=1 State=";
  line += state;
  line +=
      " ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A Partitions=gpu,debug  "
      "BootTime=2026-11-29T08:34:11 SlurmdStartTime=2026-11-29T08:45:50 "
      "LastBusyTime=2026-11-29T08:45:50 CfgTRES=cpu=16,mem=250G,billing=16,gres/gpu=4 "
      "AllocTRES= CapWatts=n/a CurrentWatts=0 AveWatts=0 ExtSensorsJoules=n/s "
      "ExtSensorsWatts=0 ExtSensorsTemp=n/s";
  line += tail;
  return line;
}

Node parse_one(const std::string& line) {
  auto nodes = parse_nodes(line);
  EXPECT_TRUE(nodes.has_value()) << (nodes ? "" : nodes.error().message);
  if (!nodes || nodes->size() != 1) {
    ADD_FAILURE() << "expected one node";
    return {};
  }
  return nodes->front();
}

TEST(NodeParse, ExtractsNameStateGresPartitions) {
  const Node node =
      parse_one(node_line("a100-1", "MIXED", "gpu:a100:4(S:0-1)", "gpu:a100:2(IDX:0-1)"));
  EXPECT_EQ(node.name, "a100-1");
  EXPECT_EQ(node.state.base, NodeBase::mixed);
  EXPECT_TRUE(node.state.flags.empty());
  EXPECT_EQ(node.gres, (std::vector<GresItem>{{"gpu", "a100", 4}}));
  EXPECT_EQ(node.gres_used, (std::vector<GresItem>{{"gpu", "a100", 2}}));
  EXPECT_EQ(node.partitions, (std::vector<std::string>{"gpu", "debug"}));
  EXPECT_EQ(node.reason, "");
}

TEST(NodeParse, KeepsOsWithSpacesOutOfTheNextField) {
  // The OS value holds spaces and "#1"; the double space after it must not leak into fields.
  const Node node = parse_one(node_line("n1", "IDLE", "gpu:2", "gpu:0"));
  EXPECT_EQ(node.state.base, NodeBase::idle);
  EXPECT_EQ(node.partitions, (std::vector<std::string>{"gpu", "debug"}));
}

TEST(NodeParse, ReadsReasonWithSpacesAtEndOfLine) {
  const Node node =
      parse_one(node_line("n1", "IDLE+DRAIN", "gpu:2", "gpu:0",
                          " Reason=fan failure on slot 2 [root@2026-11-29T08:00:00]"));
  EXPECT_EQ(node.reason, "fan failure on slot 2 [root@2026-11-29T08:00:00]");
  EXPECT_TRUE(node.state.flags.has(NodeFlag::drain));
}

TEST(NodeParse, ReadsReasonHoldingKeyValueLookingWords) {
  const Node node = parse_one(node_line("n1", "MIXED+DRAIN", "gpu:2", "gpu:1",
                                        " Reason=bad gpu Temp=90C State=hot [root@2026-11-29]"));
  EXPECT_EQ(node.reason, "bad gpu Temp=90C State=hot [root@2026-11-29]");
  // "State=hot" inside the reason is a known key, but the real State came first and stays.
  EXPECT_EQ(node.state.base, NodeBase::mixed);
}

TEST(NodeParse, ReadsReasonFollowedByMoreFields) {
  const std::string line =
      "NodeName=n1 State=DOWN+NOT_RESPONDING Gres=gpu:h100:8 GresUsed=gpu:h100:0(IDX:N/A) "
      "Reason=Not responding Temp=90C [slurm@2026-11-29T07:00:00] Comment=rack 4 slot=7 "
      "Extra=owner is team a Partitions=gpu Weight=1";
  const Node node = parse_one(line);
  EXPECT_EQ(node.reason, "Not responding Temp=90C [slurm@2026-11-29T07:00:00]");
  EXPECT_EQ(node.partitions, (std::vector<std::string>{"gpu"}));
  EXPECT_EQ(node.state.base, NodeBase::down);
  EXPECT_TRUE(node.state.flags.has(NodeFlag::not_responding));
}

TEST(NodeParse, ReadsCommentAndExtraWithSpacesBeforeState) {
  const std::string line =
      "NodeName=n1 Comment=moved to rack 4 Extra=json {\"a\": 1} State=IDLE Gres=gpu:1 "
      "GresUsed=gpu:0 Partitions=p";
  const Node node = parse_one(line);
  EXPECT_EQ(node.state.base, NodeBase::idle);
  EXPECT_EQ(node.gres, (std::vector<GresItem>{{"gpu", "", 1}}));
}

TEST(NodeParse, ReadsLinesShorterThanABlockAndWordsThatOnlyLookLikeFields) {
  // Fields are found from '=' to '=' 16 bytes at a time: a line shorter than that, and words of
  // a free-text value with '=' in them that are no field (no key, a digit first, a dash), read
  // as before.
  const std::string text =
      "NodeName=a State=IDLE\n"
      "NodeName=b Comment=x =y 9k=3 a-b=c  State=IDLE Gres=gpu:t4:1 GresUsed=gpu:t4:0 "
      "Partitions=p\n";
  auto nodes = parse_nodes(text);
  ASSERT_TRUE(nodes) << nodes.error().message;
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].name, "a");
  EXPECT_EQ((*nodes)[0].state.base, NodeBase::idle);
  EXPECT_TRUE((*nodes)[0].gres.empty());
  EXPECT_EQ((*nodes)[1].state.base, NodeBase::idle);
  EXPECT_EQ((*nodes)[1].gres, (std::vector<GresItem>{{"gpu", "t4", 1}}));
  EXPECT_EQ((*nodes)[1].partitions, (std::vector<std::string>{"p"}));
}

TEST(NodeParse, ReadsNodeWithoutGresOrPartitions) {
  const Node node = parse_one("NodeName=cpu1 State=IDLE Gres=(null) Partitions=(null)");
  EXPECT_TRUE(node.gres.empty());
  EXPECT_TRUE(node.gres_used.empty());
  EXPECT_TRUE(node.partitions.empty());
}

TEST(NodeParse, ReadsManyLinesAndCrlf) {
  const std::string output = node_line("a", "IDLE", "gpu:1", "gpu:0") + "\r\n" +
                             node_line("b", "ALLOCATED", "gpu:2", "gpu:2") + "\n\n";
  const auto nodes = parse_nodes(output);
  ASSERT_TRUE(nodes.has_value()) << nodes.error().message;
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].name, "a");
  EXPECT_EQ((*nodes)[0].partitions.back(), "debug");
  EXPECT_EQ((*nodes)[1].state.base, NodeBase::allocated);
}

TEST(NodeParse, AcceptsEmptyOutputAsNoNodes) {
  EXPECT_TRUE(parse_nodes("")->empty());
  EXPECT_TRUE(parse_nodes("\n")->empty());
  EXPECT_TRUE(parse_nodes("No nodes in the system\n")->empty());
}

TEST(NodeParse, NamesTheLineOfGarbage) {
  const std::string output = node_line("a", "IDLE", "gpu:1", "gpu:0") + "\nslurm_load_node: oops\n";
  const auto nodes = parse_nodes(output);
  ASSERT_FALSE(nodes.has_value());
  EXPECT_EQ(nodes.error().code, core::ErrorCode::parse_error);
  EXPECT_NE(nodes.error().message.find("line 2"), std::string::npos) << nodes.error().message;
}

TEST(NodeParse, RejectsBadGresNamingNodeAndLine) {
  const auto nodes = parse_nodes("NodeName=x State=IDLE Gres=gpu:a100:4(IDX");
  ASSERT_FALSE(nodes.has_value());
  EXPECT_NE(nodes.error().message.find("line 1"), std::string::npos);
  EXPECT_NE(nodes.error().message.find("node x"), std::string::npos);
}

TEST(NodeParse, RejectsNodeWithoutState) {
  EXPECT_FALSE(parse_nodes("NodeName=x Gres=gpu:1").has_value());
}

TEST(NodeState, ParsesBaseAlone) {
  EXPECT_EQ(parse_node_state("IDLE").base, NodeBase::idle);
  EXPECT_EQ(parse_node_state("ALLOCATED").base, NodeBase::allocated);
  EXPECT_EQ(parse_node_state("MIXED").base, NodeBase::mixed);
  EXPECT_EQ(parse_node_state("DOWN").base, NodeBase::down);
  EXPECT_EQ(parse_node_state("ERROR").base, NodeBase::error);
  EXPECT_EQ(parse_node_state("FUTURE").base, NodeBase::future);
  EXPECT_EQ(parse_node_state("UNKNOWN").base, NodeBase::unknown);
  EXPECT_EQ(parse_node_state("COMPLETING").base, NodeBase::completing);
}

TEST(NodeState, ParsesMixedDrain) {
  const NodeState state = parse_node_state("MIXED+DRAIN");
  EXPECT_EQ(state.base, NodeBase::mixed);
  EXPECT_TRUE(state.flags.has(NodeFlag::drain));
  EXPECT_FALSE(state.flags.has(NodeFlag::drained));
  EXPECT_EQ(state.text, "MIXED+DRAIN");
}

TEST(NodeState, ParsesCloudPoweredDown) {
  const NodeState state = parse_node_state("IDLE+CLOUD+POWERED_DOWN");
  EXPECT_EQ(state.base, NodeBase::idle);
  EXPECT_TRUE(state.flags.has(NodeFlag::cloud));
  EXPECT_TRUE(state.flags.has(NodeFlag::powered_down));
}

TEST(NodeState, ParsesDownNotResponding) {
  const NodeState state = parse_node_state("DOWN+NOT_RESPONDING");
  EXPECT_EQ(state.base, NodeBase::down);
  EXPECT_TRUE(state.flags.has(NodeFlag::not_responding));
}

TEST(NodeState, ParsesAllocatedCompleting) {
  const NodeState state = parse_node_state("ALLOCATED+COMPLETING");
  EXPECT_EQ(state.base, NodeBase::allocated);
  EXPECT_TRUE(state.flags.has(NodeFlag::completing));
}

TEST(NodeState, ParsesFourParts) {
  const NodeState state = parse_node_state("IDLE+DRAIN+MAINTENANCE+RESERVED");
  EXPECT_EQ(state.base, NodeBase::idle);
  EXPECT_TRUE(state.flags.has(NodeFlag::drain));
  EXPECT_TRUE(state.flags.has(NodeFlag::maintenance));
  EXPECT_TRUE(state.flags.has(NodeFlag::reserved));
}

TEST(NodeState, ParsesEveryListedFlag) {
  const std::pair<std::string_view, NodeFlag> cases[] = {
      {"CLOUD", NodeFlag::cloud},
      {"COMPLETING", NodeFlag::completing},
      {"DRAIN", NodeFlag::drain},
      {"DRAINED", NodeFlag::drained},
      {"DRAINING", NodeFlag::draining},
      {"DYNAMIC_FUTURE", NodeFlag::dynamic_future},
      {"DYNAMIC_NORM", NodeFlag::dynamic_norm},
      {"FAIL", NodeFlag::fail},
      {"INVALID_REG", NodeFlag::invalid_reg},
      {"MAINTENANCE", NodeFlag::maintenance},
      {"NOT_RESPONDING", NodeFlag::not_responding},
      {"PERFCTRS", NodeFlag::perfctrs},
      {"PLANNED", NodeFlag::planned},
      {"POWER_DOWN", NodeFlag::power_down},
      {"POWERED_DOWN", NodeFlag::powered_down},
      {"POWERING_DOWN", NodeFlag::powering_down},
      {"POWERING_UP", NodeFlag::powering_up},
      {"REBOOT_ISSUED", NodeFlag::reboot_issued},
      {"REBOOT_REQUESTED", NodeFlag::reboot_requested},
      {"RESERVED", NodeFlag::reserved},
      {"POWER_UP", NodeFlag::power_up},
  };
  for (const auto& [name, flag] : cases) {
    const NodeState state = parse_node_state(std::string("IDLE+") + std::string(name));
    EXPECT_TRUE(state.flags.has(flag)) << name;
    EXPECT_EQ(state.base, NodeBase::idle) << name;
  }
}

TEST(NodeState, ParsesPoweringUp) {
  EXPECT_TRUE(parse_node_state("IDLE+POWERING_UP").flags.has(NodeFlag::powering_up));
}

TEST(NodeState, MapsSinfoSymbolsToFlags) {
  EXPECT_TRUE(parse_node_state("idle~").flags.has(NodeFlag::powered_down));
  EXPECT_EQ(parse_node_state("idle~").base, NodeBase::idle);
  EXPECT_TRUE(parse_node_state("down*").flags.has(NodeFlag::not_responding));
  EXPECT_TRUE(parse_node_state("idle#").flags.has(NodeFlag::powering_up));
  EXPECT_TRUE(parse_node_state("idle%").flags.has(NodeFlag::powering_down));
  EXPECT_TRUE(parse_node_state("mix$").flags.has(NodeFlag::maintenance));
  EXPECT_TRUE(parse_node_state("alloc@").flags.has(NodeFlag::reboot_requested));
  EXPECT_TRUE(parse_node_state("idle^").flags.has(NodeFlag::reboot_issued));
  EXPECT_TRUE(parse_node_state("idle!").flags.has(NodeFlag::power_down));
  EXPECT_TRUE(parse_node_state("mix-").flags.has(NodeFlag::planned));
  EXPECT_EQ(parse_node_state("mix-").base, NodeBase::mixed);
  const NodeState both = parse_node_state("MIXED+DRAIN*");
  EXPECT_TRUE(both.flags.has(NodeFlag::drain));
  EXPECT_TRUE(both.flags.has(NodeFlag::not_responding));
}

TEST(NodeState, KeepsUnknownBaseAsText) {
  const NodeState state = parse_node_state("WEIRD+DRAIN+NEWFLAG");
  EXPECT_EQ(state.base, NodeBase::other);
  EXPECT_EQ(state.text, "WEIRD+DRAIN+NEWFLAG");
  EXPECT_TRUE(state.flags.has(NodeFlag::drain));
}

TEST(NodeState, ReadsSinfoDrainAloneAsFlag) {
  const NodeState state = parse_node_state("drained");
  EXPECT_TRUE(state.flags.has(NodeFlag::drained));
}

}  // namespace
}  // namespace sortie::slurm

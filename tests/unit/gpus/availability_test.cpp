#include "sortie/gpus/availability.hpp"

#include <gtest/gtest.h>

namespace sortie::gpus {
namespace {

using slurm::GpuRequest;
using slurm::GresItem;
using slurm::Node;
using slurm::PendingJob;

Node node(std::string name, std::string_view state, std::vector<GresItem> gres,
          std::vector<GresItem> used, std::vector<std::string> partitions = {"gpu"}) {
  Node result;
  result.name = std::move(name);
  result.state = slurm::parse_node_state(state);
  result.gres = std::move(gres);
  result.gres_used = std::move(used);
  result.partitions = std::move(partitions);
  return result;
}

PendingJob job(std::string id, std::vector<std::string> partitions, std::vector<GpuRequest> gpus) {
  return PendingJob{std::move(id), std::move(partitions), std::move(gpus)};
}

const TypeAvailability* find_type(const std::vector<TypeAvailability>& types,
                                  std::string_view name) {
  for (const auto& type : types) {
    if (type.type == name) return &type;
  }
  return nullptr;
}

const PartitionAvailability* find_partition(const Availability& availability,
                                            std::string_view name) {
  for (const auto& partition : availability.partitions) {
    if (partition.name == name) return &partition;
  }
  return nullptr;
}

TEST(Availability, CountsFreeAndUsedOnUpNodes) {
  const auto result = compute({node("h100-1", "MIXED", {{"gpu", "h100", 8}}, {{"gpu", "h100", 3}}),
                               node("h100-2", "IDLE", {{"gpu", "h100", 8}}, {{"gpu", "h100", 0}})},
                              {}, {});
  ASSERT_EQ(result.gpu_types.size(), 1u);
  const TypeAvailability& h100 = result.gpu_types[0];
  EXPECT_EQ(h100.type, "h100");
  EXPECT_EQ(h100.total, 16);
  EXPECT_EQ(h100.used, 3);
  EXPECT_EQ(h100.free, 13);
  EXPECT_EQ(h100.powered_down, 0);
  EXPECT_EQ(h100.unavailable, 0);
  EXPECT_EQ(h100.nodes, (std::vector<NodeFree>{{"h100-1", 5}, {"h100-2", 8}}));
}

TEST(Availability, CountsRunningJobsOnDrainedNodeAsUsedAndTheRestUnavailable) {
  const auto result =
      compute({node("a100-1", "MIXED+DRAIN", {{"gpu", "a100", 4}}, {{"gpu", "a100", 1}})}, {}, {});
  const TypeAvailability& a100 = result.gpu_types.at(0);
  EXPECT_EQ(a100.used, 1);
  EXPECT_EQ(a100.free, 0);
  EXPECT_EQ(a100.unavailable, 3);
  EXPECT_EQ(a100.total, 1);
  EXPECT_TRUE(a100.nodes.empty());
}

TEST(Availability, CountsEveryNoNewWorkStateAsUnavailable) {
  for (const std::string_view state :
       {"DOWN", "DOWN+NOT_RESPONDING", "IDLE+DRAIN", "IDLE+DRAINED", "MIXED+DRAINING", "IDLE+FAIL",
        "IDLE+NOT_RESPONDING", "IDLE+MAINTENANCE", "IDLE+INVALID_REG", "FUTURE",
        "IDLE+POWERING_DOWN", "UNKNOWN", "ERROR", "IDLE+DRAIN+MAINTENANCE+RESERVED",
        "DOWN+CLOUD+POWERED_DOWN", "SOMETHING_NEW"}) {
    const auto result = compute({node("n", state, {{"gpu", "a100", 4}}, {})}, {}, {});
    const TypeAvailability& a100 = result.gpu_types.at(0);
    EXPECT_EQ(a100.unavailable, 4) << state;
    EXPECT_EQ(a100.free, 0) << state;
    EXPECT_EQ(a100.total, 0) << state;
  }
}

TEST(Availability, CountsPowerSavedAndCloudNodesAsPoweredDown) {
  for (const std::string_view state : {"IDLE+CLOUD+POWERED_DOWN", "IDLE+POWERED_DOWN",
                                       "IDLE+POWERING_UP", "IDLE+POWER_DOWN", "idle~"}) {
    const auto result = compute({node("c", state, {{"gpu", "h100", 8}}, {})}, {}, {});
    const TypeAvailability& h100 = result.gpu_types.at(0);
    EXPECT_EQ(h100.powered_down, 8) << state;
    EXPECT_EQ(h100.free, 0) << state;
    EXPECT_EQ(h100.total, 8) << state;
    EXPECT_TRUE(h100.nodes.empty()) << state;
  }
}

TEST(Availability, CountsBootingNodeWithAllocationAsUsed) {
  const auto result = compute(
      {node("c", "ALLOCATED+CLOUD+POWERING_UP", {{"gpu", "h100", 8}}, {{"gpu", "h100", 8}})}, {},
      {});
  EXPECT_EQ(result.gpu_types.at(0).used, 8);
  EXPECT_EQ(result.gpu_types.at(0).powered_down, 0);
}

TEST(Availability, TreatsCloudNodeThatIsUpAsFree) {
  const auto result = compute({node("c", "IDLE+CLOUD", {{"gpu", "h100", 8}}, {})}, {}, {});
  EXPECT_EQ(result.gpu_types.at(0).free, 8);
}

TEST(Availability, SplitsMultiTypeNodeByType) {
  const auto result = compute(
      {node("mix", "MIXED", {{"gpu", "1080ti", 1}, {"gpu", "980gtx", 1}}, {{"gpu", "980gtx", 1}})},
      {}, {});
  ASSERT_EQ(result.gpu_types.size(), 2u);
  EXPECT_EQ(result.gpu_types[0].type, "1080ti");
  EXPECT_EQ(result.gpu_types[0].free, 1);
  EXPECT_EQ(result.gpu_types[1].type, "980gtx");
  EXPECT_EQ(result.gpu_types[1].used, 1);
  EXPECT_EQ(result.gpu_types[1].free, 0);
}

TEST(Availability, ReportsGpusWithoutTypeAsUntyped) {
  const auto result = compute({node("gpu-1", "MIXED", {{"gpu", "", 2}}, {{"gpu", "", 1}})}, {}, {});
  ASSERT_EQ(result.gpu_types.size(), 1u);
  EXPECT_EQ(result.gpu_types[0].type, "(untyped)");
  EXPECT_EQ(result.gpu_types[0].used, 1);
  EXPECT_EQ(result.gpu_types[0].free, 1);
}

TEST(Availability, AttributesUntypedUsageOnTypedNodeToItsType) {
  const auto result = compute({node("n", "MIXED", {{"gpu", "a100", 4}}, {{"gpu", "", 2}})}, {}, {});
  ASSERT_EQ(result.gpu_types.size(), 1u);
  EXPECT_EQ(result.gpu_types[0].used, 2);
  EXPECT_EQ(result.gpu_types[0].free, 2);
}

TEST(Availability, IgnoresShardsAndOtherGres) {
  const auto result =
      compute({node("n", "MIXED", {{"gpu", "h100", 1}, {"shard", "h100", 2}, {"mps", "", 100}},
                    {{"gpu", "h100", 0}, {"shard", "h100", 2}})},
              {}, {});
  ASSERT_EQ(result.gpu_types.size(), 1u);
  EXPECT_EQ(result.gpu_types[0].total, 1);
  EXPECT_EQ(result.gpu_types[0].free, 1);
}

TEST(Availability, SkipsNodesWithoutGpus) {
  const auto result = compute({node("cpu1", "IDLE", {}, {})}, {}, {});
  EXPECT_TRUE(result.gpu_types.empty());
  EXPECT_TRUE(result.partitions.empty());
}

TEST(Availability, SumsPendingByTypeAndUntypedApart) {
  const auto result = compute({node("h", "IDLE", {{"gpu", "h100", 8}}, {})},
                              {job("1", {"gpu"}, {{"h100", 4}}), job("2", {"gpu"}, {{"", 3}}),
                               job("3", {"gpu"}, {{"h100", 1}, {"", 1}}), job("4", {"gpu"}, {})},
                              {});
  EXPECT_EQ(result.gpu_types.at(0).pending, 5);
  EXPECT_EQ(result.pending_untyped, 4);
}

TEST(Availability, ListsPendingTypeThatNoNodeHas) {
  const auto result = compute({node("h", "IDLE", {{"gpu", "h100", 8}}, {})},
                              {job("1", {"gpu"}, {{"b200", 2}})}, {});
  ASSERT_EQ(result.gpu_types.size(), 2u);
  EXPECT_EQ(result.gpu_types[0].type, "b200");
  EXPECT_EQ(result.gpu_types[0].total, 0);
  EXPECT_EQ(result.gpu_types[0].pending, 2);
}

TEST(Availability, BreaksDownPerPartitionCountingSharedNodesInEach) {
  const auto result = compute(
      {node("a100-1", "MIXED", {{"gpu", "a100", 4}}, {{"gpu", "a100", 1}}, {"gpu", "debug"}),
       node("h100-1", "IDLE", {{"gpu", "h100", 8}}, {}, {"gpu", "long"})},
      {job("7", {"gpu", "debug"}, {{"a100", 2}}), job("8", {"debug"}, {{"", 1}})}, {});
  // Cluster totals count each node and job once.
  EXPECT_EQ(find_type(result.gpu_types, "a100")->free, 3);
  EXPECT_EQ(find_type(result.gpu_types, "a100")->pending, 2);
  EXPECT_EQ(result.pending_untyped, 1);
  ASSERT_EQ(result.partitions.size(), 3u);
  EXPECT_EQ(result.partitions[0].name, "debug");
  EXPECT_EQ(result.partitions[1].name, "gpu");
  EXPECT_EQ(result.partitions[2].name, "long");
  const auto* debug = find_partition(result, "debug");
  EXPECT_EQ(debug->pending_untyped, 1);
  ASSERT_EQ(debug->gpu_types.size(), 1u);
  EXPECT_EQ(debug->gpu_types[0].free, 3);
  EXPECT_EQ(debug->gpu_types[0].pending, 2);
  const auto* gpu = find_partition(result, "gpu");
  EXPECT_EQ(gpu->pending_untyped, 0);
  EXPECT_EQ(find_type(gpu->gpu_types, "a100")->pending, 2);
  EXPECT_EQ(find_type(gpu->gpu_types, "h100")->free, 8);
  const auto* long_partition = find_partition(result, "long");
  ASSERT_EQ(long_partition->gpu_types.size(), 1u);
  EXPECT_EQ(long_partition->gpu_types[0].type, "h100");
}

TEST(Availability, FiltersPartitionsInTotalsAndBreakdown) {
  const auto result =
      compute({node("a100-1", "IDLE", {{"gpu", "a100", 4}}, {}, {"gpu", "debug"}),
               node("h100-1", "IDLE", {{"gpu", "h100", 8}}, {}, {"long"})},
              {job("1", {"long"}, {{"h100", 8}}), job("2", {"debug", "long"}, {{"a100", 1}})},
              Filters{{"debug"}, {}});
  ASSERT_EQ(result.gpu_types.size(), 1u);
  EXPECT_EQ(result.gpu_types[0].type, "a100");
  EXPECT_EQ(result.gpu_types[0].free, 4);
  EXPECT_EQ(result.gpu_types[0].pending, 1);
  ASSERT_EQ(result.partitions.size(), 1u);
  EXPECT_EQ(result.partitions[0].name, "debug");
}

TEST(Availability, FiltersGpuTypes) {
  const auto result = compute({node("n", "IDLE", {{"gpu", "a100", 4}, {"gpu", "l40", 2}}, {}),
                               node("u", "IDLE", {{"gpu", "", 2}}, {})},
                              {job("1", {"gpu"}, {{"a100", 1}}), job("2", {"gpu"}, {{"", 2}})},
                              Filters{{}, {"l40", "(untyped)"}});
  ASSERT_EQ(result.gpu_types.size(), 2u);
  EXPECT_EQ(result.gpu_types[0].type, "(untyped)");
  EXPECT_EQ(result.gpu_types[1].type, "l40");
  EXPECT_EQ(result.gpu_types[1].pending, 0);
  EXPECT_EQ(result.pending_untyped, 2);
}

TEST(Availability, SortsTypesAndNodesByName) {
  const auto result = compute({node("z", "IDLE", {{"gpu", "l40", 1}}, {}),
                               node("b", "IDLE", {{"gpu", "a100", 1}, {"gpu", "l40", 1}}, {}),
                               node("a", "IDLE", {{"gpu", "l40", 1}}, {})},
                              {}, {});
  ASSERT_EQ(result.gpu_types.size(), 2u);
  EXPECT_EQ(result.gpu_types[0].type, "a100");
  EXPECT_EQ(result.gpu_types[1].nodes, (std::vector<NodeFree>{{"a", 1}, {"b", 1}, {"z", 1}}));
}

TEST(Availability, NeverCountsMoreUsedThanDeclared) {
  const auto result =
      compute({node("n", "ALLOCATED", {{"gpu", "a100", 2}}, {{"gpu", "a100", 5}})}, {}, {});
  EXPECT_EQ(result.gpu_types.at(0).used, 2);
  EXPECT_EQ(result.gpu_types.at(0).free, 0);
}

TEST(Availability, ClassifiesCapacity) {
  EXPECT_EQ(capacity_of(slurm::parse_node_state("IDLE")), NodeCapacity::up);
  EXPECT_EQ(capacity_of(slurm::parse_node_state("MIXED+RESERVED")), NodeCapacity::up);
  EXPECT_EQ(capacity_of(slurm::parse_node_state("ALLOCATED+COMPLETING")), NodeCapacity::up);
  EXPECT_EQ(capacity_of(slurm::parse_node_state("IDLE+POWERING_UP")), NodeCapacity::powered_down);
  EXPECT_EQ(capacity_of(slurm::parse_node_state("IDLE+DRAIN+POWERED_DOWN")),
            NodeCapacity::unavailable);
}

}  // namespace
}  // namespace sortie::gpus

#include "sortie/slurm/partition.hpp"

#include <gtest/gtest.h>

#include "sortie/slurm/time.hpp"

namespace sortie::slurm {
namespace {

using std::chrono::minutes;

std::optional<minutes> time_ok(std::string_view text) {
  auto parsed = parse_time_limit(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : std::nullopt;
}

TEST(SlurmTime, ReadsUnlimitedAndNoneAsNoLimit) {
  EXPECT_EQ(time_ok("UNLIMITED"), std::nullopt);
  EXPECT_EQ(time_ok("INFINITE"), std::nullopt);
  EXPECT_EQ(time_ok("NONE"), std::nullopt);
}

TEST(SlurmTime, ReadsMinutesAndSeconds) {
  EXPECT_EQ(time_ok("30:00"), minutes{30});
  EXPECT_EQ(time_ok("30"), minutes{30});
  EXPECT_EQ(time_ok("00:30:00"), minutes{30});
}

TEST(SlurmTime, ReadsHoursMinutesSeconds) {
  EXPECT_EQ(time_ok("01:00:00"), minutes{60});
}

TEST(SlurmTime, ReadsDays) {
  EXPECT_EQ(time_ok("1-00:00:00"), minutes{24 * 60});
  EXPECT_EQ(time_ok("7-00:00:00"), minutes{7 * 24 * 60});
  EXPECT_EQ(time_ok("2-12"), minutes{2 * 24 * 60 + 12 * 60});
  EXPECT_EQ(time_ok("1-02:30"), minutes{24 * 60 + 150});
}

TEST(SlurmTime, RoundsLeftoverSecondsUp) {
  EXPECT_EQ(time_ok("00:00:01"), minutes{1});
  EXPECT_EQ(time_ok("10:30"), minutes{11});
}

TEST(SlurmTime, RejectsGarbage) {
  for (const std::string_view bad : {"", "abc", "1:2:3:4", "-1", "1-", "1-2-3", "1:x", ":", "5h"}) {
    const auto parsed = parse_time_limit(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::parse_error);
  }
}

constexpr std::string_view kGpuPartition =
    "PartitionName=gpu AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL AllocNodes=ALL Default=YES "
    "QoS=N/A DefaultTime=01:00:00 DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 Hidden=NO "
    "MaxNodes=UNLIMITED MaxTime=1-00:00:00 MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED "
    "Nodes=a100-1,gpu-1,h100-[1-2],l40-1 PriorityJobFactor=1 PriorityTier=1 RootOnly=NO "
    "ReqResv=NO OverSubscribe=NO OverTimeLimit=NONE PreemptMode=OFF State=UP TotalCPUs=96 "
    "TotalNodes=5 SelectTypeParameters=NONE JobDefaults=(null) DefMemPerNode=UNLIMITED "
    "MaxMemPerNode=UNLIMITED TRES=cpu=96,mem=1250G,node=5,billing=96,gres/gpu=24";

TEST(PartitionParse, ExtractsEveryField) {
  const auto partitions = parse_partitions(std::string(kGpuPartition) + "\n");
  ASSERT_TRUE(partitions.has_value()) << partitions.error().message;
  ASSERT_EQ(partitions->size(), 1u);
  const Partition& gpu = partitions->front();
  EXPECT_EQ(gpu.name, "gpu");
  EXPECT_TRUE(gpu.is_default);
  EXPECT_EQ(gpu.state, PartitionState::up);
  EXPECT_EQ(gpu.max_time, minutes{24 * 60});
  EXPECT_EQ(gpu.default_time, minutes{60});
  EXPECT_EQ(gpu.nodes, "a100-1,gpu-1,h100-[1-2],l40-1");
  EXPECT_EQ(gpu.total_nodes, 5);
  EXPECT_EQ(gpu.total_cpus, 96);
}

TEST(PartitionParse, ReadsEveryState) {
  const std::pair<std::string_view, PartitionState> cases[] = {
      {"UP", PartitionState::up},
      {"DOWN", PartitionState::down},
      {"DRAIN", PartitionState::drain},
      {"INACTIVE", PartitionState::inactive},
  };
  for (const auto& [text, state] : cases) {
    const auto partitions = parse_partitions(
        std::string("PartitionName=p Default=NO MaxTime=UNLIMITED DefaultTime=NONE Nodes=(null) "
                    "State=") +
        std::string(text) + " TotalCPUs=0 TotalNodes=0");
    ASSERT_TRUE(partitions.has_value()) << text;
    EXPECT_EQ(partitions->front().state, state);
    EXPECT_FALSE(partitions->front().is_default);
    EXPECT_EQ(partitions->front().max_time, std::nullopt);
    EXPECT_EQ(partitions->front().default_time, std::nullopt);
    EXPECT_EQ(partitions->front().nodes, "");
  }
}

TEST(PartitionParse, AcceptsNoPartitions) {
  EXPECT_TRUE(parse_partitions("")->empty());
  EXPECT_TRUE(parse_partitions("No partitions in the system\n")->empty());
}

TEST(PartitionParse, NamesTheLineOfABadTime) {
  const auto partitions = parse_partitions(
      std::string(kGpuPartition) + "\nPartitionName=x State=UP MaxTime=soon TotalNodes=1\n");
  ASSERT_FALSE(partitions.has_value());
  EXPECT_EQ(partitions.error().code, core::ErrorCode::parse_error);
  EXPECT_NE(partitions.error().message.find("line 2"), std::string::npos);
  EXPECT_NE(partitions.error().message.find("MaxTime"), std::string::npos);
}

TEST(PartitionParse, RejectsUnknownStateAndGarbage) {
  EXPECT_FALSE(parse_partitions("PartitionName=x State=SIDEWAYS").has_value());
  EXPECT_FALSE(parse_partitions("hello world").has_value());
  EXPECT_FALSE(parse_partitions("PartitionName=x State=UP TotalCPUs=many").has_value());
}

}  // namespace
}  // namespace sortie::slurm

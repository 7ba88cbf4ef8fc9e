// Parsers on real output captured from the sandbox cluster (SLURM 22.05.8); see
// tests/data/slurm/README.md for the commands and what was running.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sortie/gpus/availability.hpp"
#include "sortie/slurm/node.hpp"
#include "sortie/slurm/partition.hpp"
#include "sortie/slurm/squeue.hpp"

namespace sortie::slurm {
namespace {

std::string captured(const std::string& name) {
  std::ifstream file(std::string(SORTIE_TEST_DATA) + "/slurm/" + name, std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing captured file " << name;
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

const Node& named(const std::vector<Node>& nodes, std::string_view name) {
  for (const auto& node : nodes) {
    if (node.name == name) return node;
  }
  static const Node none;
  ADD_FAILURE() << "no node " << name;
  return none;
}

TEST(CapturedOutput, ParsesRealNodesWithDrainReasonAndComment) {
  const auto nodes = parse_nodes(captured("show_node_busy.txt"));
  ASSERT_TRUE(nodes.has_value()) << nodes.error().message;
  ASSERT_EQ(nodes->size(), 5u);

  const Node& a100 = named(*nodes, "a100-1");
  EXPECT_EQ(a100.state.base, NodeBase::mixed);
  EXPECT_EQ(a100.gres, (std::vector<GresItem>{{"gpu", "a100", 4}}));
  EXPECT_EQ(a100.gres_used, (std::vector<GresItem>{{"gpu", "a100", 4}}));
  EXPECT_EQ(a100.partitions, (std::vector<std::string>{"gpu", "debug"}));

  const Node& untyped = named(*nodes, "gpu-1");
  EXPECT_EQ(untyped.gres, (std::vector<GresItem>{{"gpu", "", 2}}));
  EXPECT_EQ(untyped.gres_used, (std::vector<GresItem>{{"gpu", "", 1}}));

  const Node& l40 = named(*nodes, "l40-1");
  EXPECT_EQ(l40.state.text, "MIXED+DRAIN");
  EXPECT_TRUE(l40.state.flags.has(NodeFlag::drain));
  EXPECT_EQ(l40.reason, "bad gpu Temp=90C State=hot [root@2026-11-29T08:51:43]");
  EXPECT_EQ(l40.gres_used, (std::vector<GresItem>{{"gpu", "l40", 1}}));

  const Node& h100 = named(*nodes, "h100-2");
  EXPECT_EQ(h100.state.base, NodeBase::idle);
  EXPECT_EQ(h100.partitions, (std::vector<std::string>{"gpu", "long"}));
  EXPECT_EQ(h100.reason, "");
}

TEST(CapturedOutput, ParsesRealPartitions) {
  const auto partitions = parse_partitions(captured("show_partition.txt"));
  ASSERT_TRUE(partitions.has_value()) << partitions.error().message;
  ASSERT_EQ(partitions->size(), 3u);
  const Partition& gpu = (*partitions)[0];
  EXPECT_EQ(gpu.name, "gpu");
  EXPECT_TRUE(gpu.is_default);
  EXPECT_EQ(gpu.max_time, std::chrono::minutes{24 * 60});
  EXPECT_EQ(gpu.default_time, std::chrono::minutes{60});
  EXPECT_EQ(gpu.nodes, "a100-1,gpu-1,h100-[1-2],l40-1");
  EXPECT_EQ(gpu.total_nodes, 5);
  EXPECT_EQ(gpu.total_cpus, 96);
  const Partition& debug = (*partitions)[1];
  EXPECT_EQ(debug.name, "debug");
  EXPECT_FALSE(debug.is_default);
  EXPECT_EQ(debug.max_time, std::chrono::minutes{30});
  EXPECT_EQ(debug.default_time, std::chrono::minutes{10});
  EXPECT_EQ(debug.total_nodes, 3);
  EXPECT_EQ(debug.total_cpus, 32);
  const Partition& long_partition = (*partitions)[2];
  EXPECT_EQ(long_partition.max_time, std::chrono::minutes{7 * 24 * 60});
  EXPECT_EQ(long_partition.default_time, std::chrono::minutes{24 * 60});
  EXPECT_EQ(long_partition.state, PartitionState::up);
}

TEST(CapturedOutput, ParsesRealPendingJobs) {
  const auto jobs = parse_pending_jobs(captured("squeue_pending_busy.txt"));
  ASSERT_TRUE(jobs.has_value()) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 13u);
  EXPECT_EQ((*jobs)[0].job_id, "29");
  EXPECT_EQ((*jobs)[0].gpus, (std::vector<GpuRequest>{{"a100", 1}, {"l40", 1}}));
  EXPECT_TRUE((*jobs)[1].gpus.empty());
  EXPECT_EQ((*jobs)[2].job_id, "27_0");
  EXPECT_EQ((*jobs)[4].job_id, "27_2");
  EXPECT_EQ((*jobs)[5].gpus, (std::vector<GpuRequest>{{"l40", 2}}));  // per task x 2 tasks
  EXPECT_EQ((*jobs)[6].gpus, (std::vector<GpuRequest>{{"", 4}}));     // per task x 4 tasks
  EXPECT_EQ((*jobs)[9].gpus, (std::vector<GpuRequest>{{"", 4}}));     // per node x 2 nodes
  EXPECT_EQ((*jobs)[11].partitions, (std::vector<std::string>{"gpu", "debug"}));
}

TEST(CapturedOutput, ComputesTheGpuFiguresOfTheCapture) {
  const auto nodes = parse_nodes(captured("show_node_busy.txt"));
  const auto jobs = parse_pending_jobs(captured("squeue_pending_busy.txt"));
  ASSERT_TRUE(nodes && jobs);
  const auto availability = gpus::compute(*nodes, *jobs, {});
  ASSERT_EQ(availability.gpu_types.size(), 4u);
  const auto& untyped = availability.gpu_types[0];
  EXPECT_EQ(untyped.type, "(untyped)");
  EXPECT_EQ(untyped.total, 2);
  EXPECT_EQ(untyped.used, 1);
  EXPECT_EQ(untyped.free, 1);
  const auto& a100 = availability.gpu_types[1];
  EXPECT_EQ(a100.type, "a100");
  EXPECT_EQ(a100.total, 4);
  EXPECT_EQ(a100.used, 4);
  EXPECT_EQ(a100.free, 0);
  EXPECT_EQ(a100.pending, 3);
  const auto& h100 = availability.gpu_types[2];
  EXPECT_EQ(h100.total, 16);
  EXPECT_EQ(h100.used, 3);
  EXPECT_EQ(h100.free, 13);
  EXPECT_EQ(h100.pending, 10);
  EXPECT_EQ(h100.nodes, (std::vector<gpus::NodeFree>{{"h100-1", 5}, {"h100-2", 8}}));
  const auto& l40 = availability.gpu_types[3];
  EXPECT_EQ(l40.total, 1);
  EXPECT_EQ(l40.used, 1);
  EXPECT_EQ(l40.unavailable, 1);
  EXPECT_EQ(l40.free, 0);
  EXPECT_EQ(l40.pending, 3);
  EXPECT_EQ(availability.pending_untyped, 12);

  ASSERT_EQ(availability.partitions.size(), 3u);
  EXPECT_EQ(availability.partitions[0].name, "debug");
  EXPECT_EQ(availability.partitions[0].pending_untyped, 1);
  EXPECT_EQ(availability.partitions[1].name, "gpu");
  EXPECT_EQ(availability.partitions[1].pending_untyped, 12);
  EXPECT_EQ(availability.partitions[2].name, "long");
  ASSERT_EQ(availability.partitions[2].gpu_types.size(), 1u);
  EXPECT_EQ(availability.partitions[2].gpu_types[0].pending, 4);
  EXPECT_EQ(availability.partitions[2].gpu_types[0].free, 13);
}

}  // namespace
}  // namespace sortie::slurm

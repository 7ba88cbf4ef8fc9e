// Resource checks against real partitions and nodes captured from the sandbox cluster (see
// tests/data/slurm/README.md): a100-1 (4 a100), h100-1/h100-2 (8 h100), l40-1 (2 l40),
// gpu-1 (2 untyped); partitions gpu (default, 1 h / 1 day), debug (10 min / 30 min),
// long (1 day / 7 days, h100 nodes only).
#include "sortie/script/resources.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sortie/slurm/time.hpp"

namespace sortie::script {
namespace {

using std::chrono::minutes;
using ::testing::HasSubstr;

std::string captured(const std::string& name) {
  std::ifstream file(std::string(SORTIE_TEST_DATA) + "/slurm/" + name, std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing captured file " << name;
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

class ResourcesCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    auto partitions = slurm::parse_partitions(captured("scontrol-show-partition.idle.txt"));
    ASSERT_TRUE(partitions) << partitions.error().message;
    m_partitions = *partitions;
    auto nodes = slurm::parse_nodes(captured("scontrol-show-node.idle.txt"));
    ASSERT_TRUE(nodes) << nodes.error().message;
    m_nodes = *nodes;
    m_cluster.name = "sandbox";
    m_cluster.host = "local";
  }

  core::Result<CheckedResources> checked(const Resources& resources) const {
    return check(resources, m_partitions, m_nodes, m_cluster);
  }

  std::string refusal(const Resources& resources) const {
    auto result = checked(resources);
    EXPECT_FALSE(result) << "expected a refusal";
    if (result) return "";
    EXPECT_EQ(result.error().code, core::ErrorCode::invalid_argument);
    return result.error().message;
  }

  static Resources job() {
    Resources resources;
    resources.job_name = "train";
    return resources;
  }

  std::vector<slurm::Partition> m_partitions;
  std::vector<slurm::Node> m_nodes;
  config::Cluster m_cluster;
};

TEST_F(ResourcesCheck, UseTheDefaultPartitionAndItsDefaultTime) {
  Resources request = job();
  request.gpus = 4;
  request.gpu_type = "a100";
  auto result = checked(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->partition, "gpu");
  EXPECT_EQ(result->time_limit, minutes{60});
  EXPECT_EQ(result->gpu_type, "a100");
  EXPECT_EQ(result->gpus_per_node, 4);
  EXPECT_EQ(result->nodes, 1);
  EXPECT_EQ(result->total_gpus(), 4);
}

TEST_F(ResourcesCheck, TakeTheMaxTimeWhenThePartitionHasNoDefaultTime) {
  for (auto& partition : m_partitions) {
    if (partition.name == "debug") partition.default_time.reset();
  }
  Resources request = job();
  request.partition = "debug";
  auto result = checked(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->time_limit, minutes{30});
}

TEST_F(ResourcesCheck, KeepAnExplicitTimeWithinMaxTime) {
  Resources request = job();
  request.partition = "long";
  request.time_limit = minutes{3 * 24 * 60};
  auto result = checked(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->time_limit, minutes{3 * 24 * 60});
}

TEST_F(ResourcesCheck, RefuseSixteenGpusOnOneNodeWhenNodesHaveEightAndSuggestTwoNodes) {
  Resources request = job();
  request.partition = "long";
  request.gpu_type = "h100";
  request.gpus = 16;
  EXPECT_THAT(refusal(request),
              HasSubstr("no node in partition 'long' has 16 h100 GPUs (the most on one node is "
                        "8): ask for --nodes 2 with 8 GPUs each"));
}

TEST_F(ResourcesCheck, AcceptTwoNodesWithEightGpusEach) {
  Resources request = job();
  request.partition = "long";
  request.gpu_type = "h100";
  request.gpus = 8;
  request.nodes = 2;
  auto result = checked(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->total_gpus(), 16);
  EXPECT_EQ(result->time_limit, minutes{24 * 60});
}

TEST_F(ResourcesCheck, RefuseMoreNodesThanThePartitionHasWithThatManyGpus) {
  Resources request = job();
  request.gpu_type = "h100";
  request.gpus = 8;
  request.nodes = 3;
  EXPECT_THAT(refusal(request), HasSubstr("partition 'gpu' has only 2 nodes with that many"));
}

TEST_F(ResourcesCheck, RefuseAGpuTypeThePartitionLacksListingTheTypesItHas) {
  Resources request = job();
  request.partition = "long";
  request.gpu_type = "l40";
  request.gpus = 1;
  EXPECT_THAT(refusal(request),
              HasSubstr("--gpu-type 'l40' does not exist in partition 'long' (GPU types there: "
                        "h100)"));
}

TEST_F(ResourcesCheck, RefuseAnUnknownPartitionListingTheExistingOnes) {
  Resources request = job();
  request.partition = "gpus";
  EXPECT_THAT(refusal(request),
              HasSubstr("--partition 'gpus' does not exist on cluster 'sandbox' (partitions: gpu, "
                        "debug, long)"));
}

TEST_F(ResourcesCheck, RefuseAPartitionClustersYamlDoesNotAllow) {
  m_cluster.allowed_partitions = {"debug", "long"};
  Resources request = job();
  request.partition = "gpu";
  EXPECT_THAT(refusal(request), HasSubstr("allowed_partitions: debug, long"));
  EXPECT_THAT(refusal(job()), HasSubstr("the default partition 'gpu' is not allowed"));
}

TEST_F(ResourcesCheck, RefuseAGpuTypeClustersYamlDoesNotAllow) {
  m_cluster.allowed_gpu_types = {"a100"};
  Resources request = job();
  request.gpu_type = "h100";
  request.gpus = 1;
  EXPECT_THAT(refusal(request),
              HasSubstr("--gpu-type 'h100' is not allowed on cluster 'sandbox' by clusters.yaml "
                        "(allowed_gpu_types: a100)"));
}

TEST_F(ResourcesCheck, RefuseAnUntypedRequestThatCouldLandOnADisallowedType) {
  m_cluster.allowed_gpu_types = {"a100"};
  Resources request = job();
  request.gpus = 1;
  EXPECT_THAT(refusal(request), HasSubstr("name one of a100 with --gpu-type"));
}

TEST_F(ResourcesCheck, AcceptAnUntypedRequestThatSomeNodeCanHold) {
  Resources request = job();
  request.partition = "debug";
  request.gpus = 4;
  auto result = checked(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->gpu_type, "");
  EXPECT_EQ(result->gpus_per_node, 4);
}

TEST_F(ResourcesCheck, RefuseAnUntypedRequestNoNodeCanHold) {
  Resources request = job();
  request.partition = "debug";
  request.gpus = 5;
  EXPECT_THAT(refusal(request),
              HasSubstr("no node in partition 'debug' has 5 GPUs (the most on one node is 4): "
                        "ask for --nodes 2 with 3 GPUs each"));
}

TEST_F(ResourcesCheck, RefuseATimeAboveMaxTimeNamingTheLimit) {
  Resources request = job();
  request.partition = "debug";
  request.time_limit = minutes{45};
  EXPECT_THAT(refusal(request),
              HasSubstr("--time 00:45:00 is above the MaxTime of partition 'debug' (00:30:00)"));
}

TEST_F(ResourcesCheck, RefuseAnExtraLineWithANewline) {
  Resources request = job();
  request.extra_sbatch_lines = {"#SBATCH --exclusive\n#SBATCH --mail-user=x"};
  EXPECT_THAT(refusal(request), HasSubstr("contains a line break"));
}

TEST_F(ResourcesCheck, RefuseAnExtraLineThatIsNotADirective) {
  Resources request = job();
  request.extra_sbatch_lines = {"--exclusive"};
  EXPECT_THAT(refusal(request), HasSubstr("does not start with '#SBATCH '"));
}

TEST_F(ResourcesCheck, KeepExtraLinesAndOptionalFields) {
  Resources request = job();
  request.extra_sbatch_lines = {"#SBATCH --exclusive"};
  request.account = "ml-lab";
  request.qos = "high";
  request.constraint = "a100&ib";
  request.array = "0-5%2";
  request.memory = "64g";
  request.cpus_per_task = 4;
  request.tasks_per_node = 2;
  auto result = checked(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->extra_sbatch_lines, std::vector<std::string>{"#SBATCH --exclusive"});
  EXPECT_EQ(result->memory, "64G");
  EXPECT_EQ(result->array, "0-5%2");
  EXPECT_EQ(result->account, "ml-lab");
  EXPECT_EQ(result->constraint, "a100&ib");
}

TEST_F(ResourcesCheck, RefuseMalformedMemoryArrayAndDirectiveWords) {
  Resources request = job();
  request.memory = "64GB";
  EXPECT_THAT(refusal(request), HasSubstr("--mem '64GB' is not a SLURM memory size"));
  request = job();
  request.array = "0-5; rm";
  EXPECT_THAT(refusal(request), HasSubstr("--array '0-5; rm' is not a SLURM array spec"));
  request = job();
  request.job_name = "my run";
  EXPECT_THAT(refusal(request), HasSubstr("job name 'my run' contains a space"));
  request = job();
  request.account = "lab\n#SBATCH --qos=high";
  EXPECT_THAT(refusal(request), HasSubstr("--account"));
}

TEST_F(ResourcesCheck, RefuseCountsBelowOne) {
  Resources request = job();
  request.nodes = 0;
  EXPECT_THAT(refusal(request), HasSubstr("--nodes 0"));
  request = job();
  request.gpus = -1;
  EXPECT_THAT(refusal(request), HasSubstr("--gpus -1"));
  request = job();
  request.cpus_per_task = 0;
  EXPECT_THAT(refusal(request), HasSubstr("--cpus-per-task 0"));
}

TEST_F(ResourcesCheck, RefuseMoreCpusPerNodeThanThePartitionHas) {
  Resources request = job();
  request.partition = "debug";
  request.cpus_per_task = 33;
  EXPECT_THAT(refusal(request), HasSubstr("--cpus-per-task 33"));
}

TEST_F(ResourcesCheck, RefuseAPartitionThatTakesNoJobs) {
  for (auto& partition : m_partitions) {
    if (partition.name == "long") partition.state = slurm::PartitionState::drain;
  }
  Resources request = job();
  request.partition = "long";
  EXPECT_THAT(refusal(request), HasSubstr("'long' is DRAIN"));
}

TEST(ResourcesTime, ParsesWhatSbatchAccepts) {
  EXPECT_EQ(parse_time_request("90"), minutes{90});
  EXPECT_EQ(parse_time_request("2:00:00"), minutes{120});
  EXPECT_EQ(parse_time_request("1-12"), minutes{36 * 60});
}

TEST(ResourcesTime, RefusesNoLimitAndGarbageNamingTheFlag) {
  for (const char* text : {"UNLIMITED", "soon", "0"}) {
    auto result = parse_time_request(text);
    ASSERT_FALSE(result) << text;
    EXPECT_EQ(result.error().code, core::ErrorCode::invalid_argument);
    EXPECT_THAT(result.error().message, HasSubstr("--time"));
  }
}

TEST(ResourcesMemory, AcceptsDigitsWithAnOptionalUnit) {
  EXPECT_EQ(parse_memory("64G"), "64G");
  EXPECT_EQ(parse_memory("512m"), "512M");
  EXPECT_EQ(parse_memory("1000"), "1000");
  for (const char* text : {"", "G", "64GB", "-1G", "1.5G", "64 G"}) {
    EXPECT_FALSE(parse_memory(text)) << text;
  }
}

}  // namespace
}  // namespace sortie::script

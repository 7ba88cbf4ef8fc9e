// GPU availability over real SSH against the sandbox cluster, compared with the truth we set
// up: real jobs occupying GPUs, a drained node, and pending jobs asking for GPUs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "sortie/clusters/connect.hpp"
#include "sortie/config/clusters.hpp"
#include "sortie/gpus/query.hpp"
#include "sortie/remote/local_remote.hpp"
#include "tests/integration/sandbox.hpp"

namespace sortie {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Runs a SLURM command as the cluster's admin (root, where the test's sandbox's SLURM lives),
// failing the test if it fails.
std::string admin(std::vector<std::string> argv) {
  argv.insert(argv.begin(), testing::sandbox().admin);
  remote::LocalRemote local;
  auto output = local.run_one({argv, std::nullopt}, 60s);
  EXPECT_TRUE(output) << (output ? "" : output.error().message);
  if (!output) return {};
  EXPECT_EQ(output->exit_code, 0) << argv[1] << ": " << output->err;
  return output->out;
}

// Runs the sortie binary, returning its exit status and stdout.
std::pair<int, std::string> sortie_cli(const std::string& arguments) {
  std::string command = std::string(SORTIE_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WEXITSTATUS(status), out};
}

class GpuAvailability : public testing::SandboxVersion, public ::testing::Test {
 protected:
  void SetUp() override {
    auto clusters = config::load_clusters(testing::sandbox().clusters_yaml);
    ASSERT_TRUE(clusters) << clusters.error().message << " (is the sandbox up? make sandbox)";
    m_clusters = std::move(*clusters);
    auto cluster = m_clusters.find("sandbox");
    ASSERT_TRUE(cluster);
    m_cluster = **cluster;
    m_remote = clusters::open_remote(m_cluster);
    reset_cluster();
  }

  void TearDown() override { reset_cluster(); }

  // No jobs of the test user, every node back in service.
  void reset_cluster() {
    admin({"scancel", "--user", testing::sandbox().user});
    std::string drained =
        admin({"sinfo", "-h", "-N", "-t", "drain,draining,drained,down", "-o", "%N"});
    std::istringstream lines(drained);
    std::set<std::string> nodes;  // sinfo -N lists a node once per partition
    for (std::string node; std::getline(lines, node);)
      if (!node.empty()) nodes.insert(node);
    for (const auto& node : nodes)
      admin({"scontrol", "update", "nodename=" + node, "state=resume"});
    wait_until_queue_empty();
  }

  void wait_until_queue_empty() {
    for (int i = 0; i < 100; ++i) {
      if (admin({"squeue", "-h", "-u", testing::sandbox().user}).empty()) return;
      std::this_thread::sleep_for(200ms);
    }
    FAIL() << "jobs of " << testing::sandbox().user << " did not leave the queue";
  }

  // Submits a job as the test user over SSH; returns its id.
  std::string submit(std::vector<std::string> options) {
    std::vector<std::string> argv = {"sbatch", "--parsable", "--output=/dev/null",
                                     "--wrap=sleep 300"};
    argv.insert(argv.end(), options.begin(), options.end());
    auto output = m_remote->run_one({argv, std::nullopt}, 30s);
    EXPECT_TRUE(output) << (output ? "" : output.error().message);
    if (!output) return {};
    EXPECT_EQ(output->exit_code, 0) << output->err;
    std::string id = output->out;
    while (!id.empty() && (id.back() == '\n')) id.pop_back();
    return id;
  }

  void wait_for_state(const std::string& job, const std::string& state) {
    for (int i = 0; i < 150; ++i) {
      std::string out = admin({"squeue", "-h", "-j", job, "-o", "%T"});
      if (out.starts_with(state)) return;
      std::this_thread::sleep_for(200ms);
    }
    FAIL() << "job " << job << " did not reach " << state;
  }

  config::Clusters m_clusters;
  config::Cluster m_cluster;
  std::unique_ptr<remote::Remote> m_remote;
};

const gpus::TypeAvailability* find_type(const std::vector<gpus::TypeAvailability>& types,
                                        const std::string& name) {
  for (const auto& type : types)
    if (type.type == name) return &type;
  return nullptr;
}

TEST_P(GpuAvailability, IdleClusterShowsEveryGpuFree) {
  auto availability = gpus::query(*m_remote, {}, "sandbox", 30s);
  ASSERT_TRUE(availability) << availability.error().message;
  const auto* a100 = find_type(availability->gpu_types, "a100");
  const auto* h100 = find_type(availability->gpu_types, "h100");
  const auto* l40 = find_type(availability->gpu_types, "l40");
  const auto* untyped = find_type(availability->gpu_types, "(untyped)");
  ASSERT_TRUE(a100 && h100 && l40 && untyped);
  EXPECT_EQ(a100->free, 4);
  EXPECT_EQ(h100->free, 16);
  EXPECT_EQ(h100->nodes.size(), 2u);
  EXPECT_EQ(l40->free, 2);
  EXPECT_EQ(untyped->free, 2);
  EXPECT_EQ(a100->used + h100->used + l40->used + untyped->used, 0);
  EXPECT_EQ(availability->pending_untyped, 0);
}

TEST_P(GpuAvailability, RunningJobsDrainedNodeAndPendingDemandMatchTheTruth) {
  // Occupy: 2 of a100-1's 4, all 8 of h100-1, 1 of gpu-1's 2 untyped.
  std::string a100_job = submit({"--gres=gpu:a100:2", "--nodelist=a100-1"});
  std::string h100_job = submit({"--gres=gpu:h100:8", "--nodelist=h100-1"});
  std::string untyped_job = submit({"--gres=gpu:1", "--nodelist=gpu-1"});
  for (const auto& job : {a100_job, h100_job, untyped_job}) wait_for_state(job, "RUNNING");
  // Pending: these cannot start while the jobs above run.
  std::string pending_a100 = submit({"--gres=gpu:a100:4", "--nodelist=a100-1"});
  std::string pending_h100 = submit({"--gres=gpu:h100:8", "--nodes=2", "--partition=long"});
  std::string pending_untyped = submit({"--gres=gpu:2", "--nodelist=gpu-1"});
  for (const auto& job : {pending_a100, pending_h100, pending_untyped})
    wait_for_state(job, "PENDING");
  admin({"scontrol", "update", "nodename=l40-1", "state=drain", "reason=fan failure on slot 2"});

  auto [status, text] =
      sortie_cli("--config " + testing::sandbox().clusters_yaml + " gpus sandbox --json");
  ASSERT_EQ(status, 0) << text;
  auto document = nlohmann::json::parse(text);
  EXPECT_EQ(document["cluster"], "sandbox");
  EXPECT_EQ(document["pending_untyped"], 2);
  std::map<std::string, nlohmann::json> types;
  for (const auto& type : document["gpu_types"]) types[type["type"]] = type;

  EXPECT_EQ(types["a100"]["total"], 4);
  EXPECT_EQ(types["a100"]["used"], 2);
  EXPECT_EQ(types["a100"]["free"], 2);
  EXPECT_EQ(types["a100"]["pending"], 4);
  EXPECT_EQ(types["a100"]["nodes"], nlohmann::json::parse(R"([{"name":"a100-1","free":2}])"));

  EXPECT_EQ(types["h100"]["total"], 16);
  EXPECT_EQ(types["h100"]["used"], 8);
  EXPECT_EQ(types["h100"]["free"], 8);
  EXPECT_EQ(types["h100"]["pending"], 16);
  EXPECT_EQ(types["h100"]["nodes"], nlohmann::json::parse(R"([{"name":"h100-2","free":8}])"));

  EXPECT_EQ(types["l40"]["unavailable"], 2);
  EXPECT_EQ(types["l40"]["free"], 0);
  EXPECT_EQ(types["l40"]["total"], 0);

  EXPECT_EQ(types["(untyped)"]["used"], 1);
  EXPECT_EQ(types["(untyped)"]["free"], 1);

  std::map<std::string, nlohmann::json> partitions;
  for (const auto& partition : document["partitions"]) partitions[partition["name"]] = partition;
  ASSERT_TRUE(partitions.contains("long"));
  ASSERT_TRUE(partitions.contains("debug"));
  std::map<std::string, nlohmann::json> long_types;
  for (const auto& type : partitions["long"]["gpu_types"]) long_types[type["type"]] = type;
  EXPECT_EQ(long_types.size(), 1u) << "the long partition holds only the h100 nodes";
  EXPECT_EQ(long_types["h100"]["free"], 8);
  EXPECT_EQ(long_types["h100"]["pending"], 16);
}

TEST_P(GpuAvailability, PartitionOptionAndAllowedListsRestrictTheAnswer) {
  auto [status, text] = sortie_cli("--config " + testing::sandbox().clusters_yaml +
                                   " gpus sandbox --partition debug --json");
  ASSERT_EQ(status, 0) << text;
  auto document = nlohmann::json::parse(text);
  ASSERT_EQ(document["partitions"].size(), 1u);
  EXPECT_EQ(document["partitions"][0]["name"], "debug");
  for (const auto& type : document["gpu_types"]) EXPECT_NE(type["type"], "h100");

  gpus::Filters filters{{"gpu"}, {"h100"}};
  auto availability = gpus::query(*m_remote, filters, "sandbox", 30s);
  ASSERT_TRUE(availability) << availability.error().message;
  ASSERT_EQ(availability->gpu_types.size(), 1u);
  EXPECT_EQ(availability->gpu_types[0].type, "h100");
  EXPECT_EQ(availability->gpu_types[0].free, 16);
}

TEST_P(GpuAvailability, UnknownPartitionIsAClearError) {
  auto [status, text] = sortie_cli("--config " + testing::sandbox().clusters_yaml +
                                   " gpus sandbox --partition nosuch");
  EXPECT_NE(status, 0);
  EXPECT_THAT(text, HasSubstr("no partition 'nosuch'"));
}

TEST_P(GpuAvailability, ClustersTestPrintsVersionAndPartitions) {
  auto [status, text] =
      sortie_cli("--config " + testing::sandbox().clusters_yaml + " clusters test sandbox");
  ASSERT_EQ(status, 0) << text;
  EXPECT_THAT(text, HasSubstr("SLURM: " + testing::sandbox().slurm));
  EXPECT_THAT(text, HasSubstr("gpu"));
  EXPECT_THAT(text, HasSubstr("(default)"));
  EXPECT_THAT(text, HasSubstr("long"));
}

SORTIE_ON_EACH_SANDBOX(GpuAvailability);

class GpuAvailabilityWithoutController : public testing::SandboxVersion, public ::testing::Test {};

// With the controller stopped, sortie must say so instead of printing an empty or partial
// table; the sandbox's up.sh then starts slurmctld again.
TEST_P(GpuAvailabilityWithoutController, SaysTheControllerDidNotAnswer) {
  const auto sandbox = testing::sandbox();
  std::ifstream pid_file(sandbox.dir + "/run/slurmctld.pid");
  pid_t pid = 0;
  ASSERT_TRUE(pid_file >> pid) << "no slurmctld pid file: is the sandbox up?";
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(100ms);

  auto [status, text] = sortie_cli("--config " + sandbox.clusters_yaml + " gpus sandbox");
  auto [json_status, json_text] =
      sortie_cli("--config " + sandbox.clusters_yaml + " gpus sandbox --json");

  std::string restart = "SORTIE_SANDBOX_SLURM=" + sandbox.slurm + " bash " +
                        std::string(SORTIE_SOURCE_DIR) + "/sandbox/up.sh >/dev/null 2>&1";
  ASSERT_EQ(std::system(restart.c_str()), 0) << "sandbox/up.sh could not restart slurmctld";

  EXPECT_EQ(status, 6) << text;
  EXPECT_THAT(text, HasSubstr("controller"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("TOTAL"))) << "no partial table";
  EXPECT_EQ(json_status, 6);
  EXPECT_THAT(json_text, ::testing::Not(HasSubstr("gpu_types")));
}

SORTIE_ON_EACH_SANDBOX(GpuAvailabilityWithoutController);

}  // namespace
}  // namespace sortie

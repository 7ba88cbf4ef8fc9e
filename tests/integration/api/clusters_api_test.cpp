// /api/clusters against a real `sortie serve` and the sandbox cluster.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/api/api_server.hpp"

namespace sortie::testing {
namespace {

using ::testing::HasSubstr;

class ClustersApi : public ApiTest {
 protected:
  // GPU availability once the cache has a snapshot (the first query starts with the server).
  nlohmann::json cached_availability() {
    nlohmann::json availability;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      availability = parse(request("GET", "/api/clusters/sandbox/gpu-availability"));
      if (!availability["queried_at"].is_null()) return availability;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "no GPU availability cached: " << availability.dump(2);
    return availability;
  }
};

TEST_F(ClustersApi, ListsTheConfiguredClusters) {
  auto listed = request("GET", "/api/clusters");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.header("x-total-count"), "1");
  EXPECT_THAT(listed.body, HasSubstr(R"("sandbox")"));
}

TEST_F(ClustersApi, AnswersGpuAvailabilityFromTheCacheWithItsAge) {
  auto first = cached_availability();
  EXPECT_EQ(first["cluster"], "sandbox");
  EXPECT_TRUE(first["queried_at"].is_string());
  EXPECT_TRUE(first["age_seconds"].is_number_integer());
  EXPECT_TRUE(first["refreshing"].is_boolean());
  EXPECT_TRUE(first["error"].is_null()) << first.dump(2);
  EXPECT_FALSE(first["gpu_types"].empty());

  // From the cache: the same snapshot, answered at once.
  const auto started = std::chrono::steady_clock::now();
  auto again = parse(request("GET", "/api/clusters/sandbox/gpu-availability"));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_LT(took, std::chrono::milliseconds(200));
  EXPECT_EQ(again["queried_at"], first["queried_at"]);
}

TEST_F(ClustersApi, ListsNodesWithTheirGpus) {
  cached_availability();
  auto nodes = request("GET", "/api/clusters/sandbox/nodes");
  ASSERT_EQ(nodes.status, 200) << nodes.body;
  auto list = parse(nodes);
  ASSERT_TRUE(list.is_array());
  ASSERT_FALSE(list.empty());
  EXPECT_TRUE(list[0].contains("gpus"));
  EXPECT_TRUE(list[0].contains("capacity"));
}

TEST_F(ClustersApi, ListsPartitionsIncludingDebug) {
  auto partitions = request("GET", "/api/clusters/sandbox/partitions");
  ASSERT_EQ(partitions.status, 200) << partitions.body;
  EXPECT_THAT(partitions.body, HasSubstr(R"("name":"debug")"));
}

TEST_F(ClustersApi, TestConnectionReportsTheSlurmVersion) {
  auto tested = request("POST", "/api/clusters/sandbox/test-connection", "");
  ASSERT_EQ(tested.status, 200) << tested.body;
  auto result = parse(tested);
  EXPECT_EQ(result["ok"], true) << result.dump(2);
  EXPECT_THAT(result["slurm_version"].get<std::string>(), HasSubstr("22.05"));
  EXPECT_TRUE(result["latency_ms"].is_number());
}

TEST_F(ClustersApi, AnUnknownClusterIsA404NamingTheKnownOnes) {
  auto missing = request("GET", "/api/clusters/nowhere/gpu-availability");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_THAT(parse(missing)["error"]["message"].get<std::string>(), HasSubstr("sandbox"));
}

}  // namespace
}  // namespace sortie::testing

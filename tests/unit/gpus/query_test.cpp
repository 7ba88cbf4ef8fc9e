#include "sortie/gpus/query.hpp"

#include <gtest/gtest.h>

namespace sortie::gpus {
namespace {

// Records what it was asked to run and answers with canned outputs.
class FakeRemote final : public remote::Remote {
 public:
  explicit FakeRemote(core::Result<std::vector<remote::Output>> answer)
      : m_answer(std::move(answer)) {}

  core::Result<std::vector<remote::Output>> run(const std::vector<remote::Command>& commands,
                                                std::chrono::milliseconds timeout,
                                                remote::OnFailure on_failure) override {
    ++m_runs;
    for (const auto& command : commands) m_argvs.push_back(command.argv);
    m_timeout = timeout;
    m_on_failure = on_failure;
    return m_answer;
  }

  core::Result<void> write_file(const std::string&, std::string_view, unsigned) override {
    return core::fail(core::ErrorCode::io_error, "not used");
  }

  core::Result<std::string> read_file(const std::string&, std::uint64_t, std::uint64_t) override {
    return core::fail(core::ErrorCode::io_error, "not used");
  }

  int runs() const { return m_runs; }
  const std::vector<std::vector<std::string>>& argvs() const { return m_argvs; }
  std::chrono::milliseconds timeout() const { return m_timeout; }
  remote::OnFailure on_failure() const { return m_on_failure; }

 private:
  core::Result<std::vector<remote::Output>> m_answer;
  int m_runs = 0;
  std::vector<std::vector<std::string>> m_argvs;
  std::chrono::milliseconds m_timeout{0};
  remote::OnFailure m_on_failure = remote::OnFailure::stop_batch;
};

constexpr std::string_view kNodes =
    "NodeName=a100-1 Arch=x86_64 CoresPerSocket=8  CPUAlloc=4 Gres=gpu:a100:4 GresDrain=N/A "
    "GresUsed=gpu:a100:4(IDX:0-3) OS=Linux 6.18 #1 SMP PREEMPT_DYNAMIC @0  State=ALLOCATED "
    "Partitions=gpu,debug  BootTime=2026-11-29T08:34:11\n"
    "NodeName=h100-1 Arch=x86_64 CoresPerSocket=16  CPUAlloc=3 Gres=gpu:h100:8 GresDrain=N/A "
    "GresUsed=gpu:h100:3(IDX:0-2) State=MIXED Partitions=gpu,long  BootTime=2026-11-29T08:34:11\n";

constexpr std::string_view kPending =
    "15|gpu|1|1|gres:gpu:a100:2|N/A|N/A|\n"
    "16|gpu,debug|1|1|N/A|gres:gpu:3|N/A|\n";

const std::vector<std::string> kExpectedNodesArgv{"scontrol", "-d", "-o", "show", "node"};
const std::vector<std::string> kExpectedSqueueArgv{
    "squeue",
    "-h",
    "-r",
    "-t",
    "PENDING",
    "--Format=JobArrayID:|,Partition:|,NumNodes:|,NumTasks:|,tres-per-node:|,tres-per-job:|,"
    "tres-per-task:|"};

TEST(GpuQuery, AsksForNodesAndPendingJobsInOneRun) {
  FakeRemote remote(
      std::vector<remote::Output>{{0, std::string(kNodes), ""}, {0, std::string(kPending), ""}});
  const auto before = std::chrono::system_clock::now();
  const auto result = query(remote, {}, "sandbox", std::chrono::milliseconds{15000});
  const auto after = std::chrono::system_clock::now();
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(remote.runs(), 1);
  EXPECT_EQ(remote.argvs(),
            (std::vector<std::vector<std::string>>{kExpectedNodesArgv, kExpectedSqueueArgv}));
  EXPECT_EQ(remote.timeout(), std::chrono::milliseconds{15000});
  EXPECT_EQ(remote.on_failure(), remote::OnFailure::stop_batch);

  EXPECT_EQ(result->cluster, "sandbox");
  EXPECT_GE(result->queried_at, before);
  EXPECT_LE(result->queried_at, after);
  ASSERT_EQ(result->gpu_types.size(), 2u);
  EXPECT_EQ(result->gpu_types[0].type, "a100");
  EXPECT_EQ(result->gpu_types[0].used, 4);
  EXPECT_EQ(result->gpu_types[0].free, 0);
  EXPECT_EQ(result->gpu_types[0].pending, 2);
  EXPECT_EQ(result->gpu_types[1].type, "h100");
  EXPECT_EQ(result->gpu_types[1].free, 5);
  EXPECT_EQ(result->pending_untyped, 3);
  ASSERT_EQ(result->partitions.size(), 3u);
}

TEST(GpuQuery, AppliesFilters) {
  FakeRemote remote(
      std::vector<remote::Output>{{0, std::string(kNodes), ""}, {0, std::string(kPending), ""}});
  const auto result =
      query(remote, Filters{{"long"}, {}}, "sandbox", std::chrono::milliseconds{1000});
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->gpu_types.size(), 1u);
  EXPECT_EQ(result->gpu_types[0].type, "h100");
  EXPECT_EQ(result->pending_untyped, 0);
}

TEST(GpuQuery, PassesOnConnectionErrors) {
  FakeRemote remote(core::fail(core::ErrorCode::timeout, "took too long"));
  const auto result = query(remote, {}, "sandbox", std::chrono::milliseconds{10});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::timeout);
}

TEST(GpuQuery, FailsWhenTheControllerDoesNotAnswerEvenIfOneCommandDid) {
  FakeRemote remote(std::vector<remote::Output>{
      {0, std::string(kNodes), ""},
      {1, "", "slurm_load_jobs error: Socket timed out on send/recv operation\n"}});
  const auto result = query(remote, {}, "sandbox", std::chrono::milliseconds{10});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::slurm_unavailable);
}

TEST(GpuQuery, ReportsMissingScontrol) {
  FakeRemote remote(
      std::vector<remote::Output>{{127, "", "bash: scontrol: command not found\n"}, {0, "", ""}});
  const auto result = query(remote, {}, "sandbox", std::chrono::milliseconds{10});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::not_found);
  EXPECT_TRUE(result.error().message.starts_with("scontrol is not on PATH"));
}

TEST(GpuQuery, StopsAtTheFirstFailedCommandAndReportsIt) {
  // With stop_batch the remote returns only the failed scontrol's output.
  FakeRemote remote(std::vector<remote::Output>{
      {1, "", "slurm_load_node error: Unable to contact slurm controller (connect failure)\n"}});
  const auto result = query(remote, {}, "sandbox", std::chrono::milliseconds{10});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::slurm_unavailable);
}

TEST(GpuQuery, ReportsUnparseableOutput) {
  FakeRemote remote(std::vector<remote::Output>{{0, "garbage\n", ""}, {0, "", ""}});
  const auto result = query(remote, {}, "sandbox", std::chrono::milliseconds{10});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::parse_error);
}

TEST(GpuQuery, RejectsAShortBatch) {
  FakeRemote remote(std::vector<remote::Output>{{0, std::string(kNodes), ""}});
  const auto result = query(remote, {}, "sandbox", std::chrono::milliseconds{10});
  ASSERT_FALSE(result.has_value());
}

}  // namespace
}  // namespace sortie::gpus

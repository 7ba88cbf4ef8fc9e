#include "sortie/slurm/squeue.hpp"

#include <gtest/gtest.h>

namespace sortie::slurm {
namespace {

std::vector<GpuRequest> tres_ok(std::string_view text) {
  auto parsed = parse_tres_gpus(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : std::vector<GpuRequest>{};
}

TEST(TresGpus, ReadsSlurm2205ColonForm) {
  EXPECT_EQ(tres_ok("gres:gpu:a100:2"), (std::vector<GpuRequest>{{"a100", 2}}));
  EXPECT_EQ(tres_ok("gres:gpu:2"), (std::vector<GpuRequest>{{"", 2}}));
  EXPECT_EQ(tres_ok("gres:gpu"), (std::vector<GpuRequest>{{"", 1}}));
}

TEST(TresGpus, ReadsNewerSlashEqualsForm) {
  EXPECT_EQ(tres_ok("gres/gpu:a100=2"), (std::vector<GpuRequest>{{"a100", 2}}));
  EXPECT_EQ(tres_ok("gres/gpu=2"), (std::vector<GpuRequest>{{"", 2}}));
  EXPECT_EQ(tres_ok("gres/gpu:nvidia_h100_80gb_hbm3_3g.40gb=1"),
            (std::vector<GpuRequest>{{"nvidia_h100_80gb_hbm3_3g.40gb", 1}}));
}

TEST(TresGpus, ReadsBareGpuForm) {
  EXPECT_EQ(tres_ok("gpu:h100:4"), (std::vector<GpuRequest>{{"h100", 4}}));
  EXPECT_EQ(tres_ok("gpu:3"), (std::vector<GpuRequest>{{"", 3}}));
  EXPECT_EQ(tres_ok("gpu:a100"), (std::vector<GpuRequest>{{"a100", 1}}));
}

TEST(TresGpus, ReadsSeveralTypesAndIgnoresOtherResources) {
  EXPECT_EQ(tres_ok("gres:gpu:a100:1,gres:gpu:l40:1"),
            (std::vector<GpuRequest>{{"a100", 1}, {"l40", 1}}));
  EXPECT_EQ(tres_ok("cpu=4,gres/gpu:h100=2,gres/shard=3,mem=4G"),
            (std::vector<GpuRequest>{{"h100", 2}}));
  EXPECT_TRUE(tres_ok("gres:shard:h100:2").empty());
  EXPECT_TRUE(tres_ok("gres/mps=100").empty());
}

TEST(TresGpus, ReadsNothingFromNaNullOrEmpty) {
  EXPECT_TRUE(tres_ok("N/A").empty());
  EXPECT_TRUE(tres_ok("(null)").empty());
  EXPECT_TRUE(tres_ok("").empty());
}

TEST(TresGpus, RejectsGpuWithBadCount) {
  EXPECT_FALSE(parse_tres_gpus("gres/gpu=lots").has_value());
  EXPECT_FALSE(parse_tres_gpus("gres:gpu:a:b:c").has_value());
}

TEST(PendingJobs, FormatAsksForTheFieldsInOrder) {
  EXPECT_EQ(pending_jobs_format(),
            "JobArrayID:|,Partition:|,NumNodes:|,NumTasks:|,tres-per-node:|,tres-per-job:|,"
            "tres-per-task:|");
}

TEST(PendingJobs, MultipliesPerNodeByNodesAndPerTaskByTasks) {
  const auto jobs = parse_pending_jobs(
      "2|gpu|2|2|gres:gpu:2|N/A|N/A|\n"
      "5|gpu|1|4|N/A|N/A|gres:gpu:1|\n"
      "6|gpu|1|2|N/A|N/A|gres:gpu:l40:1|\n"
      "3|gpu|1|1|N/A|gres:gpu:3|N/A|\n"
      "7|long|2|2|gres:gpu:h100:2|N/A|N/A|\n");
  ASSERT_TRUE(jobs.has_value()) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 5u);
  EXPECT_EQ((*jobs)[0].gpus, (std::vector<GpuRequest>{{"", 4}}));
  EXPECT_EQ((*jobs)[1].gpus, (std::vector<GpuRequest>{{"", 4}}));
  EXPECT_EQ((*jobs)[2].gpus, (std::vector<GpuRequest>{{"l40", 2}}));
  EXPECT_EQ((*jobs)[3].gpus, (std::vector<GpuRequest>{{"", 3}}));
  EXPECT_EQ((*jobs)[4].gpus, (std::vector<GpuRequest>{{"h100", 4}}));
  EXPECT_EQ((*jobs)[4].partitions, (std::vector<std::string>{"long"}));
}

TEST(PendingJobs, SumsRequestsOfOneTypeFromSeveralFields) {
  const auto jobs = parse_pending_jobs("9|gpu|2|4|gres/gpu:a100=1|gres/gpu:a100=1|N/A|\n");
  ASSERT_TRUE(jobs.has_value());
  EXPECT_EQ(jobs->front().gpus, (std::vector<GpuRequest>{{"a100", 3}}));
}

TEST(PendingJobs, ReadsArrayTasksAndSeveralPartitions) {
  const auto jobs = parse_pending_jobs(
      "9_0|gpu|1|1|gres:gpu:h100:1|N/A|N/A|\n"
      "9_1|gpu|1|1|gres:gpu:h100:1|N/A|N/A|\n"
      "8|gpu,debug|1|1|gres:gpu:1|N/A|N/A|\n");
  ASSERT_TRUE(jobs.has_value());
  ASSERT_EQ(jobs->size(), 3u);
  EXPECT_EQ((*jobs)[0].job_id, "9_0");
  EXPECT_EQ((*jobs)[1].job_id, "9_1");
  EXPECT_EQ((*jobs)[2].partitions, (std::vector<std::string>{"gpu", "debug"}));
}

TEST(PendingJobs, KeepsJobsWithoutGpus) {
  const auto jobs = parse_pending_jobs("10|gpu|1|1|N/A|N/A|N/A|\n");
  ASSERT_TRUE(jobs.has_value());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_TRUE(jobs->front().gpus.empty());
}

TEST(PendingJobs, IgnoresPaddingAroundFields) {
  const auto jobs = parse_pending_jobs("  12   |gpu   |1-2 |1  |gres:gpu:a100:1  |N/A |N/A |  \n");
  ASSERT_TRUE(jobs.has_value()) << jobs.error().message;
  EXPECT_EQ(jobs->front().job_id, "12");
  EXPECT_EQ(jobs->front().gpus, (std::vector<GpuRequest>{{"a100", 1}}));
}

TEST(PendingJobs, AcceptsEmptyOutput) {
  EXPECT_TRUE(parse_pending_jobs("")->empty());
}

TEST(PendingJobs, NamesTheLineOfAShortRecord) {
  const auto jobs = parse_pending_jobs("1|gpu|1|1|N/A|N/A|N/A|\n2|gpu|1|\n");
  ASSERT_FALSE(jobs.has_value());
  EXPECT_EQ(jobs.error().code, core::ErrorCode::parse_error);
  EXPECT_NE(jobs.error().message.find("line 2"), std::string::npos);
}

TEST(PendingJobs, RejectsNonNumericCounts) {
  EXPECT_FALSE(parse_pending_jobs("1|gpu|x|1|N/A|N/A|N/A|\n").has_value());
  EXPECT_FALSE(parse_pending_jobs("1|gpu|1|y|N/A|N/A|N/A|\n").has_value());
  EXPECT_FALSE(parse_pending_jobs("1|gpu|1|1|N/A|N/A|N/A|extra|\n").has_value());
}

}  // namespace
}  // namespace sortie::slurm

// sbatch --parsable answers, captured from the sandbox cluster (tests/data/slurm/jobs-sbatch.txt)
// and hand-written for failures the shared sandbox cannot be made to produce.
#include "sortie/slurm/sbatch.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sortie::slurm {
namespace {

// The runs of a captured file in sections ("$ command", "--- stdout ---", "--- stderr ---",
// "--- exit code: N ---").
std::vector<remote::Output> captured_runs(const std::string& name) {
  std::ifstream file(std::string(SORTIE_TEST_DATA) + "/slurm/" + name, std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing captured file " << name;
  std::vector<remote::Output> runs;
  std::string line;
  std::string* into = nullptr;
  while (std::getline(file, line)) {
    if (line.starts_with("$ ")) {
      runs.emplace_back();
      into = nullptr;
    } else if (line == "--- stdout ---") {
      into = &runs.back().out;
    } else if (line == "--- stderr ---") {
      into = &runs.back().err;
    } else if (line.starts_with("--- exit code: ")) {
      runs.back().exit_code = std::stoi(line.substr(15));
      into = nullptr;
    } else if (into != nullptr) {
      *into += line + "\n";
    }
  }
  return runs;
}

bool mentions(const std::string& text, std::string_view word) {
  return text.find(word) != std::string::npos;
}

TEST(Sbatch, ParsesAJobIdAndAClusterName) {
  EXPECT_EQ(parse_sbatch_output("123\n").value(), (Submission{"123", ""}));
  EXPECT_EQ(parse_sbatch_output("51;sandbox\n").value(), (Submission{"51", "sandbox"}));
  EXPECT_EQ(parse_sbatch_output("some banner\r\n77\r\n\n").value(), (Submission{"77", ""}));
  EXPECT_FALSE(parse_sbatch_output("").has_value());
  EXPECT_FALSE(parse_sbatch_output("Submitted batch job 12\n").has_value());
}

TEST(Sbatch, ReadsEveryCapturedAnswer) {
  const auto runs = captured_runs("jobs-sbatch.txt");
  ASSERT_EQ(runs.size(), 11u);

  const auto partition = read_sbatch(runs[0]);
  ASSERT_FALSE(partition.has_value());
  EXPECT_EQ(partition.error().error.code, core::ErrorCode::invalid_argument);
  EXPECT_FALSE(partition.error().ambiguous());
  EXPECT_TRUE(mentions(partition.error().error.message, "invalid partition specified: nosuch"));

  for (const std::size_t run : {1u, 2u, 8u}) {
    const auto config = read_sbatch(runs[run]);
    ASSERT_FALSE(config.has_value()) << run;
    EXPECT_EQ(config.error().error.code, core::ErrorCode::invalid_argument);
    EXPECT_TRUE(mentions(config.error().error.message, "can ever satisfy"));
  }
  EXPECT_TRUE(mentions(read_sbatch(runs[8]).error().error.message,
                       "Memory specification can not be satisfied"));

  const auto gres = read_sbatch(runs[3]);
  ASSERT_FALSE(gres.has_value());
  EXPECT_EQ(gres.error().error.code, core::ErrorCode::invalid_argument);
  EXPECT_TRUE(mentions(gres.error().error.message, "GPU type"));

  EXPECT_EQ(read_sbatch(runs[4]).value(), (Submission{"48", ""}));
  EXPECT_EQ(read_sbatch(runs[6]).value(), (Submission{"50", ""})) << "an array's own id";
  EXPECT_EQ(read_sbatch(runs[7]).value(), (Submission{"51", "sandbox"}));
}

TEST(Sbatch, FlagsAControllerTimeoutAsPossiblyAccepted) {
  const remote::Output output{
      1, "",
      "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"};
  const auto result = read_sbatch(output);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().error.code, core::ErrorCode::slurm_unavailable);
  EXPECT_TRUE(result.error().ambiguous());
  EXPECT_TRUE(mentions(result.error().error.message, "MAY have been accepted"));
}

TEST(Sbatch, ReportsAnUnreachableControllerAsCertainlyRejected) {
  const remote::Output output{
      1, "",
      "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect "
      "failure)\n"};
  const auto result = read_sbatch(output);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().error.code, core::ErrorCode::slurm_unavailable);
  EXPECT_FALSE(result.error().ambiguous());
}

TEST(Sbatch, ExplainsAnAccountingPolicyViolation) {
  const remote::Output output{
      1, "",
      "sbatch: error: QOSMaxSubmitJobPerUserLimit\nsbatch: error: Batch job submission failed: "
      "Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)\n"};
  const auto result = read_sbatch(output);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().error.code, core::ErrorCode::invalid_argument);
  EXPECT_FALSE(result.error().ambiguous());
  EXPECT_TRUE(mentions(result.error().error.message, "QOSMaxSubmitJobPerUserLimit"));
  EXPECT_TRUE(mentions(result.error().error.message, "limit of your account or QOS"));
}

TEST(Sbatch, ReportsRateLimitsAndABusyController) {
  const auto limited = read_sbatch(
      remote::Output{1, "", "sbatch: error: Batch job submission failed: Rate limit exceeded\n"});
  ASSERT_FALSE(limited.has_value());
  EXPECT_EQ(limited.error().error.code, core::ErrorCode::slurm_rate_limited);
  EXPECT_FALSE(limited.error().ambiguous());
  const auto busy = read_sbatch(remote::Output{
      1, "",
      "sbatch: error: Slurm temporarily unable to accept job, sleeping and retrying\n"
      "sbatch: error: Batch job submission failed: Resource temporarily unavailable\n"});
  ASSERT_FALSE(busy.has_value());
  EXPECT_EQ(busy.error().error.code, core::ErrorCode::slurm_rate_limited);
}

TEST(Sbatch, AcceptsWarningsOnStandardErrorWhenItSucceeds) {
  const auto result = read_sbatch(
      remote::Output{0, "4242\n", "sbatch: warning: can't honor --ntasks-per-node set to 4 ...\n"});
  ASSERT_TRUE(result.has_value()) << result.error().error.message;
  EXPECT_EQ(result->job_id, "4242");
}

TEST(Sbatch, TreatsSuccessWithoutAJobIdAsAmbiguous) {
  const auto result = read_sbatch(remote::Output{0, "Submitted batch job 12\n", ""});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().error.code, core::ErrorCode::parse_error);
  EXPECT_TRUE(result.error().ambiguous());
}

TEST(Sbatch, QuotesAnUnknownFailure) {
  const auto result =
      read_sbatch(remote::Output{1, "", "sbatch: error: something new went wrong\n"});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().error.code, core::ErrorCode::command_failed);
  EXPECT_TRUE(mentions(result.error().error.message, "something new went wrong"));
  EXPECT_FALSE(result.error().ambiguous());
}

TEST(Sbatch, TreatsALostLinkAsAmbiguousAndNoLinkAsRejected) {
  const auto lost =
      submit_error_from_remote(core::Error{core::ErrorCode::connection_lost, "link dropped."});
  EXPECT_TRUE(lost.ambiguous());
  EXPECT_EQ(lost.error.code, core::ErrorCode::connection_lost);
  EXPECT_TRUE(submit_error_from_remote(core::Error{core::ErrorCode::timeout, "slow."}).ambiguous());
  EXPECT_FALSE(submit_error_from_remote(core::Error{core::ErrorCode::connection_failed, "refused."})
                   .ambiguous());
}

}  // namespace
}  // namespace sortie::slurm

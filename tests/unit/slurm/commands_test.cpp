#include "sortie/slurm/commands.hpp"

#include <gtest/gtest.h>

namespace sortie::slurm {
namespace {

using core::ErrorCode;

TEST(SlurmCommands, ShowNodesAsksForDetailsOneLinePerNode) {
  EXPECT_EQ(show_nodes().argv, (std::vector<std::string>{"scontrol", "-d", "-o", "show", "node"}));
  EXPECT_FALSE(show_nodes().input.has_value());
}

TEST(SlurmCommands, ShowPartitionsAsksForOneLinePerPartition) {
  EXPECT_EQ(show_partitions().argv,
            (std::vector<std::string>{"scontrol", "-o", "show", "partition"}));
}

TEST(SlurmCommands, PendingJobsListsArrayTasksWithoutHeader) {
  EXPECT_EQ(pending_jobs().argv,
            (std::vector<std::string>{
                "squeue", "-h", "-r", "-t", "PENDING",
                "--Format=JobArrayID:|,Partition:|,NumNodes:|,NumTasks:|,tres-per-node:|,"
                "tres-per-job:|,tres-per-task:|"}));
}

core::Error error_of(int exit_code, std::string err) {
  const auto result = check(remote::Output{exit_code, "", std::move(err)}, "scontrol show node");
  EXPECT_FALSE(result.has_value());
  return result ? core::Error{} : result.error();
}

TEST(SlurmCheck, PassesCleanSuccess) {
  EXPECT_TRUE(check(remote::Output{0, "NodeName=x\n", ""}, "scontrol show node").has_value());
}

TEST(SlurmCheck, MapsControllerTimeoutToUnavailable) {
  const auto error =
      error_of(1, "slurm_load_node error: Socket timed out on send/recv operation\n");
  EXPECT_EQ(error.code, ErrorCode::slurm_unavailable);
  EXPECT_NE(error.message.find("SLURM's controller on this cluster did not answer"),
            std::string::npos);
  EXPECT_NE(error.message.find("Socket timed out"), std::string::npos);
}

TEST(SlurmCheck, MapsUnreachableControllerToUnavailable) {
  EXPECT_EQ(error_of(1,
                     "slurm_load_node error: Unable to contact slurm controller (connect "
                     "failure)\n")
                .code,
            ErrorCode::slurm_unavailable);
  EXPECT_EQ(error_of(1, "squeue: error: Connection refused\n").code, ErrorCode::slurm_unavailable);
}

TEST(SlurmCheck, TreatsControllerErrorAsFailureEvenWithExitZero) {
  EXPECT_EQ(error_of(0, "slurm_load_jobs error: Socket timed out on send/recv operation").code,
            ErrorCode::slurm_unavailable);
}

TEST(SlurmCheck, MapsRateLimitToRateLimited) {
  EXPECT_EQ(
      error_of(1, "slurm_load_node error: Rate limit exceeded, please retry momentarily").code,
      ErrorCode::slurm_rate_limited);
  EXPECT_EQ(error_of(0, "Rate limit exceeded").code, ErrorCode::slurm_rate_limited);
}

TEST(SlurmCheck, MapsMissingCommandToNotFound) {
  const auto error = error_of(127, "bash: line 1: scontrol: command not found\n");
  EXPECT_EQ(error.code, ErrorCode::not_found);
  EXPECT_TRUE(error.message.starts_with("scontrol is not on PATH on the cluster: "))
      << error.message;
  EXPECT_EQ(error_of(1, "sh: scontrol: command not found").code, ErrorCode::not_found);
}

TEST(SlurmCheck, MapsOtherFailuresToCommandFailedWithStderr) {
  const auto error = error_of(1, "scontrol: error: Invalid node name specified\n");
  EXPECT_EQ(error.code, ErrorCode::command_failed);
  EXPECT_NE(error.message.find("Invalid node name specified"), std::string::npos);
  EXPECT_NE(error.message.find("exit status 1"), std::string::npos);
}

TEST(SlurmCheck, PassesHarmlessStderrOnSuccess) {
  EXPECT_TRUE(
      check(remote::Output{0, "", "squeue: warning: something minor\n"}, "squeue").has_value());
}

}  // namespace
}  // namespace sortie::slurm

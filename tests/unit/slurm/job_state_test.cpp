#include "sortie/slurm/job_state.hpp"

#include <gtest/gtest.h>

namespace sortie::slurm {
namespace {

TEST(JobState, ReadsLongAndShortNames) {
  EXPECT_EQ(parse_job_state("PENDING"), JobState::pending);
  EXPECT_EQ(parse_job_state("PD"), JobState::pending);
  EXPECT_EQ(parse_job_state("OUT_OF_MEMORY"), JobState::out_of_memory);
  EXPECT_EQ(parse_job_state("OOM"), JobState::out_of_memory);
  EXPECT_EQ(parse_job_state("CG"), JobState::completing);
  EXPECT_EQ(parse_job_state("REQUEUE_HOLD"), JobState::requeued);
}

TEST(JobState, ReadsSacctCancelledByUser) {
  EXPECT_EQ(parse_job_state("CANCELLED by 1000"), JobState::cancelled);
  EXPECT_EQ(parse_job_state("CANCELLED by 0"), JobState::cancelled);
}

TEST(JobState, RefusesNamesSlurmDoesNotUse) {
  EXPECT_FALSE(parse_job_state("DONE"));
  EXPECT_FALSE(parse_job_state(""));
  EXPECT_FALSE(parse_job_state("pending"));
}

TEST(JobState, NamesRoundTrip) {
  for (auto state : {JobState::pending, JobState::running, JobState::timeout,
                     JobState::boot_fail, JobState::deadline, JobState::stopped})
    EXPECT_EQ(parse_job_state(to_string(state)), state);
}

TEST(JobState, KnowsWhichStatesAreFinal) {
  EXPECT_TRUE(is_final(JobState::completed));
  EXPECT_TRUE(is_final(JobState::timeout));
  EXPECT_TRUE(is_final(JobState::node_fail));
  EXPECT_FALSE(is_final(JobState::pending));
  EXPECT_FALSE(is_final(JobState::requeued));
  EXPECT_FALSE(is_final(JobState::suspended));
  EXPECT_FALSE(is_final(JobState::completing));
}

}  // namespace
}  // namespace sortie::slurm

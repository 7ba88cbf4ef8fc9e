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

// The names of src/common/slurm_protocol_defs.c from 20.11 to 26.05: job_state_string() and
// its short codes, and the flags job_state_string_complete() lists after the base state.
TEST(JobState, ReadsTheNamesOfEveryVersion) {
  EXPECT_EQ(parse_job_state("RESV_DEL_HOLD"), JobState::resv_del_hold);
  EXPECT_EQ(parse_job_state("RD"), JobState::resv_del_hold);
  EXPECT_EQ(parse_job_state("REQUEUED_CRON"), JobState::requeued);  // 20.11
  EXPECT_EQ(parse_job_state("EXPEDITING"), JobState::expediting);   // 26.05
  EXPECT_EQ(parse_job_state("POWER_UP_NODE"), JobState::power_up_node);
  EXPECT_EQ(parse_job_state("LAUNCH_FAILED"), JobState::launch_failed);
  EXPECT_EQ(parse_job_state("UPDATE_DB"), JobState::update_db);
  EXPECT_EQ(parse_job_state("RECONFIG_FAIL"), JobState::reconfig_fail);
  EXPECT_EQ(parse_job_state("SE"), JobState::special_exit);
  EXPECT_EQ(parse_job_state("SO"), JobState::stage_out);
  EXPECT_EQ(parse_job_state("SI"), JobState::signaling);
}

TEST(JobState, ReadsFlagsAsJobStateStringWouldNameThem) {
  EXPECT_EQ(parse_job_state("CANCELLED+COMPLETING"), JobState::completing);
  EXPECT_EQ(parse_job_state("PENDING,REQUEUE_HOLD"), JobState::requeued);
  EXPECT_EQ(parse_job_state("PENDING,POWER_UP_NODE,CONFIGURING"), JobState::configuring);
  EXPECT_EQ(parse_job_state("FAILED,LAUNCH_FAILED"), JobState::failed);
  EXPECT_EQ(parse_job_state("RUNNING+UPDATE_DB"), JobState::running);
  EXPECT_EQ(parse_job_state("COMPLETED,STAGE_OUT"), JobState::stage_out);
  EXPECT_FALSE(parse_job_state("RUNNING+DANCING"));
  EXPECT_FALSE(parse_job_state("RUNNING+"));
}

TEST(JobState, RefusesNamesSlurmDoesNotUse) {
  EXPECT_FALSE(parse_job_state("DONE"));
  EXPECT_FALSE(parse_job_state(""));
  EXPECT_FALSE(parse_job_state("pending"));
}

TEST(JobState, NamesRoundTrip) {
  for (auto state : {JobState::pending, JobState::running, JobState::timeout, JobState::boot_fail,
                     JobState::deadline, JobState::stopped, JobState::resv_del_hold,
                     JobState::expediting, JobState::power_up_node, JobState::launch_failed,
                     JobState::update_db, JobState::reconfig_fail})
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

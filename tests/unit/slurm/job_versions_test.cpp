// The job parsers read what every SLURM from 20.11 to 26.05 prints, whatever version the cluster
// runs, and one row they cannot read never hides the others.
//
// Real answers: tests/data/slurm/24.11/ (SLURM 24.11.5) and tests/data/slurm/22.05/ (22.05.8),
// the same jobs and the same commands sortie runs (see the README in each). Hand-written lines
// stand for what neither sandbox prints; each says which SLURM source prints it (SchedMD/slurm at
// the tag named, e.g. slurm-23-02-0-1:src/squeue/print.c).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sortie/slurm/jobs.hpp"

namespace sortie::slurm {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

std::string captured(const std::string& name) {
  std::ifstream file(std::string(SORTIE_TEST_DATA) + "/slurm/" + name, std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing captured file " << name;
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

TimePoint at(std::int64_t unix_seconds) {
  return TimePoint{seconds(unix_seconds)};
}

const JobInfo& with_id(const std::vector<JobInfo>& jobs, std::string_view id) {
  for (const auto& job : jobs) {
    if (job.job_id == id) return job;
  }
  static const JobInfo none;
  ADD_FAILURE() << "no job " << id;
  return none;
}

JobRows every_row_read(JobRows rows, std::string_view what) {
  for (const auto& failure : rows.failures) {
    ADD_FAILURE() << what << ": " << describe(failure, "");
  }
  return rows;
}

// One squeue line in the order of kSqueueJobFields, from a 24.11-style running job with the
// fields named changed.
std::string squeue_line(std::string_view id, std::string_view state, std::string_view exit_code,
                        std::string_view time_limit = "5:00", std::string_view end = "1796206490",
                        std::string_view used = "0:03") {
  return fmt::format(
      "{0}|~|{0}|~|N/A|~|{1}|~|None|~|researcher|~|debug|~|1796206189|~|1796206190|~|{4}|~|{5}|~|"
      "{3}|~|{2}|~|l40-1|~|/home/researcher|~|/home/researcher/slurm-%j.out|~|(null)|~|(null)|~|"
      "train|~|\n",
      id, state, exit_code, time_limit, end, used);
}

std::string sacct_line(std::string_view id, std::string_view state, std::string_view exit_code,
                       std::string_view time_limit = "5") {
  return fmt::format(
      "{0}|~|{0}|~|{1}|~|{2}|~|None|~|researcher|~|debug|~|1796206189|~|1796206190|~|1796206203|~|"
      "13|~|{3}|~|l40-1|~|/home/researcher|~||~|train\n",
      id, state, exit_code, time_limit);
}

// --- Real answers of SLURM 24.11.5 ---

TEST(Slurm2411, ReadsSqueueExitCodesAsExitColonSignal) {
  // 23.02 on: _print_job_exit_code prints WEXITSTATUS:WTERMSIG ("3:0"), not the wait status.
  const auto rows =
      every_row_read(parse_squeue_rows(captured("24.11/jobs-squeue.mixed.txt")), "24.11 squeue");
  ASSERT_EQ(rows.jobs.size(), 13u);
  const auto& jobs = rows.jobs;
  EXPECT_EQ(with_id(jobs, "2").state, JobState::completed);
  EXPECT_EQ(with_id(jobs, "2").exit_code, 0);
  EXPECT_EQ(with_id(jobs, "3").state, JobState::failed);
  EXPECT_EQ(with_id(jobs, "3").exit_code, 3);
  EXPECT_EQ(with_id(jobs, "3").signal, 0);
  EXPECT_EQ(with_id(jobs, "4").exit_code, 0);
  EXPECT_EQ(with_id(jobs, "4").signal, 9);
  EXPECT_EQ(with_id(jobs, "6").state, JobState::cancelled);
  EXPECT_EQ(with_id(jobs, "6").signal, 15) << "cancelled while running: SIGTERM";
  EXPECT_EQ(with_id(jobs, "8").state, JobState::cancelled);
  EXPECT_EQ(with_id(jobs, "8").start_time, std::nullopt) << "cancelled while pending";
  EXPECT_EQ(with_id(jobs, "9_1").exit_code, 3);
  EXPECT_EQ(with_id(jobs, "9_3").state, JobState::pending);
  EXPECT_EQ(with_id(jobs, "9_3").reason, "JobArrayTaskLimit");
  EXPECT_EQ(with_id(jobs, "7").reason, "JobHeldUser");
  const JobInfo& running = with_id(jobs, "5");
  EXPECT_EQ(running.state, JobState::running);
  EXPECT_EQ(running.exit_code, std::nullopt);
  EXPECT_EQ(running.start_time, at(1796206190));
  EXPECT_EQ(running.time_limit, minutes(5));
  EXPECT_EQ(running.comment, "key=capture note");
}

TEST(Slurm2411, ReadsAnUnsetStderrAsEmptyAndLeavesSqueuePatternsUnexpanded) {
  // 24.05 on: _print_job_std_err prints job->std_err as it is, "(null)" when unset (up to 23.11
  // it printed std_out instead); squeue expands %j only with --expand-patterns.
  const auto jobs = parse_squeue_rows(captured("24.11/jobs-squeue.mixed.txt")).jobs;
  EXPECT_EQ(with_id(jobs, "2").stdout_path, "/dev/null");
  EXPECT_EQ(with_id(jobs, "2").stderr_path, "");
  EXPECT_EQ(with_id(jobs, "5").stdout_path, "/home/researcher/slurm-%j.out");
  EXPECT_EQ(with_id(jobs, "5").stderr_path, "/home/researcher/slurm-%j.err");
}

TEST(Slurm2411, ReadsEveryEndedJobWhileSqueueStillHoldsThem) {
  const auto jobs = every_row_read(parse_squeue_rows(captured("24.11/jobs-squeue.finished.txt")),
                                   "24.11 squeue finished")
                        .jobs;
  EXPECT_EQ(with_id(jobs, "5").state, JobState::cancelled);
  EXPECT_EQ(with_id(jobs, "5").signal, 15);
  EXPECT_EQ(with_id(jobs, "5").elapsed, seconds(13));
  EXPECT_EQ(with_id(jobs, "7").state, JobState::cancelled);
  for (const auto& job : jobs) EXPECT_TRUE(is_final(job.state)) << job.job_id;
}

TEST(Slurm2411, ReadsSacctWithWhoCancelledAndThePendingRemainderOfAnArray) {
  const auto jobs =
      every_row_read(parse_sacct_rows(captured("24.11/jobs-sacct.mixed.txt")), "24.11 sacct").jobs;
  ASSERT_EQ(jobs.size(), 11u);
  EXPECT_EQ(with_id(jobs, "6").state, JobState::cancelled);
  EXPECT_EQ(with_id(jobs, "6").cancelled_by, "1001");
  EXPECT_EQ(with_id(jobs, "4").signal, 9);
  EXPECT_EQ(with_id(jobs, "3").exit_code, 3);
  EXPECT_EQ(with_id(jobs, "8").nodes, "") << "None assigned";
  EXPECT_EQ(with_id(jobs, "8").start_time, std::nullopt) << "Start=None";
  const JobInfo& remainder = with_id(jobs, "9_[3-5%2]");
  EXPECT_EQ(remainder.array_job_id, "9");
  EXPECT_EQ(remainder.array_task_range, "3-5%2");
  EXPECT_EQ(remainder.state, JobState::pending);
  const auto finished =
      every_row_read(parse_sacct_rows(captured("24.11/jobs-sacct.finished.txt")), "finished").jobs;
  EXPECT_EQ(with_id(finished, "9_5").state, JobState::completed);
  EXPECT_EQ(with_id(finished, "7").cancelled_by, "1001");
}

TEST(Slurm2411, ReadsScontrolRecordsWithReqTresAndAllocTres) {
  // 24.11 prints ReqTRES= and AllocTRES= where 22.05 printed TRES=.
  const auto jobs = every_row_read(parse_scontrol_rows(captured("24.11/jobs-scontrol.mixed.txt")),
                                   "24.11 scontrol")
                        .jobs;
  ASSERT_EQ(jobs.size(), 12u);
  EXPECT_EQ(with_id(jobs, "1").state, JobState::failed);
  EXPECT_EQ(with_id(jobs, "1").exit_code, 3);
  EXPECT_EQ(with_id(jobs, "1").stdout_path, "/home/researcher/slurm-1.out") << "expanded";
  EXPECT_EQ(with_id(jobs, "4").signal, 9);
  EXPECT_EQ(with_id(jobs, "6").signal, 15);
  EXPECT_EQ(with_id(jobs, "9_1").exit_code, 3);
  EXPECT_EQ(with_id(jobs, "9_[3-5%2]").array_task_range, "3-5%2");
  EXPECT_EQ(with_id(jobs, "2").time_limit, minutes(5));
}

// --- Real answers of SLURM 22.05.8 to the same commands ---

TEST(Slurm2205, ReadsSqueueExitCodesAsTheRawWaitStatus) {
  // Up to 22.05: _print_job_exit_code is _print_int(job->exit_code): 768 is exit 3, 9 signal 9.
  const auto jobs =
      every_row_read(parse_squeue_rows(captured("22.05/jobs-squeue.mixed.txt")), "22.05 squeue")
          .jobs;
  EXPECT_EQ(with_id(jobs, "2").exit_code, 3);
  EXPECT_EQ(with_id(jobs, "2").signal, 0);
  EXPECT_EQ(with_id(jobs, "3").exit_code, 0);
  EXPECT_EQ(with_id(jobs, "3").signal, 9);
  EXPECT_EQ(with_id(jobs, "5").state, JobState::cancelled);
  EXPECT_EQ(with_id(jobs, "5").signal, 15);
  EXPECT_EQ(with_id(jobs, "8_1").exit_code, 3);
  EXPECT_EQ(with_id(jobs, "1").stderr_path, "/dev/null") << "22.05 prints stdout for stderr";
}

TEST(Slurm2205, ReadsSacctAndScontrolOfTheSameJobs) {
  const auto accounted =
      every_row_read(parse_sacct_rows(captured("22.05/jobs-sacct.mixed.txt")), "22.05 sacct").jobs;
  EXPECT_FALSE(accounted.empty());
  const auto held = every_row_read(parse_scontrol_rows(captured("22.05/jobs-scontrol.mixed.txt")),
                                   "22.05 scontrol")
                        .jobs;
  EXPECT_EQ(with_id(held, "2").exit_code, 3);
  EXPECT_EQ(with_id(held, "3").signal, 9);
}

// --- What neither sandbox prints ---

TEST(SqueueExitCode, ReadsEveryFormOfEveryVersion) {
  struct Case {
    std::string_view text;
    std::optional<int> exit_code;
    std::optional<int> signal;
  };
  for (const auto& [text, exit_code, signal] : {
           Case{"768", 3, 0},      // 22.05: raw wait status, exit 3
           Case{"9", 0, 9},        // 22.05: killed by SIGKILL
           Case{"139", 0, 11},     // 22.05: SIGSEGV with a core dump (0x80)
           Case{"0", 0, 0},        // 22.05
           Case{"65280", 255, 0},  // 22.05: exit 255
           Case{"3:0", 3, 0},      // 23.02 on: WEXITSTATUS:WTERMSIG
           Case{"0:9", 0, 9},      // 23.02 on
           Case{"255:0", 255, 0},  // 23.02 on
       }) {
    const auto rows = parse_squeue_rows(squeue_line("41", "FAILED", text));
    ASSERT_EQ(rows.jobs.size(), 1u) << text;
    EXPECT_EQ(rows.jobs[0].exit_code, exit_code) << text;
    EXPECT_EQ(rows.jobs[0].signal, signal) << text;
  }
  // No exit code yet: "-2" is NO_VAL through "%d" (20.11-22.05); 23.02 on prints nothing.
  for (const auto* none : {"-2", "", "4294967294"}) {
    const auto rows = parse_squeue_rows(squeue_line("41", "FAILED", none));
    ASSERT_EQ(rows.jobs.size(), 1u) << none;
    EXPECT_EQ(rows.jobs[0].exit_code, std::nullopt) << none;
  }
}

TEST(SqueueTimes, ReadsEveryLimitEndAndRunTimeWord) {
  // _print_job_time_limit (20.11-26.05): UNLIMITED for INFINITE, NOT_SET for NO_VAL, and
  // _print_secs, which prints INVALID for a negative time and days as 1-00:00:00.
  for (const auto* none : {"UNLIMITED", "NOT_SET", "INVALID"}) {
    const auto rows = parse_squeue_rows(squeue_line("41", "RUNNING", "0:0", none));
    ASSERT_EQ(rows.jobs.size(), 1u) << none;
    EXPECT_EQ(rows.jobs[0].time_limit, std::nullopt) << none;
  }
  const auto day = parse_squeue_rows(squeue_line("41", "RUNNING", "0:0", "1-00:00:00"));
  ASSERT_EQ(day.jobs.size(), 1u);
  EXPECT_EQ(day.jobs[0].time_limit, minutes(24 * 60));
  // _print_job_time_end: NONE for a job without a limit; N/A for 0; Unknown from
  // slurm_make_time_str for INFINITE.
  for (const auto* end : {"NONE", "N/A", "Unknown", "None"}) {
    const auto rows =
        parse_squeue_rows(squeue_line("41", "COMPLETED", "0:0", "UNLIMITED", end, "INVALID"));
    ASSERT_EQ(rows.jobs.size(), 1u) << end;
    EXPECT_EQ(rows.jobs[0].end_time, std::nullopt) << end;
    EXPECT_EQ(rows.jobs[0].elapsed, std::nullopt) << "TimeUsed INVALID";
  }
  const auto iso =
      parse_squeue_rows(squeue_line("41", "COMPLETED", "0:0", "5:00", "2026-12-02T10:03:10"));
  ASSERT_EQ(iso.jobs.size(), 1u);
  EXPECT_EQ(iso.jobs[0].end_time, at(1796205790));
}

TEST(SqueueStates, ReadsStatesAndFlagsOfEveryVersion) {
  // job_state_string() (src/common/slurm_protocol_defs.c, 20.11-26.05) names a flag instead of
  // the base state: RESV_DEL_HOLD since 20.11, REQUEUED_CRON in 20.11 only, EXPEDITING in 26.05.
  struct Case {
    std::string_view text;
    JobState state;
  };
  for (const auto& [text, state] : {
           Case{"PENDING", JobState::pending},
           Case{"RESV_DEL_HOLD", JobState::resv_del_hold},
           Case{"REQUEUE_FED", JobState::requeued},
           Case{"REQUEUE_HOLD", JobState::requeued},
           Case{"REQUEUED_CRON", JobState::requeued},
           Case{"SPECIAL_EXIT", JobState::special_exit},
           Case{"STAGE_OUT", JobState::stage_out},
           Case{"SIGNALING", JobState::signaling},
           Case{"STOPPED", JobState::stopped},
           Case{"SUSPENDED", JobState::suspended},
           Case{"RESIZING", JobState::resizing},
           Case{"REVOKED", JobState::revoked},
           Case{"EXPEDITING", JobState::expediting},
           Case{"OUT_OF_MEMORY", JobState::out_of_memory},
           Case{"NODE_FAIL", JobState::node_fail},
           Case{"PREEMPTED", JobState::preempted},
           Case{"BOOT_FAIL", JobState::boot_fail},
           Case{"DEADLINE", JobState::deadline},
       }) {
    const auto rows = parse_squeue_rows(squeue_line("41", text, "0:0"));
    ASSERT_EQ(rows.jobs.size(), 1u) << text;
    EXPECT_EQ(rows.jobs[0].state, state) << text;
  }
}

TEST(SacctVersions, ReadsStatesLimitsAndExitCodesOfEveryVersion) {
  // src/sacct/print.c (20.11-26.05): "CANCELLED by UID"; TimelimitRaw UNLIMITED (INFINITE),
  // Partition_Limit (NO_VAL), nothing for 0.
  const auto rows = parse_sacct_rows(
      sacct_line("50", "CANCELLED by 1001", "0:0", "UNLIMITED") +
      sacct_line("51", "OUT_OF_MEMORY", "0:125", "Partition_Limit") +
      sacct_line("52", "NODE_FAIL", "1:0", "") + sacct_line("53", "TIMEOUT", "0:15", "1440") +
      sacct_line("54", "REQUEUED", "0:0") + sacct_line("55", "CANCELLED by 0", "0:0"));
  ASSERT_TRUE(rows.failures.empty()) << describe(rows.failures.front(), "");
  ASSERT_EQ(rows.jobs.size(), 6u);
  EXPECT_EQ(rows.jobs[0].cancelled_by, "1001");
  EXPECT_EQ(rows.jobs[0].time_limit, std::nullopt);
  EXPECT_EQ(rows.jobs[1].state, JobState::out_of_memory);
  EXPECT_EQ(rows.jobs[1].time_limit, std::nullopt);
  EXPECT_EQ(rows.jobs[2].state, JobState::node_fail);
  EXPECT_EQ(rows.jobs[3].time_limit, minutes(1440));
  EXPECT_EQ(rows.jobs[4].state, JobState::requeued);
  EXPECT_EQ(rows.jobs[5].cancelled_by, "0");
}

TEST(ScontrolVersions, ReadsLimitsAndRunTimesNoSandboxPrints) {
  // src/scontrol/info_job.c (24.05 on; src/api/job_info.c before): TimeLimit=Partition_Limit
  // for NO_VAL, mins2time_str's UNLIMITED; RunTime is secs2time_str (INVALID when negative).
  // Several QOS and a SubmitLine holding Key=Value words are read as the free text they are.
  const std::string line =
      "JobId=70 JobName=train UserId=researcher(1001) GroupId=researcher(1001) MCS_label=N/A "
      "Priority=1 Nice=0 Account=sortie QOS=normal,high JobState=PENDING Reason=Planned "
      "Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=INVALID "
      "TimeLimit=Partition_Limit TimeMin=N/A SubmitTime=1796206189 EligibleTime=1796206189 "
      "AccrueTime=Unknown StartTime=Unknown EndTime=Unknown Deadline=N/A Partition=debug "
      "NodeList=(null) WorkDir=/home/researcher StdErr=/home/researcher/slurm-70.out "
      "StdIn=/dev/null StdOut=/home/researcher/slurm-70.out "
      "SubmitLine=sbatch --wrap=echo JobState=COMPLETED\n"
      "JobId=71 JobName=train UserId=researcher(1001) JobState=RUNNING Reason=None ExitCode=0:0 "
      "RunTime=1-02:03:04 TimeLimit=UNLIMITED SubmitTime=1796206189 StartTime=1796206190 "
      "EndTime=Unknown Partition=debug NodeList=l40-1\n";
  const auto rows = parse_scontrol_rows(line);
  ASSERT_TRUE(rows.failures.empty()) << describe(rows.failures.front(), "");
  ASSERT_EQ(rows.jobs.size(), 2u);
  EXPECT_EQ(rows.jobs[0].state, JobState::pending);
  EXPECT_EQ(rows.jobs[0].reason, "Planned");
  EXPECT_EQ(rows.jobs[0].time_limit, std::nullopt);
  EXPECT_EQ(rows.jobs[0].elapsed, std::nullopt);
  EXPECT_EQ(rows.jobs[1].elapsed, seconds(86400 + 2 * 3600 + 3 * 60 + 4));
  EXPECT_EQ(rows.jobs[1].time_limit, std::nullopt);
}

// --- One bad row ---

TEST(UnreadableRows, KeepEveryReadableJobAndNameTheBadRowsJobFieldAndValue) {
  // A 24.11 answer in which one row holds an exit_code no SLURM prints and one row's id is
  // unreadable: the other rows are still jobs.
  std::string answer = captured("24.11/jobs-squeue.mixed.txt");
  const std::string good_exit =
      "|~|3:0|~|l40-1|~|/home/researcher|~|/dev/null|~|(null)|~|(null)|~|"
      "capture-exit3|~|";
  ASSERT_NE(answer.find(good_exit), std::string::npos);
  answer.replace(answer.find(good_exit), 6, "|~|3/0");
  answer += squeue_line("x7", "RUNNING", "0:0");
  const auto rows = parse_squeue_rows(answer);
  EXPECT_EQ(rows.jobs.size(), 12u);
  EXPECT_EQ(with_id(rows.jobs, "4").signal, 9);
  ASSERT_EQ(rows.failures.size(), 2u);
  const RowFailure& bad_exit = rows.failures[0];
  EXPECT_EQ(bad_exit.job_id, "3");
  EXPECT_EQ(bad_exit.command, "squeue");
  EXPECT_EQ(bad_exit.field, "exit_code");
  EXPECT_EQ(bad_exit.value, "3/0");
  EXPECT_EQ(bad_exit.line, 4u);
  EXPECT_TRUE(describe(bad_exit, "24.11.5")
                  .starts_with("squeue, field exit_code, value '3/0', SLURM 24.11.5 (line 4: "))
      << describe(bad_exit, "24.11.5");
  const RowFailure& bad_id = rows.failures[1];
  EXPECT_EQ(bad_id.job_id, "");
  EXPECT_EQ(bad_id.field, "JobArrayID");
  EXPECT_EQ(bad_id.value, "x7");
  EXPECT_NE(describe(bad_id, "").find("SLURM version unknown"), std::string::npos);
  // A caller that needs every row still gets an error naming the first bad one.
  const auto strict = parse_squeue_jobs(answer);
  ASSERT_FALSE(strict);
  EXPECT_NE(strict.error().message.find("squeue, line 4: exit_code '3/0'"), std::string::npos)
      << strict.error().message;
}

TEST(UnreadableRows, NameTheJobOfAShortRowAndOfABadSacctOrScontrolValue) {
  const auto short_row = parse_squeue_rows("12_3|~|12|~|3|~|RUNNING|~|\n");
  ASSERT_EQ(short_row.failures.size(), 1u);
  EXPECT_EQ(short_row.failures[0].job_id, "12_3");
  EXPECT_EQ(short_row.failures[0].field, "line");

  const auto sacct =
      parse_sacct_rows(sacct_line("60", "FAILED", "3:0") + sacct_line("61", "DANCING", "0:0") +
                       sacct_line("61.batch", "DANCING", "0:0"));
  ASSERT_EQ(sacct.jobs.size(), 1u);
  ASSERT_EQ(sacct.failures.size(), 1u) << "step rows are skipped, however they read";
  EXPECT_EQ(sacct.failures[0].job_id, "61");
  EXPECT_EQ(sacct.failures[0].field, "State");
  EXPECT_EQ(sacct.failures[0].value, "DANCING");

  const auto scontrol = parse_scontrol_rows(
      "JobId=81 ArrayJobId=80 ArrayTaskId=1 JobName=x JobState=RUNNING ExitCode=zero\n"
      "JobId=82 JobName=y JobState=RUNNING ExitCode=0:0\n");
  ASSERT_EQ(scontrol.jobs.size(), 1u);
  ASSERT_EQ(scontrol.failures.size(), 1u);
  EXPECT_EQ(scontrol.failures[0].job_id, "80_1");
  EXPECT_EQ(scontrol.failures[0].field, "ExitCode");
  EXPECT_EQ(scontrol.failures[0].command, "scontrol show job");
}

TEST(UnreadableRows, ComeBackFromTheReadersWhileSlurmsOwnFailureIsStillAnError) {
  const remote::Output answer{0, sacct_line("60", "FAILED", "3:0") + sacct_line("61", "?", "0:0"),
                              ""};
  const auto rows = read_sacct_rows(answer);
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->jobs.size(), 1u);
  EXPECT_EQ(rows->failures.size(), 1u);
  EXPECT_FALSE(read_sacct_jobs(answer));
  const remote::Output down{
      1, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n"};
  EXPECT_FALSE(read_squeue_rows(down));
}

TEST(JobNamed, FillsTheArrayFieldsOfAnId) {
  EXPECT_EQ(job_named("123").array_job_id, "");
  EXPECT_EQ(job_named("123_4").array_task_id, 4);
  EXPECT_EQ(job_named("123_[0-3]").array_task_range, "0-3");
}

}  // namespace
}  // namespace sortie::slurm

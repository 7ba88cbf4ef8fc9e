// Job tracking parsers on real output captured from the sandbox cluster (SLURM 22.05.8, files
// tests/data/slurm/jobs-*.txt; see the README there for the commands and jobs), and on
// hand-written lines for what the sandbox cannot produce.
#include "sortie/slurm/jobs.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

// The runs of a captured file in sections: "$ command", "--- stdout ---", "--- stderr ---",
// "--- exit code: N ---".
std::vector<remote::Output> captured_runs(const std::string& name) {
  std::vector<remote::Output> runs;
  std::istringstream in(captured(name));
  std::string line;
  std::string* into = nullptr;
  while (std::getline(in, line)) {
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

std::vector<JobInfo> parsed_squeue(const std::string& file) {
  auto jobs = parse_squeue_jobs(captured(file));
  EXPECT_TRUE(jobs.has_value()) << jobs.error().message;
  return jobs.value_or(std::vector<JobInfo>{});
}

std::vector<JobInfo> parsed_sacct(const std::string& file) {
  auto jobs = parse_sacct_jobs(captured(file));
  EXPECT_TRUE(jobs.has_value()) << jobs.error().message;
  return jobs.value_or(std::vector<JobInfo>{});
}

std::vector<JobInfo> parsed_scontrol(const std::string& file) {
  auto jobs = parse_scontrol_jobs(captured(file));
  EXPECT_TRUE(jobs.has_value()) << jobs.error().message;
  return jobs.value_or(std::vector<JobInfo>{});
}

// A sacct line in the kSacctJobFields format with the given state and exit code.
std::string sacct_line(std::string_view id, std::string_view state, std::string_view exit) {
  return fmt::format(
      "{0}|~|{0}|~|{1}|~|{2}|~|None|~|alice|~|gpu|~|1795943945|~|1795943946|~|1795944000|~|54|~|"
      "60|~|a100-1|~|/home/alice|~||~|train\n",
      id, state, exit);
}

TEST(SqueueJobs, ParsesPendingJobsWithTheirReasons) {
  const auto jobs = parsed_squeue("jobs-squeue.active.txt");
  ASSERT_EQ(jobs.size(), 13u);
  const JobInfo& resources = with_id(jobs, "35");
  EXPECT_EQ(resources.state, JobState::pending);
  EXPECT_EQ(resources.reason, "Resources");
  EXPECT_EQ(resources.name, "capture-pend-res");
  EXPECT_EQ(resources.comment, "sortie:key-res");
  EXPECT_EQ(resources.user, "researcher");
  EXPECT_EQ(resources.partition, "gpu");
  EXPECT_EQ(resources.submit_time, at(1795943987));
  EXPECT_EQ(resources.start_time, std::nullopt) << "a pending job's StartTime is a forecast";
  EXPECT_EQ(resources.end_time, std::nullopt);
  EXPECT_EQ(resources.exit_code, std::nullopt);
  EXPECT_EQ(resources.nodes, "");
  EXPECT_EQ(resources.time_limit, minutes(60));
  EXPECT_EQ(resources.elapsed, seconds(0));
  EXPECT_TRUE(resources.array_job_id.empty());
  EXPECT_EQ(with_id(jobs, "36").reason, "Priority");
  EXPECT_EQ(with_id(jobs, "37").reason, "JobHeldUser");
}

TEST(SqueueJobs, ListsEachPendingArrayTaskOnItsOwnLine) {
  const auto jobs = parsed_squeue("jobs-squeue.active.txt");
  for (std::int64_t task = 0; task < 4; ++task) {
    const JobInfo& job = with_id(jobs, fmt::format("38_{}", task));
    EXPECT_EQ(job.array_job_id, "38");
    EXPECT_EQ(job.array_task_id, task);
    EXPECT_EQ(job.state, JobState::pending);
    EXPECT_EQ(job.reason, "Priority");
  }
}

TEST(SqueueJobs, ParsesRunningJobsWithNodesStartAndElapsedTime) {
  const auto jobs = parsed_squeue("jobs-squeue.active.txt");
  const JobInfo& running = with_id(jobs, "34");
  EXPECT_EQ(running.state, JobState::running);
  EXPECT_EQ(running.reason, "");
  EXPECT_EQ(running.nodes, "a100-1");
  EXPECT_EQ(running.start_time, at(1795943987));
  EXPECT_EQ(running.end_time, std::nullopt) << "a running job's EndTime is start + limit";
  EXPECT_EQ(running.elapsed, seconds(12));
  EXPECT_EQ(running.work_dir, "/home/researcher");
  EXPECT_EQ(running.stdout_path, "/dev/null");
  EXPECT_EQ(running.stderr_path, "/dev/null");

  const JobInfo& task = with_id(jobs, "40_1");
  EXPECT_EQ(task.array_job_id, "40");
  EXPECT_EQ(task.array_task_id, 1);
  EXPECT_EQ(task.partition, "long");
  EXPECT_EQ(task.time_limit, minutes(24 * 60));
  EXPECT_EQ(with_id(jobs, "26").time_limit, minutes(1));
}

TEST(SqueueJobs, KeepsPipesSpacesAndKeyLikeWordsInNameAndComment) {
  const auto jobs = parsed_squeue("jobs-squeue.active.txt");
  const JobInfo& job = with_id(jobs, "39");
  EXPECT_EQ(job.name, "capture-pipe|name with spaces");
  EXPECT_EQ(job.comment, "sortie:key-pipe StdOut=/fake a|b  two");
  EXPECT_EQ(job.stdout_path, "/dev/null");
}

TEST(SqueueJobs, ParsesACompletingJob) {
  const auto jobs = parsed_squeue("jobs-squeue.completing.txt");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].state, JobState::completing);
  EXPECT_EQ(jobs[0].nodes, "gpu-1");
  EXPECT_EQ(jobs[0].exit_code, std::nullopt) << "not final yet";
}

TEST(SqueueJobs, ParsesARequeuedJobPendingAgainWithItsNewSubmitTime) {
  const auto jobs = parsed_squeue("jobs-squeue.requeued.txt");
  const JobInfo& job = with_id(jobs, "45");
  EXPECT_EQ(job.state, JobState::pending);
  EXPECT_EQ(job.reason, "BeginTime");
  EXPECT_EQ(job.submit_time, at(1795944035));
  EXPECT_EQ(job.time_limit, minutes(10));
}

TEST(SqueueJobs, DecodesTheRawWaitStatusOfFinishedJobs) {
  const auto jobs = parsed_squeue("jobs-squeue.finished.txt");
  ASSERT_EQ(jobs.size(), 6u);
  const JobInfo& ok = with_id(jobs, "58");
  EXPECT_EQ(ok.state, JobState::completed);
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.signal, 0);
  EXPECT_EQ(ok.end_time, at(1795944116));
  const JobInfo& exit3 = with_id(jobs, "59");
  EXPECT_EQ(exit3.state, JobState::failed);
  EXPECT_EQ(exit3.exit_code, 3);
  EXPECT_EQ(exit3.signal, 0);
  EXPECT_EQ(exit3.reason, "NonZeroExitCode");
  const JobInfo& killed = with_id(jobs, "60");
  EXPECT_EQ(killed.exit_code, 0);
  EXPECT_EQ(killed.signal, 9);
  EXPECT_EQ(killed.elapsed, seconds(1));
  EXPECT_EQ(with_id(jobs, "62_1").exit_code, 1);
  EXPECT_EQ(with_id(jobs, "62_0").state, JobState::completed);
}

TEST(SqueueJobs, GivesAJobCancelledWhilePendingNoStartTime) {
  const auto jobs = parsed_squeue("jobs-squeue.finished.txt");
  const JobInfo& job = with_id(jobs, "61");
  EXPECT_EQ(job.state, JobState::cancelled);
  EXPECT_EQ(job.start_time, std::nullopt);
  EXPECT_EQ(job.end_time, at(1795944117));
  EXPECT_EQ(job.cancelled_by, std::nullopt) << "only sacct says who";
}

TEST(SqueueJobs, TreatsASingleIdNoLongerKnownAsNotInTheQueue) {
  const auto runs = captured_runs("jobs-squeue.unknown-ids.txt");
  ASSERT_EQ(runs.size(), 3u);
  const auto single = read_squeue_jobs(runs[0]);
  ASSERT_TRUE(single.has_value()) << single.error().message;
  EXPECT_TRUE(single->empty());
  const auto both_gone = read_squeue_jobs(runs[1]);
  ASSERT_TRUE(both_gone.has_value());
  EXPECT_TRUE(both_gone->empty());
  const auto one_left = read_squeue_jobs(runs[2]);
  ASSERT_TRUE(one_left.has_value());
  ASSERT_EQ(one_left->size(), 1u);
  EXPECT_EQ(not_listed({"27", "55"}, *one_left), std::vector<std::string>{"27"});
}

TEST(SqueueJobs, ReadingIntoAReusedListGivesWhatAFreshReadGives) {
  // Each capture overwrites jobs left by the previous one (array tasks, cancellers, reasons,
  // more or fewer lines), so a field a line lacks must not keep an earlier job's value.
  JobRows reused;
  for (const auto* file :
       {"jobs-squeue.active.txt", "jobs-squeue.finished.txt", "jobs-squeue.completing.txt",
        "jobs-squeue.requeued.txt", "jobs-squeue.active.txt", "24.11/jobs-squeue.mixed.txt",
        "22.05/jobs-squeue.mixed.txt"}) {
    const remote::Output output{0, captured(file), ""};
    const auto fresh = read_squeue_jobs(output);
    ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
    const auto read = read_squeue_rows(output, reused);
    ASSERT_TRUE(read.has_value()) << read.error().message;
    EXPECT_EQ(reused.jobs, *fresh) << file;
    EXPECT_TRUE(reused.failures.empty()) << file;
  }
  const auto runs = captured_runs("jobs-squeue.unknown-ids.txt");
  ASSERT_TRUE(read_squeue_rows(runs[0], reused));
  EXPECT_TRUE(reused.jobs.empty());
  const remote::Output unavailable{
      1, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n"};
  EXPECT_FALSE(read_squeue_rows(unavailable, reused));
}

TEST(SqueueJobs, ReportsAControllerThatDoesNotAnswerAsUnavailable) {
  const remote::Output output{
      1, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n"};
  const auto jobs = read_squeue_jobs(output);
  ASSERT_FALSE(jobs.has_value());
  EXPECT_EQ(jobs.error().code, core::ErrorCode::slurm_unavailable);
}

TEST(SqueueJobs, FindsAJobByTheKeyInItsNameOrComment) {
  const auto runs = captured_runs("jobs-squeue.by-name.txt");
  ASSERT_EQ(runs.size(), 2u);
  const auto found = read_squeue_jobs(runs[0]);
  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_EQ(find_by_key(*found, "capture-held2").size(), 1u);
  EXPECT_EQ(find_by_key(*found, "sortie:key-held2").size(), 1u);
  EXPECT_TRUE(find_by_key(*found, "sortie:key-other").empty());
  const auto none = read_squeue_jobs(runs[1]);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST(SqueueJobs, FailsNamingTheLineWhenFieldsAreMissing) {
  const auto jobs = parse_squeue_jobs("\n12|~|12|~|N/A|~|RUNNING|~|\n");
  ASSERT_FALSE(jobs.has_value());
  EXPECT_EQ(jobs.error().code, core::ErrorCode::parse_error);
  EXPECT_NE(jobs.error().message.find("line 2"), std::string::npos) << jobs.error().message;
}

TEST(SqueueJobs, FailsOnAStateSlurmDoesNotHave) {
  std::string line = captured("jobs-squeue.completing.txt");
  line.replace(line.find("COMPLETING"), 10, "DANCING");
  const auto jobs = parse_squeue_jobs(line);
  ASSERT_FALSE(jobs.has_value());
  EXPECT_NE(jobs.error().message.find("DANCING"), std::string::npos);
}

TEST(SqueueJobs, BuildsOneCallForManyIdsWithTimesInUnixSeconds) {
  const auto command = squeue_jobs({"12", "13_4"});
  ASSERT_GE(command.argv.size(), 4u);
  EXPECT_EQ(command.argv[0], "env");
  EXPECT_EQ(command.argv[1], "SLURM_TIME_FORMAT=%s");
  EXPECT_EQ(command.argv[2], "squeue");
  EXPECT_EQ(command.argv.back(), "--jobs=12,13_4");
  const std::vector<std::string> expected_flags{"-h", "-r", "-t", "all"};
  EXPECT_EQ(std::vector<std::string>(command.argv.begin() + 3, command.argv.begin() + 7),
            expected_flags);
  EXPECT_EQ(command.argv[7],
            "--Format=JobArrayID:|~|,ArrayJobID:|~|,ArrayTaskID:|~|,State:|~|,Reason:|~|,"
            "UserName:|~|,Partition:|~|,SubmitTime:|~|,StartTime:|~|,EndTime:|~|,TimeUsed:|~|,"
            "TimeLimit:|~|,exit_code:|~|,NodeList:|~|,WorkDir:|~|,STDOUT:|~|,STDERR:|~|,"
            "Comment:|~|,Name:|~|");
}

TEST(SqueueJobs, BuildsOneLookupByUserForAllNames) {
  const auto command = squeue_by_names("researcher", {"sortie-3f2a", "sortie-77b0"});
  ASSERT_GE(command.argv.size(), 2u);
  EXPECT_EQ(command.argv[command.argv.size() - 2], "--user=researcher");
  EXPECT_EQ(command.argv.back(), "--name=sortie-3f2a,sortie-77b0");
}

TEST(NotListed, CountsAWholeArrayAsListedWhenAnyTaskIs) {
  JobInfo task;
  task.job_id = "40_0";
  task.array_job_id = "40";
  JobInfo plain;
  plain.job_id = "41";
  EXPECT_EQ(not_listed({"40", "41", "42", "40_1"}, {task, plain}),
            (std::vector<std::string>{"42", "40_1"}));
}

TEST(SacctJobs, ParsesEveryWayTheCapturedJobsEnded) {
  const auto jobs = parsed_sacct("jobs-sacct.done.txt");
  ASSERT_EQ(jobs.size(), 20u);
  const JobInfo& timeout = with_id(jobs, "26");
  EXPECT_EQ(timeout.state, JobState::timeout);
  EXPECT_EQ(timeout.elapsed, seconds(80));
  EXPECT_EQ(timeout.time_limit, minutes(1));
  EXPECT_EQ(timeout.start_time, at(1795943940));
  EXPECT_EQ(timeout.end_time, at(1795944020));
  EXPECT_EQ(timeout.nodes, "gpu-1");
  EXPECT_EQ(timeout.work_dir, "/home/researcher");

  EXPECT_EQ(with_id(jobs, "27").state, JobState::completed);
  EXPECT_EQ(with_id(jobs, "27").exit_code, 0);
  const JobInfo& exit3 = with_id(jobs, "28");
  EXPECT_EQ(exit3.state, JobState::failed);
  EXPECT_EQ(exit3.exit_code, 3);
  EXPECT_EQ(exit3.signal, 0);
  const JobInfo& killed = with_id(jobs, "29");
  EXPECT_EQ(killed.state, JobState::failed);
  EXPECT_EQ(killed.exit_code, 0);
  EXPECT_EQ(killed.signal, 9);
  EXPECT_EQ(with_id(jobs, "44").signal, 53) << "--output into a missing directory";
  EXPECT_EQ(with_id(jobs, "30").name, "capture-pipe|name with spaces");
}

TEST(SacctJobs, SaysWhoCancelledAJob) {
  const auto jobs = parsed_sacct("jobs-sacct.done.txt");
  const JobInfo& by_user = with_id(jobs, "34");
  EXPECT_EQ(by_user.state, JobState::cancelled);
  EXPECT_EQ(by_user.cancelled_by, "1001");
  EXPECT_EQ(by_user.elapsed, seconds(41));
  EXPECT_EQ(with_id(jobs, "37").cancelled_by, "0");
  EXPECT_EQ(with_id(jobs, "27").cancelled_by, std::nullopt);
}

TEST(SacctJobs, GivesAJobCancelledWhilePendingNoStartAndNoNodes) {
  const auto jobs = parsed_sacct("jobs-sacct.done.txt");
  const JobInfo& job = with_id(jobs, "36");
  EXPECT_EQ(job.state, JobState::cancelled);
  EXPECT_EQ(job.start_time, std::nullopt);
  EXPECT_EQ(job.end_time, at(1795944052));
  EXPECT_EQ(job.nodes, "");
}

TEST(SacctJobs, ParsesArrayTasksAndAPendingRangeAsOneRecord) {
  const auto jobs = parsed_sacct("jobs-sacct.done.txt");
  for (std::int64_t task = 0; task < 3; ++task) {
    const JobInfo& job = with_id(jobs, fmt::format("31_{}", task));
    EXPECT_EQ(job.array_job_id, "31");
    EXPECT_EQ(job.array_task_id, task);
    EXPECT_EQ(job.state, JobState::completed);
  }
  const JobInfo& range = with_id(jobs, "38_[0-3]");
  EXPECT_EQ(range.array_job_id, "38");
  EXPECT_EQ(range.array_task_id, std::nullopt);
  EXPECT_EQ(range.array_task_range, "0-3");
  EXPECT_EQ(range.state, JobState::cancelled);
  EXPECT_EQ(not_listed({"31", "38", "40"}, jobs), std::vector<std::string>{});
}

TEST(SacctJobs, LeavesCommentsEmptyWhenTheClusterDoesNotStoreThem) {
  for (const auto& job : parsed_sacct("jobs-sacct.done.txt")) EXPECT_EQ(job.comment, "");
}

TEST(SacctJobs, ReadsARequeuedJobStillPendingWithoutAnEndOrExitCode) {
  const auto jobs = parsed_sacct("jobs-sacct.done.txt");
  const JobInfo& job = with_id(jobs, "45");
  EXPECT_EQ(job.state, JobState::pending);
  EXPECT_EQ(job.reason, "BeginTime");
  EXPECT_EQ(job.exit_code, std::nullopt);
  EXPECT_EQ(job.end_time, std::nullopt);
}

TEST(SacctJobs, ListsEachRunOfARequeuedJobWithDuplicates) {
  const auto jobs = parsed_sacct("jobs-sacct.requeued-D.txt");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].state, JobState::requeued);
  EXPECT_EQ(jobs[0].nodes, "l40-1");
  EXPECT_EQ(jobs[1].state, JobState::cancelled);
}

TEST(SacctJobs, FindsAJobByName) {
  const auto jobs = parsed_sacct("jobs-sacct.by-name.txt");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].job_id, "28");
  EXPECT_EQ(find_by_key(jobs, "capture-exit3").size(), 1u);
}

TEST(SacctJobs, ParsesEndStatesTheSandboxCannotProduce) {
  struct Case {
    std::string_view state;
    JobState expected;
  };
  for (const auto& [text, expected] :
       {Case{"OUT_OF_MEMORY", JobState::out_of_memory}, Case{"NODE_FAIL", JobState::node_fail},
        Case{"PREEMPTED", JobState::preempted}, Case{"BOOT_FAIL", JobState::boot_fail},
        Case{"DEADLINE", JobState::deadline}, Case{"SUSPENDED", JobState::suspended},
        Case{"REQUEUED", JobState::requeued}}) {
    const auto jobs = parse_sacct_jobs(sacct_line("77", text, "0:125"));
    ASSERT_TRUE(jobs.has_value()) << text << ": " << jobs.error().message;
    ASSERT_EQ(jobs->size(), 1u);
    EXPECT_EQ((*jobs)[0].state, expected) << text;
  }
  const auto oom = parse_sacct_jobs(sacct_line("77", "OUT_OF_MEMORY", "0:125"));
  ASSERT_TRUE(oom.has_value());
  EXPECT_EQ((*oom)[0].signal, 125);
}

TEST(SacctJobs, SkipsStepRows) {
  const std::string text = sacct_line("77", "COMPLETED", "0:0") +
                           sacct_line("77.batch", "COMPLETED", "0:0") +
                           sacct_line("77.extern", "COMPLETED", "0:0");
  const auto jobs = parse_sacct_jobs(text);
  ASSERT_TRUE(jobs.has_value()) << jobs.error().message;
  EXPECT_EQ(jobs->size(), 1u);
}

TEST(SacctJobs, KeepsAStrayDelimiterInsideTheJobName) {
  std::string line = sacct_line("77", "COMPLETED", "0:0");
  line.insert(line.size() - 1, "|~|odd");
  const auto jobs = parse_sacct_jobs(line);
  ASSERT_TRUE(jobs.has_value()) << jobs.error().message;
  EXPECT_EQ((*jobs)[0].name, "train|~|odd");
}

TEST(SacctJobs, FailsNamingTheLineOnABadExitCode) {
  const auto jobs = parse_sacct_jobs(sacct_line("77", "FAILED", "3"));
  ASSERT_FALSE(jobs.has_value());
  EXPECT_EQ(jobs.error().code, core::ErrorCode::parse_error);
  EXPECT_NE(jobs.error().message.find("sacct, line 1"), std::string::npos);
}

TEST(SacctJobs, ReportsDisabledAccountingAsAnAnswerNotAnError) {
  const remote::Output output{1, "", "Slurm accounting storage is disabled\n"};
  const auto answer = read_sacct_jobs(output);
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->accounting, Accounting::disabled);
  EXPECT_TRUE(answer->jobs.empty());
}

TEST(SacctJobs, ReportsAnUnreachableDatabaseAsUnavailable) {
  const remote::Output output{
      1, "", "sacct: error: Problem talking to the database: Connection refused\n"};
  const auto answer = read_sacct_jobs(output);
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().code, core::ErrorCode::slurm_unavailable);
}

TEST(SacctJobs, BuildsOneCallWithABoundedStartTime) {
  const auto command = sacct_jobs({"12", "13"}, minutes(90));
  const std::vector<std::string> expected{"env",
                                          "SLURM_TIME_FORMAT=%s",
                                          "sacct",
                                          "-n",
                                          "-P",
                                          "-X",
                                          "--delimiter=|~|",
                                          "--format=JobID,JobIDRaw,State,ExitCode,Reason,User,"
                                          "Partition,Submit,Start,End,ElapsedRaw,TimelimitRaw,"
                                          "NodeList,WorkDir,Comment,JobName",
                                          "--starttime=now-90minutes",
                                          "--jobs=12,13"};
  EXPECT_EQ(command.argv, expected);
  EXPECT_EQ(sacct_jobs({"12"}, minutes(0)).argv[8], "--starttime=now-1minutes");
  const auto by_name = sacct_by_names("researcher", {"sortie-3f2a", "sortie-77b0"}, minutes(60));
  EXPECT_EQ(by_name.argv.back(), "--name=sortie-3f2a,sortie-77b0");
  EXPECT_EQ(by_name.argv[by_name.argv.size() - 2], "--user=researcher");
}

TEST(ScontrolJobs, ParsesPendingRunningAndArrayRecords) {
  const auto jobs = parsed_scontrol("jobs-scontrol.active.txt");
  ASSERT_EQ(jobs.size(), 9u);
  const JobInfo& running = with_id(jobs, "34");
  EXPECT_EQ(running.state, JobState::running);
  EXPECT_EQ(running.user, "researcher");
  EXPECT_EQ(running.partition, "gpu") << "AllocNode:Sid= must not run into Partition=";
  EXPECT_EQ(running.nodes, "a100-1");
  EXPECT_EQ(running.comment, "sortie:key-run");
  EXPECT_EQ(running.stdout_path, "/dev/null");
  EXPECT_EQ(running.time_limit, minutes(60));
  EXPECT_EQ(with_id(jobs, "35").reason, "Resources");

  const JobInfo& range = with_id(jobs, "38_[0-3]");
  EXPECT_EQ(range.array_job_id, "38");
  EXPECT_EQ(range.array_task_range, "0-3");
  EXPECT_EQ(range.state, JobState::pending);
  const JobInfo& task = with_id(jobs, "40_0");
  EXPECT_EQ(task.array_job_id, "40");
  EXPECT_EQ(task.array_task_id, 0);
  EXPECT_EQ(task.nodes, "h100-1");
}

TEST(ScontrolJobs, KeepsKeyLikeWordsInsideAFreeTextComment) {
  const auto jobs = parsed_scontrol("jobs-scontrol.active.txt");
  const JobInfo& job = with_id(jobs, "39");
  EXPECT_EQ(job.name, "capture-pipe|name with spaces");
  EXPECT_EQ(job.comment, "sortie:key-pipe StdOut=/fake a|b  two");
  EXPECT_EQ(job.stdout_path, "/dev/null");
  EXPECT_EQ(job.work_dir, "/home/researcher");
}

TEST(ScontrolJobs, ParsesFinishedJobsWithExitCodeAndReason) {
  const auto jobs = parsed_scontrol("jobs-scontrol.finished.txt");
  ASSERT_EQ(jobs.size(), 6u);
  const JobInfo& exit3 = with_id(jobs, "59");
  EXPECT_EQ(exit3.state, JobState::failed);
  EXPECT_EQ(exit3.exit_code, 3);
  EXPECT_EQ(exit3.reason, "NonZeroExitCode");
  EXPECT_EQ(with_id(jobs, "60").signal, 9);
  EXPECT_EQ(with_id(jobs, "62_1").exit_code, 1);
  EXPECT_EQ(with_id(jobs, "61").start_time, std::nullopt);

  const auto cancelled = parsed_scontrol("jobs-scontrol.cancelled-running.txt");
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].state, JobState::cancelled);
  EXPECT_EQ(cancelled[0].signal, 9);
  EXPECT_EQ(cancelled[0].elapsed, seconds(23));
}

TEST(ScontrolJobs, ReadsSlurmsDefaultLocalTimesWithTheGivenOffset) {
  const auto jobs =
      parse_scontrol_jobs(captured("scontrol-show-job.busy.txt"), std::chrono::hours(1));
  ASSERT_TRUE(jobs.has_value()) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 14u);
  // SubmitTime=2026-11-29T09:00:27 one hour ahead of UTC is 08:00:27 UTC.
  EXPECT_EQ(with_id(*jobs, "34").submit_time, at(1795942827 - 3600));
  EXPECT_EQ(with_id(*jobs, "35").exit_code, 3);
  EXPECT_EQ(with_id(*jobs, "46_[0-3]").reason, "ReqNodeNotAvail,_UnavailableNodes:l40-1");
}

TEST(ScontrolJobs, SaysPlainlyWhenAFinalStateCannotBeLearned) {
  const auto message = final_state_unknown("27");
  EXPECT_NE(message.find("cannot be learned"), std::string::npos);
  EXPECT_NE(message.find("job 27"), std::string::npos);
  EXPECT_NE(message.find("output files"), std::string::npos);
}

TEST(ScontrolJobs, ReadsEveryJobOfOneCallAndNoJobsAsAnEmptyList) {
  const auto all = read_scontrol_jobs({0, captured("scontrol-show-job.busy.txt"), ""});
  ASSERT_TRUE(all.has_value()) << all.error().message;
  EXPECT_EQ(all->size(), 14u);
  const auto none = read_scontrol_jobs({0, "No jobs in the system\n", ""});
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_TRUE(none->empty());
}

TEST(ScontrolJobs, AsksForAllJobsInOneCommand) {
  EXPECT_EQ(scontrol_show_jobs().argv, (std::vector<std::string>{"env", "SLURM_TIME_FORMAT=%s",
                                                                 "scontrol", "-o", "show", "job"}));
}

TEST(SlurmTime, ReadsUnixSecondsAndLocalTimes) {
  EXPECT_EQ(parse_slurm_time("1795943940").value(), at(1795943940));
  EXPECT_EQ(parse_slurm_time("2026-11-29T09:19:00").value(), at(1795943940));
  EXPECT_EQ(parse_slurm_time("2026-11-29T10:19:00", std::chrono::hours(1)).value(), at(1795943940));
  EXPECT_EQ(parse_slurm_time("2024-02-29T00:00:00").value(), at(1709164800));
  for (const auto* none : {"Unknown", "None", "N/A", ""}) {
    EXPECT_EQ(parse_slurm_time(none).value(), std::nullopt) << none;
  }
  for (const auto* bad : {"2026-11-29 09:19:00", "2026-13-01T00:00:00", "soon", "-5"}) {
    EXPECT_FALSE(parse_slurm_time(bad).has_value()) << bad;
  }
}

TEST(Elapsed, ReadsEveryFormSqueueAndScontrolPrint) {
  EXPECT_EQ(parse_elapsed("0:48").value(), seconds(48));
  EXPECT_EQ(parse_elapsed("1:00").value(), seconds(60));
  EXPECT_EQ(parse_elapsed("1:02:03").value(), seconds(3723));
  EXPECT_EQ(parse_elapsed("00:00:36").value(), seconds(36));
  EXPECT_EQ(parse_elapsed("2-01:00:00").value(), seconds(2 * 86400 + 3600));
  for (const auto* bad : {"", "12", "1:2:3:4", "a:bc", "INVALID"}) {
    EXPECT_FALSE(parse_elapsed(bad).has_value()) << bad;
  }
}

TEST(ArrayRangeTasks, ReadsRangesListsStepsAndIgnoresTheRunningLimit) {
  EXPECT_EQ(array_range_tasks("2-5%2"), (std::vector<std::int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(array_range_tasks("2,4-5"), (std::vector<std::int64_t>{2, 4, 5}));
  EXPECT_EQ(array_range_tasks("0-10:5"), (std::vector<std::int64_t>{0, 5, 10}));
  EXPECT_EQ(array_range_tasks("7"), (std::vector<std::int64_t>{7}));
  EXPECT_EQ(array_range_tasks("5,1-2,2"), (std::vector<std::int64_t>{1, 2, 5}));
}

TEST(ArrayRangeTasks, RefusesWhatIsNotARangeAndRangesTooLargeToList) {
  for (const char* text : {"", "x", "3-1", "1-", "-1", "1-3%", "1-3:0", "1,,2", "[1-3]"}) {
    EXPECT_EQ(array_range_tasks(text), std::nullopt) << text;
  }
  EXPECT_EQ(array_range_tasks("0-99", 10), std::nullopt);
}

TEST(SqueueJobs, ListsEveryTaskOfAnArrayWithRAndThePendingRemainderAsARangeWithout) {
  const auto with_r = parse_squeue_jobs(captured("jobs-squeue.array-early.txt"));
  ASSERT_TRUE(with_r) << with_r.error().message;
  ASSERT_EQ(with_r->size(), 6u);
  for (const auto& task : *with_r) {
    EXPECT_EQ(task.array_job_id, "1632");
    ASSERT_TRUE(task.array_task_id);
    EXPECT_EQ(task.state, *task.array_task_id < 2 ? JobState::running : JobState::pending);
    if (*task.array_task_id >= 2) {
      EXPECT_EQ(task.reason, "JobArrayTaskLimit");
    }
  }
  const auto without_r = parse_squeue_jobs(captured("jobs-squeue.array-ranges.txt"));
  ASSERT_TRUE(without_r) << without_r.error().message;
  ASSERT_EQ(without_r->size(), 3u);
  EXPECT_EQ(without_r->front().job_id, "1632_[2-5%2]");
  EXPECT_EQ(without_r->front().array_task_range, "2-5%2");
  EXPECT_EQ(array_range_tasks(without_r->front().array_task_range),
            (std::vector<std::int64_t>{2, 3, 4, 5}));
}

TEST(SacctJobs, ReadsAnArraysPendingRemainderAndAWholeArrayCancelledBeforeItsTasksStarted) {
  const auto early = parse_sacct_jobs(captured("jobs-sacct.array-early.txt"));
  ASSERT_TRUE(early) << early.error().message;
  ASSERT_EQ(early->size(), 3u);
  EXPECT_EQ((*early)[2].array_task_range, "2-5%2");
  EXPECT_EQ((*early)[2].state, JobState::pending);
  const auto cancelled = parse_sacct_jobs(captured("jobs-sacct.array-cancelled.txt"));
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  ASSERT_EQ(cancelled->size(), 2u);
  EXPECT_EQ((*cancelled)[1].array_task_range, "1-3%1");
  EXPECT_EQ((*cancelled)[1].state, JobState::cancelled);
  EXPECT_EQ((*cancelled)[1].start_time, std::nullopt);
}

}  // namespace
}  // namespace sortie::slurm

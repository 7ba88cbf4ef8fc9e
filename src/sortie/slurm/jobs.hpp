#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/slurm/job_state.hpp"

// Tracking sortie's jobs: one squeue call per tick for the jobs still in the controller, one
// sacct call for the jobs that left it, `scontrol show job` when accounting is off. Every
// builder asks SLURM for times as Unix seconds (SLURM_TIME_FORMAT=%s), so no parser has to
// guess the cluster's time zone.
//
// Every parser reads what any SLURM from 20.11 to 26.05 prints, whatever version the cluster
// runs (the version never picks a parser): squeue's exit_code as the raw wait status ("768",
// 20.11-22.05) or as "exit:signal" ("3:0", 23.02 on; empty when unknown); time limits
// "UNLIMITED", "NOT_SET", "Partition_Limit", "INVALID" or "1-00:00:00"; times as Unix seconds,
// "2026-11-29T09:12:03", "Unknown", "None", "NONE" or "N/A"; paths "(null)" (24.05 on prints
// an unset --error so) or empty; states with the flags of any version (job_state.hpp). Where each
// form comes from is in tests/unit/slurm/jobs_test.cpp.
//
// A row that cannot be read all the same never hides the others: the *_rows parsers return
// every job they could read and one RowFailure per row they could not.
namespace sortie::slurm {

// What SLURM knows about one job, or one array task, from squeue, sacct or scontrol.
struct JobInfo {
  // "123"; "123_4" for an array task; "123_[0-3]" for array tasks that have not started yet and
  // that SLURM still lists as one record (sacct, scontrol).
  std::string job_id;
  std::string array_job_id;                   // "123" for array tasks; empty for other jobs
  std::optional<std::int64_t> array_task_id;  // 4 for "123_4"
  std::string array_task_range;               // "0-3" for "123_[0-3]"; empty otherwise
  std::string name;
  std::string comment;  // empty from sacct unless the cluster stores comments (see README)
  std::string user;
  std::string partition;
  JobState state = JobState::pending;
  // Why the job waits ("Resources", "Priority", "JobHeldUser", ...), or how it ended per
  // scontrol ("NonZeroExitCode"); empty for SLURM's "None". sacct keeps the last reason a job
  // waited for even after it ran.
  std::string reason;
  // Set for jobs in a final state only: the exit status of the batch script and the signal
  // that killed it (0 when none). "3:0" is exit 3; "0:9" is signal 9.
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::optional<std::string> cancelled_by;  // sacct's "CANCELLED by 1001": "1001" (a uid)
  std::optional<std::chrono::system_clock::time_point> submit_time;
  // When the job really started and ended: nullopt for a job that has not (SLURM's forecasts
  // for pending and running jobs are dropped), and start is nullopt for a job cancelled before
  // it ever got nodes.
  std::optional<std::chrono::system_clock::time_point> start_time;
  std::optional<std::chrono::system_clock::time_point> end_time;
  std::string nodes;  // node list expression, e.g. "h100-[1-2]"; empty before allocation
  std::optional<std::chrono::seconds> elapsed;  // nullopt when SLURM prints INVALID
  // nullopt for UNLIMITED, and for a job with no limit of its own or none SLURM can print
  // (Partition_Limit, NOT_SET, INVALID).
  std::optional<std::chrono::minutes> time_limit;
  std::string work_dir;
  // squeue and scontrol only (sacct 22.05 does not know them), as SLURM prints them: squeue
  // leaves %j-style patterns as given, scontrol expands them; squeue up to 23.11 prints the
  // stdout path for an unset stderr, 24.05 on "(null)", which is empty here.
  std::string stdout_path;
  std::string stderr_path;

  friend bool operator==(const JobInfo&, const JobInfo&) = default;
};

// One row of SLURM's answer that could not be read: enough to say which job it was about and
// what in it could not be read.
struct RowFailure {
  std::string job_id;    // "123" or "123_4" as SLURM printed it; empty when that is unreadable
  std::string command;   // "squeue", "sacct" or "scontrol show job"
  std::size_t line = 0;  // 1-based line of the command's output
  std::string field;     // the field as the command names it ("exit_code", "ExitCode")
  std::string value;     // what SLURM printed there (at most 160 characters)
  std::string problem;   // why it cannot be read

  friend bool operator==(const RowFailure&, const RowFailure&) = default;
};

// "squeue, field exit_code, value 'x', SLURM 24.11.5": the failure as the user is told it, with
// the cluster's SLURM version ("SLURM version unknown" when `slurm_version` is empty).
std::string describe(const RowFailure& failure, std::string_view slurm_version);

// A JobInfo holding only what `job_id` names ("123"; "123_4" and "123_[0-3]" also fill the
// array fields), e.g. to find the job a RowFailure is about.
JobInfo job_named(std::string_view job_id);

// What one run of squeue, sacct or scontrol said: the jobs whose rows could be read, in order,
// and one failure per row that could not.
struct JobRows {
  std::vector<JobInfo> jobs;
  std::vector<RowFailure> failures;
};

// The field separator of the squeue and sacct formats below. Several characters, so a '|' in a
// job name, comment or path does not shift the fields; free-text fields come last.
inline constexpr std::string_view kJobFieldDelimiter = "|~|";

// The squeue `--Format` fields read by parse_squeue_jobs(), in order; each is printed followed
// by kJobFieldDelimiter.
inline constexpr std::string_view kSqueueJobFields =
    "JobArrayID,ArrayJobID,ArrayTaskID,State,Reason,UserName,Partition,SubmitTime,StartTime,"
    "EndTime,TimeUsed,TimeLimit,exit_code,NodeList,WorkDir,STDOUT,STDERR,Comment,Name";

// The sacct `--format` fields read by parse_sacct_jobs(), in order, separated by
// kJobFieldDelimiter.
inline constexpr std::string_view kSacctJobFields =
    "JobID,JobIDRaw,State,ExitCode,Reason,User,Partition,Submit,Start,End,ElapsedRaw,"
    "TimelimitRaw,NodeList,WorkDir,Comment,JobName";

// Parses a time as SLURM prints it: Unix seconds (with SLURM_TIME_FORMAT=%s, as every builder
// here asks) or the default local time "2026-11-29T09:12:03", read as `utc_offset` ahead of
// UTC. "Unknown" (0 or INFINITE), "None" (NO_VAL), "NONE" (squeue's end of a job without a
// limit), "N/A" and "" give nullopt. Fails with parse_error on anything else.
core::Result<std::optional<std::chrono::system_clock::time_point>> parse_slurm_time(
    std::string_view text, std::chrono::seconds utc_offset = {});

// Parses an elapsed time as squeue and scontrol print it ("0:48", "1:02:03", "1-00:00:00",
// "00:00:36") into seconds. Fails with parse_error on anything else.
core::Result<std::chrono::seconds> parse_elapsed(std::string_view text);

// `squeue -h -r -t all -j ID,ID,... --Format=...`: one call for many jobs, one line per job
// or array task, finished ones included while the controller still holds them (MinJobAge).
// Ids are "123" or "123_4"; an array's id lists all its tasks. Asserts on an empty list or an
// id that is not of that form.
remote::Command squeue_jobs(const std::vector<std::string>& job_ids);

// `squeue -h -r -t all -u USER --name=KEY,KEY,... --Format=...`: the jobs of `user` named by
// any of `keys`, for settling in one call whether submissions whose answer was lost reached
// SLURM. (squeue cannot filter on the comment; find_by_key() also matches it on the parsed
// jobs.) Asserts on an empty list.
remote::Command squeue_by_names(std::string_view user, const std::vector<std::string>& keys);

// Parses the output of squeue_jobs() / squeue_by_names(); `utc_offset` as for
// parse_slurm_time(). Empty output is no jobs. A line without the fields of kSqueueJobFields, or
// with a value no SLURM prints, is a failure of that line alone.
JobRows parse_squeue_rows(std::string_view output, std::chrono::seconds utc_offset = {});

// parse_squeue_rows() for a caller that needs every row: fails with parse_error naming the line
// and field of the first row that cannot be read.
core::Result<std::vector<JobInfo>> parse_squeue_jobs(std::string_view output,
                                                     std::chrono::seconds utc_offset = {});

// check() and parse_squeue_rows() on one squeue run. squeue given a single id it no longer
// knows exits 1 with "Invalid job id specified" (with several ids it just omits them): that is
// no jobs, not an error. Use not_listed() to learn which ids left the queue. Fails only when
// squeue itself failed.
core::Result<JobRows> read_squeue_rows(const remote::Output& output);

// read_squeue_rows() into `rows`, which is replaced whole (on failure its contents are
// unspecified). For a caller that reads squeue on every tick: the elements and their strings
// keep their memory from one call to the next, so a steady answer allocates nothing.
core::Result<void> read_squeue_rows(const remote::Output& output, JobRows& rows);

// read_squeue_rows() for a caller that needs every row (fails as parse_squeue_jobs() does).
core::Result<std::vector<JobInfo>> read_squeue_jobs(const remote::Output& output);

// The ids of `job_ids` that no job in `jobs` answers to (by job_id, or by array_job_id for a
// whole array): the jobs to ask sacct about. Keeps the order of `job_ids`.
std::vector<std::string> not_listed(const std::vector<std::string>& job_ids,
                                    const std::vector<JobInfo>& jobs);

// The task indexes an array range names, as squeue and sacct print the tasks not started yet
// ("0-5%2", "2,4-5", "0-10:2", "7"; a `%N` limit is ignored), ascending without repeats. nullopt
// when the text is not such a range or names more than `max_tasks` tasks.
std::optional<std::vector<std::int64_t>> array_range_tasks(std::string_view range,
                                                           std::size_t max_tasks = 1'000'000);

// The jobs whose name is `key` or whose comment contains it, in their order.
std::vector<JobInfo> find_by_key(const std::vector<JobInfo>& jobs, std::string_view key);

// `sacct -n -P -X --delimiter=... --starttime=now-Nminutes -j ID,... --format=...`: the
// allocation record of each job (one row per array task, the last run of a requeued job; see
// README), for jobs submitted, started or ended in the last `lookback` (rounded up to whole
// minutes, at least one). Asserts as squeue_jobs() does.
remote::Command sacct_jobs(const std::vector<std::string>& job_ids, std::chrono::minutes lookback);

// `sacct ... -u USER --name=KEY,KEY,...`: the jobs of `user` named by any of `keys` in the last
// `lookback`. The comment cannot be searched: sacct 22.05 only records it with
// AccountingStoreFlags=job_comment. Asserts on an empty list.
remote::Command sacct_by_names(std::string_view user, const std::vector<std::string>& keys,
                               std::chrono::minutes lookback);

// Parses the output of sacct_jobs() / sacct_by_names(). Step rows ("123.batch") are skipped. A
// malformed line is a failure of that line alone.
JobRows parse_sacct_rows(std::string_view output, std::chrono::seconds utc_offset = {});

// parse_sacct_rows() for a caller that needs every row: fails with parse_error naming the line
// and field of the first row that cannot be read.
core::Result<std::vector<JobInfo>> parse_sacct_jobs(std::string_view output,
                                                    std::chrono::seconds utc_offset = {});

// Whether the cluster keeps accounting records sacct can answer from.
enum class Accounting { enabled, disabled };

// What one sacct run said.
struct SacctAnswer {
  Accounting accounting = Accounting::enabled;
  std::vector<JobInfo> jobs;         // empty when accounting is disabled
  std::vector<RowFailure> failures;  // the rows that could not be read
};

// check() and parse_sacct_rows() on one sacct run; "accounting storage is disabled" is an answer
// (Accounting::disabled: fall back to scontrol_show_job()), not an error. Fails only when sacct
// itself failed.
core::Result<SacctAnswer> read_sacct_rows(const remote::Output& output);

// read_sacct_rows() for a caller that needs every row: fails with parse_error on the first row
// that cannot be read.
core::Result<SacctAnswer> read_sacct_jobs(const remote::Output& output);

// `scontrol -o show job`: every job the controller still holds, in one call (scontrol takes at
// most one id, and one call per job would grow with the number of jobs).
remote::Command scontrol_show_jobs();

// Parses `scontrol -o show job` output: one record per line (an array lists one per task, and
// one "123_[0-3]" record for its tasks not started yet). A line that is not Key=Value fields
// with a JobId, or holds a value no SLURM prints, is a failure of that line alone.
JobRows parse_scontrol_rows(std::string_view output, std::chrono::seconds utc_offset = {});

// parse_scontrol_rows() for a caller that needs every row: fails with parse_error naming the
// line and field of the first record that cannot be read.
core::Result<std::vector<JobInfo>> parse_scontrol_jobs(std::string_view output,
                                                       std::chrono::seconds utc_offset = {});

// check() and parse_scontrol_rows() on one scontrol_show_jobs() run ("No jobs in the system"
// is no jobs). Fails only when scontrol itself failed.
core::Result<JobRows> read_scontrol_rows(const remote::Output& output);

// read_scontrol_rows() for a caller that needs every row (fails as parse_scontrol_jobs()).
core::Result<std::vector<JobInfo>> read_scontrol_jobs(const remote::Output& output);

// What to tell the user about a job that neither squeue, sacct (accounting off) nor scontrol
// knows any more: that its final state cannot be learned, and where to look instead.
std::string final_state_unknown(std::string_view job_id);

}  // namespace sortie::slurm

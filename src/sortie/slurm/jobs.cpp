#include "sortie/slurm/jobs.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <ctime>
#include <iterator>
#include <span>
#include <type_traits>

#include "sortie/slurm/commands.hpp"
#include "sortie/slurm/fields.hpp"
#include "sortie/slurm/time.hpp"

namespace sortie::slurm {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

bool contains(std::string_view text, std::string_view word) {
  return text.find(word) != std::string_view::npos;
}

bool is_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "123" or "123_4": the only ids the builders pass on, so nothing else reaches the shell.
[[maybe_unused]] bool is_job_id(std::string_view id) {
  const auto underscore = id.find('_');
  if (underscore == std::string_view::npos) return is_digits(id);
  return is_digits(id.substr(0, underscore)) && is_digits(id.substr(underscore + 1));
}

std::string joined_ids(const std::vector<std::string>& job_ids) {
  assert(!job_ids.empty());
  std::string ids;
  for (const auto& id : job_ids) {
    assert(is_job_id(id));
    if (!ids.empty()) ids += ',';
    ids += id;
  }
  return ids;
}

std::string squeue_format() {
  std::string format;
  std::string_view fields = kSqueueJobFields;
  while (true) {
    const auto comma = fields.find(',');
    if (!format.empty()) format += ',';
    format += fields.substr(0, comma);
    format += ':';
    format += kJobFieldDelimiter;
    if (comma == std::string_view::npos) break;
    fields.remove_prefix(comma + 1);
  }
  return format;
}

constexpr std::size_t field_count(std::string_view fields) {
  return static_cast<std::size_t>(std::count(fields.begin(), fields.end(), ',')) + 1;
}

constexpr std::size_t kSqueueFieldCount = field_count(kSqueueJobFields);
constexpr std::size_t kSacctFieldCount = field_count(kSacctJobFields);

// Splits one line into exactly `count` fields at kJobFieldDelimiter. With `trailing`, every
// field is followed by the delimiter (squeue's suffix); otherwise it only separates them (sacct).
// Surplus delimiters can only come from free text, so they stay inside the last field (the job
// name). Returns false when the line has too few fields.
bool split_fields(std::string_view line, std::span<std::string_view> fields, bool trailing) {
  constexpr std::string_view delimiter = kJobFieldDelimiter;
  if (trailing) {
    if (!line.ends_with(delimiter)) return false;
    line.remove_suffix(delimiter.size());
  }
  for (std::size_t i = 0; i + 1 < fields.size(); ++i) {
    const auto at = line.find(delimiter);
    if (at == std::string_view::npos) return false;
    fields[i] = line.substr(0, at);
    line.remove_prefix(at + delimiter.size());
  }
  fields[fields.size() - 1] = line;
  return true;
}

bool is_none(std::string_view text) {
  return text == "None" || text == "(null)" || text == "N/A";
}

std::string none_as_empty(std::string_view text) {
  if (is_none(text)) return {};
  return std::string(text);
}

// none_as_empty() into `out`, reusing its memory.
void assign_none_as_empty(std::string& out, std::string_view text) {
  if (is_none(text)) {
    out.clear();
  } else {
    out.assign(text);
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

// Splits "123_4" / "123_[0-3]" into the array fields of `job`.
void set_array_fields(JobInfo& job) {
  const auto underscore = job.job_id.find('_');
  if (underscore == std::string::npos) return;
  job.array_job_id = job.job_id.substr(0, underscore);
  const std::string_view task = std::string_view(job.job_id).substr(underscore + 1);
  if (task.starts_with('[') && task.ends_with(']')) {
    job.array_task_range = std::string(task.substr(1, task.size() - 2));
  } else if (const auto number = detail::parse_count(task)) {
    job.array_task_id = *number;
  }
}

// SLURM's forecasts and leftovers are not facts about the job: drop them.
void keep_facts_only(JobInfo& job) {
  const bool final = is_final(job.state);
  if (!final) {
    job.exit_code.reset();
    job.signal.reset();
    job.end_time.reset();
    if (job.state == JobState::pending) job.start_time.reset();
  }
  // A job cancelled while pending gets start = end = the cancel time in squeue and scontrol.
  if (job.nodes.empty()) job.start_time.reset();
}

// "3:0" (exit:signal) as sacct and scontrol print ExitCode, and squeue's exit_code from 23.02 on.
bool set_exit_pair(JobInfo& job, std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  const auto code = detail::parse_count(text.substr(0, colon));
  const auto signal = detail::parse_count(text.substr(colon + 1));
  if (!code || !signal || *code > 255 || *signal > 255) return false;
  job.exit_code = static_cast<int>(*code);
  job.signal = static_cast<int>(*signal);
  return true;
}

// squeue's exit_code in every form src/squeue/print.c (_print_job_exit_code) printed it: up to
// 22.05 the raw wait status with "%d" ("768" is exit 3, "9" is signal 9, "-2" is NO_VAL: none
// yet); from 23.02 on "exit:signal" ("3:0", "0:9"), and nothing at all for NO_VAL.
bool set_squeue_exit(JobInfo& job, std::string_view text) {
  job.exit_code.reset();
  job.signal.reset();
  if (text.empty() || text == "-2" || text == "N/A") return true;
  if (text.find(':') != std::string_view::npos) return set_exit_pair(job, text);
  constexpr std::int64_t kNoVal = 0xfffffffe;  // NO_VAL printed unsigned
  const auto status = detail::parse_count(text);
  if (!status) return false;
  if (*status == kNoVal) return true;
  if (*status > 0xffff) return false;
  // WIFSIGNALED: the low 7 bits hold the signal (0x7f marks a stopped job, which 23.02 on
  // prints as 0:0); WEXITSTATUS: the next 8 bits.
  const auto low = static_cast<int>(*status & 0x7f);
  const bool signalled = low != 0 && low != 0x7f;
  job.exit_code = signalled || low == 0x7f ? 0 : static_cast<int>((*status >> 8) & 0xff);
  job.signal = signalled ? low : 0;
  return true;
}

// "123", "123_4" or "123_[0-3%2]": a job id as squeue, sacct and scontrol print one ("123+0",
// a component of a heterogeneous job, too, though sortie never submits one).
bool is_printed_job_id(std::string_view id) {
  const auto underscore = id.find('_');
  if (const auto plus = id.find('+');
      underscore == std::string_view::npos && plus != std::string_view::npos) {
    return is_digits(id.substr(0, plus)) && is_digits(id.substr(plus + 1));
  }
  if (underscore == std::string_view::npos) return is_digits(id);
  const auto task = id.substr(underscore + 1);
  return is_digits(id.substr(0, underscore)) &&
         (is_digits(task) || (task.size() > 2 && task.front() == '[' && task.back() == ']'));
}

template <class T>
using LineResult = std::expected<T, RowFailure>;

// Reads the values of one line; each reader returns the line's failure, naming the field, when
// the value is not one SLURM prints.
class LineParser {
 public:
  LineParser(std::string_view command, std::size_t line_number, std::chrono::seconds utc_offset)
      : m_command(command), m_line_number(line_number), m_utc_offset(utc_offset) {}

  RowFailure failure(std::string_view field, std::string_view value, std::string problem) const {
    RowFailure failure;
    failure.command = std::string(m_command);
    failure.line = m_line_number;
    failure.field = std::string(field);
    failure.value = std::string(value.substr(0, 160));
    failure.problem = std::move(problem);
    return failure;
  }

  std::unexpected<RowFailure> fail(std::string_view field, std::string_view value,
                                   std::string problem) const {
    return std::unexpected(failure(field, value, std::move(problem)));
  }

  LineResult<void> time(std::string_view field, std::string_view text,
                        std::optional<TimePoint>& out) const {
    auto parsed = parse_slurm_time(text, m_utc_offset);
    if (!parsed) return fail(field, text, parsed.error().message);
    out = *parsed;
    return {};
  }

  LineResult<void> state(std::string_view field, std::string_view text, JobInfo& job) const {
    const auto state = parse_job_state(text);
    if (!state) return fail(field, text, "not a job state SLURM 20.11-26.05 prints");
    job.state = *state;
    constexpr std::string_view by = " by ";
    if (const auto at = text.find(by); at != std::string_view::npos) {
      job.cancelled_by = std::string(text.substr(at + by.size()));
    }
    return {};
  }

  // A time limit as squeue (_print_secs: "5:00", "1:00:00", "1-00:00:00") and scontrol
  // (mins2time_str: "00:05:00") print it, or one of their words for none: UNLIMITED (INFINITE),
  // NOT_SET (squeue) and Partition_Limit (scontrol) for NO_VAL, INVALID.
  LineResult<void> time_limit(std::string_view field, std::string_view text, JobInfo& job) const {
    if (text == "NOT_SET" || text == "Partition_Limit" || text == "INVALID") {
      job.time_limit.reset();
      return {};
    }
    auto limit = parse_time_limit(text);
    if (!limit) return fail(field, text, limit.error().message);
    job.time_limit = *limit;
    return {};
  }

  // The run time as squeue (_print_secs) and scontrol (secs2time_str) print it; INVALID for a
  // negative or implausible one, UNLIMITED for INFINITE.
  LineResult<void> elapsed(std::string_view field, std::string_view text, JobInfo& job) const {
    if (text == "INVALID" || text == "UNLIMITED") {
      job.elapsed.reset();
      return {};
    }
    auto seconds = parse_elapsed(text);
    if (!seconds) return fail(field, text, seconds.error().message);
    job.elapsed = *seconds;
    return {};
  }

 private:
  std::string_view m_command;
  std::size_t m_line_number;
  std::chrono::seconds m_utc_offset;
};

// The first field of a line the fields of which could not be split, when it is a job id.
std::string leading_job_id(std::string_view line) {
  const auto id = line.substr(0, line.find(kJobFieldDelimiter));
  return is_printed_job_id(id) ? std::string(id) : std::string();
}

// Parses one squeue line into `job`, overwriting every field (its strings keep their memory).
LineResult<void> parse_squeue_line_into(std::string_view line, const LineParser& parser,
                                        JobInfo& job) {
  std::array<std::string_view, kSqueueFieldCount> fields{};
  if (!split_fields(line, fields, true)) {
    auto failure =
        parser.failure("line", line,
                       fmt::format("expected {} fields ({}), each followed by '{}'",
                                   kSqueueFieldCount, kSqueueJobFields, kJobFieldDelimiter));
    failure.job_id = leading_job_id(line);
    return std::unexpected(std::move(failure));
  }
  if (!is_printed_job_id(fields[0])) {
    return parser.fail("JobArrayID", fields[0], "not a job id (123, 123_4 or 123_[0-3])");
  }
  job.job_id.assign(fields[0]);
  // Any other field that cannot be read still names the job.
  auto read = [&]() -> LineResult<void> {
    job.array_job_id.clear();
    job.array_task_id.reset();
    job.array_task_range.clear();
    set_array_fields(job);
    job.cancelled_by.reset();
    if (auto ok = parser.state("State", fields[3], job); !ok) return ok;
    assign_none_as_empty(job.reason, fields[4]);
    job.user.assign(fields[5]);
    job.partition.assign(fields[6]);
    if (auto ok = parser.time("SubmitTime", fields[7], job.submit_time); !ok) return ok;
    if (auto ok = parser.time("StartTime", fields[8], job.start_time); !ok) return ok;
    if (auto ok = parser.time("EndTime", fields[9], job.end_time); !ok) return ok;
    if (auto ok = parser.elapsed("TimeUsed", fields[10], job); !ok) return ok;
    if (auto ok = parser.time_limit("TimeLimit", fields[11], job); !ok) return ok;
    if (!set_squeue_exit(job, fields[12])) {
      return parser.fail("exit_code", fields[12],
                         "neither a wait status (768) nor exit:signal (3:0)");
    }
    assign_none_as_empty(job.nodes, fields[13]);
    assign_none_as_empty(job.work_dir, fields[14]);
    assign_none_as_empty(job.stdout_path, fields[15]);
    assign_none_as_empty(job.stderr_path, fields[16]);
    if (fields[17] == "(null)") {
      job.comment.clear();
    } else {
      job.comment.assign(fields[17]);
    }
    job.name.assign(fields[18]);
    keep_facts_only(job);
    return {};
  };
  auto ok = read();
  if (!ok) ok.error().job_id = job.job_id;
  return ok;
}

LineResult<JobInfo> parse_squeue_line(std::string_view line, const LineParser& parser) {
  JobInfo job;
  if (auto ok = parse_squeue_line_into(line, parser, job); !ok) return std::unexpected(ok.error());
  return job;
}

LineResult<std::optional<JobInfo>> parse_sacct_line(std::string_view line,
                                                    const LineParser& parser) {
  // Step rows ("123.batch", "123.0") are not jobs, however they are printed.
  if (contains(line.substr(0, line.find(kJobFieldDelimiter)), ".")) {
    return std::optional<JobInfo>{};
  }
  std::array<std::string_view, kSacctFieldCount> fields{};
  if (!split_fields(line, fields, false)) {
    auto failure =
        parser.failure("line", line,
                       fmt::format("expected {} fields ({}) separated by '{}'", kSacctFieldCount,
                                   kSacctJobFields, kJobFieldDelimiter));
    failure.job_id = leading_job_id(line);
    return std::unexpected(std::move(failure));
  }
  if (!is_printed_job_id(fields[0])) {
    return parser.fail("JobID", fields[0], "not a job id (123, 123_4 or 123_[0-3])");
  }
  JobInfo job;
  job.job_id = std::string(fields[0]);
  auto read = [&]() -> LineResult<void> {
    set_array_fields(job);
    if (auto ok = parser.state("State", fields[2], job); !ok) return ok;
    // Empty only for records of the jobcomp plugin; sacct prints "exit:signal" otherwise.
    if (!fields[3].empty() && !set_exit_pair(job, fields[3])) {
      return parser.fail("ExitCode", fields[3], "not exit:signal (3:0)");
    }
    job.reason = none_as_empty(fields[4]);
    job.user = std::string(fields[5]);
    job.partition = std::string(fields[6]);
    if (auto ok = parser.time("Submit", fields[7], job.submit_time); !ok) return ok;
    if (auto ok = parser.time("Start", fields[8], job.start_time); !ok) return ok;
    if (auto ok = parser.time("End", fields[9], job.end_time); !ok) return ok;
    if (!fields[10].empty()) {
      const auto elapsed = detail::parse_count(fields[10]);
      if (!elapsed) return parser.fail("ElapsedRaw", fields[10], "not a number of seconds");
      job.elapsed = std::chrono::seconds(*elapsed);
    }
    // TimelimitRaw is minutes, a word for no limit of the job's own (src/sacct/print.c:
    // UNLIMITED for INFINITE, Partition_Limit for NO_VAL), or nothing for 0.
    if (const auto minutes = detail::parse_count(fields[11])) {
      if (*minutes < 0xfffffffeLL) job.time_limit = std::chrono::minutes(*minutes);
    } else if (fields[11] != "UNLIMITED" && fields[11] != "Partition_Limit" &&
               fields[11] != "INVALID" && fields[11] != "NOT_SET" && !fields[11].empty()) {
      return parser.fail("TimelimitRaw", fields[11], "not a number of minutes");
    }
    job.nodes = fields[12] == "None assigned" ? std::string() : none_as_empty(fields[12]);
    job.work_dir = none_as_empty(fields[13]);
    job.comment = fields[14] == "(null)" ? std::string() : std::string(fields[14]);
    job.name = std::string(fields[15]);
    keep_facts_only(job);
    return {};
  };
  if (auto ok = read(); !ok) {
    ok.error().job_id = job.job_id;
    return std::unexpected(std::move(ok.error()));
  }
  return std::optional<JobInfo>{std::move(job)};
}

bool is_free_text_job_key(std::string_view key) {
  return key == "JobName" || key == "Comment" || key == "WorkDir" || key == "StdOut" ||
         key == "StdErr" || key == "StdIn" || key == "Command" || key == "Reason" ||
         key == "AdminComment" || key == "SystemComment" || key == "Dependency" ||
         key == "Features" || key == "Extra" || key == "SubmitLine" || key == "Prefer" ||
         key == "MailUser" || key == "Reservation" || key == "SELinuxContext";
}

// Keys `scontrol -o show job` prints (20.11-26.05: src/api/job_info.c up to 23.11,
// src/scontrol/info_job.c from 24.05 on); only these end a free-text value.
bool is_known_job_key(std::string_view key) {
  static constexpr std::string_view kKeys[] = {
      "JobId",
      "ArrayJobId",
      "ArrayTaskId",
      "ArrayTaskThrottle",
      "JobName",
      "UserId",
      "GroupId",
      "MCS_label",
      "Priority",
      "Nice",
      "Account",
      "QOS",
      "JobState",
      "Reason",
      "Dependency",
      "Requeue",
      "Restarts",
      "BatchFlag",
      "Reboot",
      "ExitCode",
      "DerivedExitCode",
      "RunTime",
      "TimeLimit",
      "TimeMin",
      "SubmitTime",
      "EligibleTime",
      "AccrueTime",
      "StartTime",
      "EndTime",
      "Deadline",
      "SuspendTime",
      "SecsPreSuspend",
      "LastSchedEval",
      "Scheduler",
      "Partition",
      "AllocNode:Sid",
      "ReqNodeList",
      "ExcNodeList",
      "NodeList",
      "SchedNodeList",
      "BatchHost",
      "NumNodes",
      "NumCPUs",
      "NumTasks",
      "CPUs/Task",
      "ReqB:S:C:T",
      "TRES",
      "Socks/Node",
      "NtasksPerN:B:S:C",
      "CoreSpec",
      "MinCPUsNode",
      "MinMemoryNode",
      "MinMemoryCPU",
      "MinTmpDiskNode",
      "Features",
      "DelayBoot",
      "OverSubscribe",
      "Contiguous",
      "Licenses",
      "Network",
      "Command",
      "WorkDir",
      "Comment",
      "AdminComment",
      "SystemComment",
      "StdErr",
      "StdIn",
      "StdOut",
      "Power",
      "TresPerNode",
      "TresPerJob",
      "TresPerTask",
      "TresPerSocket",
      "CpusPerTres",
      "MemPerTres",
      "TresBind",
      "TresFreq",
      "Reservation",
      "Container",
      "ContainerID",
      "KillOOnInvalidDependent",
      "MailUser",
      "MailType",
      "Nodes",
      "CPU_IDs",
      "Mem",
      "GRES",
      "JOB_GRES",
      "Partitions",
      "ResizeTime",
      "PreemptEligibleTime",
      "PreemptTime",
      "HetJobId",
      "HetJobIdSet",
      "HetJobOffset",
      "Extra",
      "ReqTRES",
      "AllocTRES",
      "BatchFeatures",
      "BurstBuffer",
      "BurstBufferState",
      "CPUFreqReq",
      "ClusterFeatures",
      "ContainerType",
      "CronJob",
      "CrontabSpec",
      "FailedNode",
      "FedOrigin",
      "FedViableSiblings",
      "FedActiveSiblings",
      "GresEnforceBind",
      "GresAllowTaskSharing",
      "GresOneTaskPerSharing",
      "KillOnInvalidDependent",
      "KillOInInvalidDependent",
      "NtasksPerTRES",
      "OOMKillStep",
      "Prefer",
      "ResvPorts",
      "SELinuxContext",
      "SLUID",
      "SegmentSize",
      "SpreadJob",
      "SpreadSegments",
      "StepMgrEnabled",
      "SubmitLine",
      "Switches",
      "ThreadSpec",
      "WCKey",
      "ExpeditedRequeue",
      "ConsolidateSegments",
  };
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys);
}

// Length of the key of a token starting with `Key=`; scontrol's job keys may hold ':' and '/'
// ("AllocNode:Sid=", "CPUs/Task="). 0 when the token does not start that way.
std::size_t job_key_length(std::string_view token) {
  std::size_t i = 0;
  for (; i < token.size(); ++i) {
    const char c = token[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool other = (c >= '0' && c <= '9') || c == ':' || c == '/';
    if (letter || (other && i > 0)) continue;
    break;
  }
  return i > 0 && i < token.size() && token[i] == '=' ? i : 0;
}

// Whether a word ` key=` follows `from` in `line`.
bool starts_later(std::string_view line, std::size_t from, std::string_view key) {
  for (auto at = line.find(key, from); at != std::string_view::npos; at = line.find(key, at + 1)) {
    if (line[at - 1] == ' ' && at + key.size() < line.size() && line[at + key.size()] == '=') {
      return true;
    }
  }
  return false;
}

// Calls on_field(key, value) for each field of one `scontrol -o show job` line: a word that
// looks like `Key=` starts a field, except inside a free-text value, where only a known key
// that has not started a field yet and does not start a word again further on does (scontrol
// prints each key once, so of several `StdOut=` words the last is the real one). Values are
// trimmed of the padding scontrol adds.
template <class OnField>
bool for_each_job_field(std::string_view line, OnField on_field) {
  std::size_t length = job_key_length(line);
  if (length == 0) return false;
  std::vector<std::string_view> seen;
  std::string_view key = line.substr(0, length);
  seen.push_back(key);
  std::size_t value_start = length + 1;
  std::size_t position = line.find(' ', value_start);
  while (position != std::string_view::npos) {
    const std::size_t token_start = position + 1;
    const std::size_t token_end = line.find(' ', token_start);
    const std::string_view token = line.substr(
        token_start, token_end == std::string_view::npos ? token_end : token_end - token_start);
    length = job_key_length(token);
    if (length > 0) {
      const std::string_view next = token.substr(0, length);
      const bool starts =
          !is_free_text_job_key(key) ||
          (is_known_job_key(next) && std::find(seen.begin(), seen.end(), next) == seen.end() &&
           !starts_later(line, token_start + length, next));
      if (starts) {
        on_field(key, detail::trim(line.substr(value_start, position - value_start)));
        key = next;
        seen.push_back(key);
        value_start = token_start + length + 1;
      }
    }
    position = token_end;
  }
  on_field(key, detail::trim(line.substr(std::min(value_start, line.size()))));
  return true;
}

LineResult<JobInfo> parse_scontrol_line(std::string_view line, const LineParser& parser) {
  JobInfo job;
  std::string raw_id;
  std::string array_task;
  std::optional<RowFailure> failure;
  const bool ok = for_each_job_field(line, [&](std::string_view key, std::string_view value) {
    if (failure) return;
    auto keep = [&](LineResult<void> result) {
      if (!result) failure = std::move(result.error());
    };
    if (key == "JobId") {
      raw_id = std::string(value);
    } else if (key == "ArrayJobId") {
      job.array_job_id = std::string(value);
    } else if (key == "ArrayTaskId") {
      array_task = std::string(value);
    } else if (key == "JobName") {
      job.name = std::string(value);
    } else if (key == "UserId") {
      job.user = std::string(value.substr(0, value.find('(')));
    } else if (key == "JobState") {
      keep(parser.state(key, value, job));
    } else if (key == "Reason") {
      job.reason = none_as_empty(value);
    } else if (key == "ExitCode") {
      if (!set_exit_pair(job, value)) failure = parser.failure(key, value, "not exit:signal (3:0)");
    } else if (key == "RunTime") {
      keep(parser.elapsed(key, value, job));
    } else if (key == "TimeLimit") {
      keep(parser.time_limit(key, value, job));
    } else if (key == "SubmitTime") {
      keep(parser.time(key, value, job.submit_time));
    } else if (key == "StartTime") {
      keep(parser.time(key, value, job.start_time));
    } else if (key == "EndTime") {
      keep(parser.time(key, value, job.end_time));
    } else if (key == "Partition") {
      job.partition = std::string(value);
    } else if (key == "NodeList") {
      job.nodes = none_as_empty(value);
    } else if (key == "WorkDir") {
      job.work_dir = none_as_empty(value);
    } else if (key == "Comment") {
      job.comment = value == "(null)" ? std::string() : std::string(value);
    } else if (key == "StdOut") {
      job.stdout_path = none_as_empty(value);
    } else if (key == "StdErr") {
      job.stderr_path = none_as_empty(value);
    }
  });
  if (!ok) return parser.fail("line", line, "expected Key=Value fields");
  if (!is_digits(raw_id)) return parser.fail("JobId", raw_id, "not a job id (a number)");
  // An array task's JobId is its own raw id; name it as squeue and sacct do.
  if (!job.array_job_id.empty() && !array_task.empty()) {
    job.job_id = is_digits(array_task) ? fmt::format("{}_{}", job.array_job_id, array_task)
                                       : fmt::format("{}_[{}]", job.array_job_id, array_task);
    job.array_job_id.clear();
    set_array_fields(job);
  } else {
    job.job_id = raw_id;
    job.array_job_id.clear();
  }
  if (failure) {
    failure->job_id = is_printed_job_id(job.job_id) ? job.job_id : raw_id;
    return std::unexpected(std::move(*failure));
  }
  keep_facts_only(job);
  return job;
}

// Calls parse_line on each non-blank line of `output`: the jobs it reads and the lines it
// cannot, in order.
template <class ParseLine>
JobRows parse_lines(std::string_view output, std::string_view command,
                    std::chrono::seconds utc_offset, ParseLine parse_line) {
  JobRows rows;
  detail::for_each_line(output, [&](std::size_t number, std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (detail::trim(line).empty()) return true;
    const LineParser parser(command, number, utc_offset);
    auto job = parse_line(line, parser);
    if (!job) {
      rows.failures.push_back(std::move(job.error()));
    } else if constexpr (std::is_same_v<std::decay_t<decltype(*job)>, JobInfo>) {
      rows.jobs.push_back(std::move(*job));
    } else if (*job) {
      rows.jobs.push_back(std::move(**job));
    }
    return true;
  });
  return rows;
}

// The error of a strict read: the first row that could not be read.
core::Error row_error(const RowFailure& failure) {
  return core::Error{core::ErrorCode::parse_error,
                     fmt::format("{}, line {}: {} '{}': {}", failure.command, failure.line,
                                 failure.field, failure.value, failure.problem)};
}

core::Result<std::vector<JobInfo>> all_rows(JobRows rows) {
  if (!rows.failures.empty()) return std::unexpected(row_error(rows.failures.front()));
  return std::move(rows.jobs);
}

bool is_invalid_job_id(const remote::Output& output) {
  return output.exit_code != 0 && contains(output.err, "Invalid job id specified");
}

std::string lookback_option(std::chrono::minutes lookback) {
  return fmt::format("--starttime=now-{}minutes", std::max<std::int64_t>(lookback.count(), 1));
}

std::vector<std::string> sacct_argv() {
  return {"env",
          "SLURM_TIME_FORMAT=%s",
          "sacct",
          "-n",
          "-P",
          "-X",
          fmt::format("--delimiter={}", kJobFieldDelimiter),
          fmt::format("--format={}", kSacctJobFields)};
}

std::vector<std::string> squeue_argv() {
  return {"env",    "SLURM_TIME_FORMAT=%s",
          "squeue", "-h",
          "-r",     "-t",
          "all",    fmt::format("--Format={}", squeue_format())};
}

}  // namespace

core::Result<std::optional<TimePoint>> parse_slurm_time(std::string_view text,
                                                        std::chrono::seconds utc_offset) {
  text = detail::trim(text);
  if (text.empty() || text == "Unknown" || text == "None" || text == "NONE" || text == "N/A") {
    return std::optional<TimePoint>{};
  }
  if (const auto seconds = detail::parse_count(text)) {
    return std::optional<TimePoint>{TimePoint{std::chrono::seconds(*seconds)}};
  }
  auto bad = [&] {
    return core::fail(core::ErrorCode::parse_error,
                      fmt::format("'{}' is not a SLURM time (expected Unix seconds or "
                                  "2026-11-29T09:12:03)",
                                  text));
  };
  // YYYY-MM-DDTHH:MM:SS
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return bad();
  }
  const auto year = detail::parse_count(text.substr(0, 4));
  const auto month = detail::parse_count(text.substr(5, 2));
  const auto day = detail::parse_count(text.substr(8, 2));
  const auto hour = detail::parse_count(text.substr(11, 2));
  const auto minute = detail::parse_count(text.substr(14, 2));
  const auto second = detail::parse_count(text.substr(17, 2));
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 ||
      *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return bad();
  }
  const std::int64_t days =
      days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  const std::int64_t local = days * 86400 + *hour * 3600 + *minute * 60 + *second;
  return std::optional<TimePoint>{TimePoint{std::chrono::seconds(local) - utc_offset}};
}

core::Result<std::chrono::seconds> parse_elapsed(std::string_view text) {
  text = detail::trim(text);
  auto bad = [&] {
    return core::fail(core::ErrorCode::parse_error,
                      fmt::format("'{}' is not an elapsed time (expected e.g. 0:48, 1:02:03 or "
                                  "1-00:00:00)",
                                  text));
  };
  std::int64_t days = 0;
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    const auto parsed = detail::parse_count(text.substr(0, dash));
    if (!parsed) return bad();
    days = *parsed;
    text.remove_prefix(dash + 1);
  }
  std::array<std::int64_t, 3> parts{};
  std::size_t count = 0;
  while (true) {
    if (count == parts.size()) return bad();
    const auto colon = text.find(':');
    const auto parsed = detail::parse_count(text.substr(0, colon));
    if (!parsed) return bad();
    parts[count++] = *parsed;
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
  }
  if (count < 2) return bad();
  std::int64_t seconds = 0;
  for (std::size_t i = 0; i < count; ++i) seconds = seconds * 60 + parts[i];
  return std::chrono::seconds(days * 86400 + seconds);
}

remote::Command squeue_jobs(const std::vector<std::string>& job_ids) {
  auto argv = squeue_argv();
  argv.push_back(fmt::format("--jobs={}", joined_ids(job_ids)));
  return remote::Command{std::move(argv), {}};
}

remote::Command squeue_by_names(std::string_view user, const std::vector<std::string>& keys) {
  assert(!keys.empty());
  auto argv = squeue_argv();
  argv.push_back(fmt::format("--user={}", user));
  argv.push_back(fmt::format("--name={}", fmt::join(keys, ",")));
  return remote::Command{std::move(argv), {}};
}

JobRows parse_squeue_rows(std::string_view output, std::chrono::seconds utc_offset) {
  return parse_lines(output, "squeue", utc_offset, parse_squeue_line);
}

core::Result<std::vector<JobInfo>> parse_squeue_jobs(std::string_view output,
                                                     std::chrono::seconds utc_offset) {
  return all_rows(parse_squeue_rows(output, utc_offset));
}

core::Result<JobRows> read_squeue_rows(const remote::Output& output) {
  JobRows rows;
  if (auto ok = read_squeue_rows(output, rows); !ok) return std::unexpected(ok.error());
  return rows;
}

core::Result<void> read_squeue_rows(const remote::Output& output, JobRows& rows) {
  std::size_t count = 0;
  rows.failures.clear();
  if (!is_invalid_job_id(output)) {
    if (auto ok = check(output, "squeue"); !ok) return std::unexpected(ok.error());
    auto& jobs = rows.jobs;
    detail::for_each_line(output.out, [&](std::size_t number, std::string_view line) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (detail::trim(line).empty()) return true;
      if (count == jobs.size()) jobs.emplace_back();
      const LineParser parser("squeue", number, std::chrono::seconds{});
      if (auto ok = parse_squeue_line_into(line, parser, jobs[count]); !ok) {
        rows.failures.push_back(std::move(ok.error()));
      } else {
        ++count;
      }
      return true;
    });
  }
  rows.jobs.resize(count);
  return {};
}

core::Result<std::vector<JobInfo>> read_squeue_jobs(const remote::Output& output) {
  auto rows = read_squeue_rows(output);
  if (!rows) return std::unexpected(rows.error());
  return all_rows(std::move(*rows));
}

std::vector<std::string> not_listed(const std::vector<std::string>& job_ids,
                                    const std::vector<JobInfo>& jobs) {
  std::vector<std::string> missing;
  for (const auto& id : job_ids) {
    const bool listed = std::any_of(jobs.begin(), jobs.end(), [&](const JobInfo& job) {
      return job.job_id == id || job.array_job_id == id;
    });
    if (!listed) missing.push_back(id);
  }
  return missing;
}

std::optional<std::vector<std::int64_t>> array_range_tasks(std::string_view range,
                                                           std::size_t max_tasks) {
  if (const auto limit = range.find('%'); limit != std::string_view::npos) {
    if (!detail::parse_count(range.substr(limit + 1))) return std::nullopt;
    range = range.substr(0, limit);
  }
  std::vector<std::int64_t> tasks;
  while (true) {
    const auto comma = range.find(',');
    std::string_view part = range.substr(0, comma);
    std::int64_t step = 1;
    if (const auto colon = part.find(':'); colon != std::string_view::npos) {
      const auto parsed = detail::parse_count(part.substr(colon + 1));
      if (!parsed || *parsed < 1) return std::nullopt;
      step = *parsed;
      part = part.substr(0, colon);
    }
    const auto dash = part.find('-');
    const auto first = detail::parse_count(part.substr(0, dash));
    const auto last =
        dash == std::string_view::npos ? first : detail::parse_count(part.substr(dash + 1));
    if (!first || !last || *last < *first) return std::nullopt;
    for (std::int64_t task = *first; task <= *last; task += step) {
      if (tasks.size() >= max_tasks) return std::nullopt;
      tasks.push_back(task);
    }
    if (comma == std::string_view::npos) break;
    range.remove_prefix(comma + 1);
  }
  std::ranges::sort(tasks);
  tasks.erase(std::unique(tasks.begin(), tasks.end()), tasks.end());
  return tasks;
}

std::vector<JobInfo> find_by_key(const std::vector<JobInfo>& jobs, std::string_view key) {
  std::vector<JobInfo> found;
  if (key.empty()) return found;
  for (const auto& job : jobs) {
    if (job.name == key || contains(job.comment, key)) found.push_back(job);
  }
  return found;
}

remote::Command sacct_jobs(const std::vector<std::string>& job_ids, std::chrono::minutes lookback) {
  auto argv = sacct_argv();
  argv.push_back(lookback_option(lookback));
  argv.push_back(fmt::format("--jobs={}", joined_ids(job_ids)));
  return remote::Command{std::move(argv), {}};
}

remote::Command sacct_by_names(std::string_view user, const std::vector<std::string>& keys,
                               std::chrono::minutes lookback) {
  assert(!keys.empty());
  auto argv = sacct_argv();
  argv.push_back(lookback_option(lookback));
  argv.push_back(fmt::format("--user={}", user));
  argv.push_back(fmt::format("--name={}", fmt::join(keys, ",")));
  return remote::Command{std::move(argv), {}};
}

JobRows parse_sacct_rows(std::string_view output, std::chrono::seconds utc_offset) {
  return parse_lines(output, "sacct", utc_offset, parse_sacct_line);
}

core::Result<std::vector<JobInfo>> parse_sacct_jobs(std::string_view output,
                                                    std::chrono::seconds utc_offset) {
  return all_rows(parse_sacct_rows(output, utc_offset));
}

core::Result<SacctAnswer> read_sacct_rows(const remote::Output& output) {
  if (contains(output.err, "accounting storage is disabled")) {
    return SacctAnswer{Accounting::disabled, {}, {}};
  }
  if (auto ok = check(output, "sacct"); !ok) return std::unexpected(ok.error());
  auto rows = parse_sacct_rows(output.out);
  return SacctAnswer{Accounting::enabled, std::move(rows.jobs), std::move(rows.failures)};
}

core::Result<SacctAnswer> read_sacct_jobs(const remote::Output& output) {
  auto answer = read_sacct_rows(output);
  if (answer && !answer->failures.empty()) {
    return std::unexpected(row_error(answer->failures.front()));
  }
  return answer;
}

remote::Command scontrol_show_jobs() {
  return remote::Command{{"env", "SLURM_TIME_FORMAT=%s", "scontrol", "-o", "show", "job"}, {}};
}

JobRows parse_scontrol_rows(std::string_view output, std::chrono::seconds utc_offset) {
  return parse_lines(output, "scontrol show job", utc_offset, parse_scontrol_line);
}

core::Result<std::vector<JobInfo>> parse_scontrol_jobs(std::string_view output,
                                                       std::chrono::seconds utc_offset) {
  return all_rows(parse_scontrol_rows(output, utc_offset));
}

core::Result<JobRows> read_scontrol_rows(const remote::Output& output) {
  if (auto ok = check(output, "scontrol show job"); !ok) return std::unexpected(ok.error());
  if (output.out.starts_with("No jobs in the system")) return JobRows{};
  return parse_scontrol_rows(output.out);
}

core::Result<std::vector<JobInfo>> read_scontrol_jobs(const remote::Output& output) {
  auto rows = read_scontrol_rows(output);
  if (!rows) return std::unexpected(rows.error());
  return all_rows(std::move(*rows));
}

JobInfo job_named(std::string_view job_id) {
  JobInfo job;
  job.job_id = std::string(job_id);
  set_array_fields(job);
  return job;
}

std::string describe(const RowFailure& failure, std::string_view slurm_version) {
  return fmt::format("{}, field {}, value '{}', {} (line {}: {})", failure.command, failure.field,
                     failure.value,
                     slurm_version.empty() ? std::string("SLURM version unknown")
                                           : fmt::format("SLURM {}", slurm_version),
                     failure.line, failure.problem);
}

std::string final_state_unknown(std::string_view job_id) {
  return fmt::format(
      "SLURM no longer knows job {}: it left the controller and this cluster keeps "
      "no accounting records, so its final state cannot be learned. Check the "
      "job's output files for how it ended.",
      job_id);
}

}  // namespace sortie::slurm

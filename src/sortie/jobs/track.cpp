#include "sortie/jobs/track.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "sortie/slurm/version.hpp"

namespace sortie::jobs {
namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::string with_job_id(std::string pattern, const store::Job& job) {
  if (!job.slurm_job_id || pattern.empty()) return {};
  const std::string id = std::to_string(job.slurm_job_id->value);
  replace_all(pattern, "%j", id);
  replace_all(pattern, "%A", id);
  if (job.spec.array_task_index) {
    replace_all(pattern, "%a", std::to_string(*job.spec.array_task_index));
  }
  return pattern;
}

std::optional<store::Timestamp> to_timestamp(
    const std::optional<std::chrono::system_clock::time_point>& time) {
  if (!time) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(*time);
}

// Without a known user the lookup by name covers every user: the key is random, so it is still
// one job's.
remote::Command without_empty_user(remote::Command command) {
  std::erase(command.argv, std::string("--user="));
  return command;
}

std::optional<std::int64_t> parse_job_number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Whether SLURM's report holds anything the record lacks. Elapsed time alone does not count
// while the job runs: it grows on every tick (and is shown from started_at), and writing it
// would make every tick write every running job.
bool is_news(const store::Job& job, const store::StateUpdate& update) {
  if (job.status.state != update.state || job.reason != update.reason) return true;
  if (update.exit_code && update.exit_code != job.exit_code) return true;
  if (update.signal && update.signal != job.signal) return true;
  if (update.cancelled_by && update.cancelled_by != job.cancelled_by) return true;
  if (update.started_at && update.started_at != job.started_at) return true;
  if (update.ended_at && update.ended_at != job.ended_at) return true;
  if (update.nodes && update.nodes != job.nodes) return true;
  return update.elapsed_seconds && slurm::is_final(update.state) &&
         update.elapsed_seconds != job.elapsed_seconds;
}

}  // namespace

std::string stdout_path(const store::Job& job) {
  return with_job_id(job.rendered.stdout_path, job);
}

std::string stderr_path(const store::Job& job) {
  return with_job_id(job.rendered.stderr_path, job);
}

store::StateUpdate state_update(const slurm::JobInfo& info) {
  store::StateUpdate update;
  update.state = info.state;
  update.reason = info.reason;
  update.exit_code = info.exit_code;
  update.signal = info.signal;
  update.cancelled_by = info.cancelled_by;
  update.started_at = to_timestamp(info.start_time);
  update.ended_at = to_timestamp(info.end_time);
  if (!info.nodes.empty()) update.nodes = info.nodes;
  if (info.elapsed) update.elapsed_seconds = info.elapsed->count();
  return update;
}

Tracker::Tracker(store::Store& store, TrackOptions options)
    : m_store(store), m_options(std::move(options)) {}

core::Result<void> Tracker::refresh(const std::string& cluster, Tracked& tracked) {
  // The token is taken before the rows are read: a write landing in between makes the next tick
  // read again instead of going unseen.
  auto token = m_store.change_token();
  if (!token) return std::unexpected(token.error());
  if (tracked.read_at == *token) return {};
  tracked.read_at.reset();
  auto unfinished = m_store.unfinished_jobs(store::ClusterName{cluster});
  if (!unfinished) return std::unexpected(unfinished.error());
  tracked.jobs = std::move(*unfinished);
  // Sort the jobs: those SLURM has an id for, and those whose submission is unsettled.
  tracked.with_id.clear();
  tracked.submitting.clear();
  tracked.ids.clear();
  tracked.by_slurm_id.clear();
  tracked.by_array.clear();
  tracked.by_slurm_id.reserve(tracked.jobs.size());
  for (std::size_t i = 0; i < tracked.jobs.size(); ++i) {
    const auto& job = tracked.jobs[i];
    if (job.status.phase == store::Phase::submitting) {
      tracked.submitting.push_back(i);
    } else if (job.slurm_job_id) {
      tracked.with_id.push_back(i);
      const auto id = job.slurm_job_id->value;
      if (job.spec.array_task_index) {
        // squeue is asked for an array once: its id lists every task.
        auto& tasks = tracked.by_array[id];
        if (tasks.empty()) tracked.ids.push_back(std::to_string(id));
        tasks.emplace(*job.spec.array_task_index, i);
      } else if (tracked.by_slurm_id.emplace(id, i).second) {
        tracked.ids.push_back(std::to_string(id));
      }
    }
  }
  tracked.squeue.reset();
  if (!tracked.ids.empty()) tracked.squeue = slurm::squeue_jobs(tracked.ids);
  tracked.read_at = *token;
  return {};
}

core::Result<TickReport> Tracker::tick(const config::Cluster& cluster, remote::Remote& remote,
                                       int max_slurm_calls) {
  TickReport report;
  auto& tracked = m_tracked[cluster.name];
  if (auto ok = refresh(cluster.name, tracked); !ok) return std::unexpected(ok.error());
  // Until this tick ends well the kept jobs are suspect: an early return (a failed exchange, a
  // write that failed half-way) makes the next tick read them again.
  const store::ChangeToken read_at = *tracked.read_at;
  tracked.read_at.reset();
  const auto& jobs = tracked.jobs;
  // The one job of several with the same SLURM id that stands for them all (array tasks each
  // stand for themselves).
  const auto canonical = [&](std::size_t index) {
    if (jobs[index].spec.array_task_index) return index;
    return tracked.by_slurm_id.at(jobs[index].slurm_job_id->value);
  };
  const auto listed_key = [&](std::size_t index) {
    const auto& job = jobs[index];
    return Listed{job.slurm_job_id->value, job.spec.array_task_index.value_or(-1)};
  };

  // sacct only for jobs and tasks the controller no longer listed (all of them on a first
  // tick), over a lookback that reaches the oldest of them; an array is asked for once.
  const auto now = m_options.clock();
  const auto previous = m_listed.find(cluster.name);
  std::vector<std::string> sacct_ids;
  std::set<std::int64_t> sacct_asked;
  store::Timestamp oldest = now;
  for (const auto index : tracked.with_id) {
    const auto& job = jobs[canonical(index)];
    if (previous == m_listed.end() ||
        !std::ranges::binary_search(previous->second, listed_key(index))) {
      if (sacct_asked.insert(job.slurm_job_id->value).second) {
        sacct_ids.push_back(std::to_string(job.slurm_job_id->value));
      }
      oldest = std::min(oldest, job.updated_at);
    }
  }
  for (const auto index : tracked.submitting) oldest = std::min(oldest, jobs[index].created_at);
  auto lookback = std::chrono::ceil<std::chrono::minutes>(now - oldest) + std::chrono::minutes(10);
  lookback = std::clamp(lookback, std::chrono::minutes(10), std::chrono::minutes(60 * 24 * 30));

  // One exchange for the whole cluster, whatever the number of jobs.
  const std::string user = cluster.user().value_or("");
  // In order of importance, as far as the budget reaches.
  std::vector<remote::Command> commands;
  const auto fits = [&](int calls) {
    return static_cast<int>(commands.size()) + calls <= std::max(max_slurm_calls, 1);
  };
  std::optional<std::size_t> squeue_at;
  if (tracked.squeue) {
    squeue_at = commands.size();
    commands.push_back(*tracked.squeue);
  }
  // Unsettled submissions: one squeue and one sacct over all their keys (a sweep's tasks by
  // the sweep's id, the name of their array).
  const auto lookup_key = [&](std::size_t index) -> const std::string& {
    const auto& job = jobs[index];
    return job.spec.sweep ? job.spec.sweep->value : job.spec.submission_key.value;
  };
  std::optional<std::size_t> lookups_at;
  if (!tracked.submitting.empty() && fits(2)) {
    std::vector<std::string> keys;
    for (const auto index : tracked.submitting) {
      if (std::ranges::find(keys, lookup_key(index)) == keys.end()) {
        keys.push_back(lookup_key(index));
      }
    }
    lookups_at = commands.size();
    commands.push_back(without_empty_user(slurm::squeue_by_names(user, keys)));
    commands.push_back(without_empty_user(slurm::sacct_by_names(user, keys, lookback)));
  }
  std::optional<std::size_t> sacct_at;
  if (!sacct_ids.empty() && fits(1)) {
    sacct_at = commands.size();
    commands.push_back(slurm::sacct_jobs(sacct_ids, lookback));
  }
  // Without accounting, scontrol is the only one that may still know a job that left squeue.
  const bool no_accounting = m_no_accounting.contains(cluster.name) && sacct_at && fits(1);
  std::optional<std::size_t> scontrol_at;
  if (no_accounting) {
    scontrol_at = commands.size();
    commands.push_back(slurm::scontrol_show_jobs());
  }
  if (commands.empty()) {
    tracked.read_at = read_at;  // nothing was asked, so nothing was written
    return report;
  }
  report.slurm_calls = static_cast<int>(commands.size());
  // The version only names the cluster's SLURM in messages about rows that cannot be read; the
  // parsers read every version's output alike.
  std::optional<std::size_t> version_at;
  if (!m_slurm_versions.contains(cluster.name)) {
    version_at = commands.size();
    commands.push_back(slurm::version());
  }

  auto outputs = remote.run(commands, m_options.timeout, remote::OnFailure::continue_batch);
  report.exchanges = 1;
  if (!outputs) return std::unexpected(outputs.error());
  if (outputs->size() != commands.size()) {
    return core::fail(core::ErrorCode::parse_error,
                      "the tracking exchange returned too few outputs");
  }

  if (version_at) {
    // Asked once: a cluster whose sinfo does not answer stays "version unknown".
    const auto& answer = (*outputs)[*version_at];
    m_slurm_versions[cluster.name] =
        answer.exit_code == 0 ? slurm::parse_version(answer.out) : std::string();
  }
  const std::string_view slurm_version = m_slurm_versions.at(cluster.name);

  // Read every answer before recording anything: a command that failed must not half-update. A
  // row that cannot be read is only that row's failure.
  std::vector<slurm::RowFailure> unreadable_rows;
  if (squeue_at) {
    if (auto read = slurm::read_squeue_rows((*outputs)[*squeue_at], m_queued); !read) {
      return std::unexpected(read.error());
    }
    unreadable_rows = m_queued.failures;
  } else {
    m_queued.jobs.clear();
    m_queued.failures.clear();
  }
  const auto& queued = m_queued.jobs;
  slurm::SacctAnswer accounted;
  if (sacct_at) {
    auto read = slurm::read_sacct_rows((*outputs)[*sacct_at]);
    if (!read) return std::unexpected(read.error());
    accounted = std::move(*read);
    if (accounted.accounting == slurm::Accounting::disabled) {
      m_no_accounting.insert(cluster.name);
    } else {
      m_no_accounting.erase(cluster.name);
    }
  }
  if (scontrol_at) {
    auto read = slurm::read_scontrol_rows((*outputs)[*scontrol_at]);
    if (!read) return std::unexpected(read.error());
    accounted.jobs.insert(accounted.jobs.end(), read->jobs.begin(), read->jobs.end());
    accounted.failures.insert(accounted.failures.end(), read->failures.begin(),
                              read->failures.end());
  }
  unreadable_rows.insert(unreadable_rows.end(), accounted.failures.begin(),
                         accounted.failures.end());
  // Rows of the lookups by key name no tracked job (those are not in SLURM's hands yet).
  std::vector<slurm::RowFailure> unreadable_lookups;
  std::vector<slurm::JobInfo> found_by_keys;
  if (lookups_at) {
    auto in_queue = slurm::read_squeue_rows((*outputs)[*lookups_at]);
    if (!in_queue) return std::unexpected(in_queue.error());
    auto in_accounting = slurm::read_sacct_rows((*outputs)[*lookups_at + 1]);
    if (!in_accounting) return std::unexpected(in_accounting.error());
    found_by_keys = std::move(in_queue->jobs);
    found_by_keys.insert(found_by_keys.end(), in_accounting->jobs.begin(),
                         in_accounting->jobs.end());
    unreadable_lookups = std::move(in_queue->failures);
    unreadable_lookups.insert(unreadable_lookups.end(), in_accounting->failures.begin(),
                              in_accounting->failures.end());
  }

  // Record what the controller says, then what accounting says of the jobs that left it: only
  // what the record does not hold yet, all in one transaction. A line names a plain job by its
  // id, an array task by "123_4", and tasks not started yet by a range "123_[4-9%2]".
  std::vector<std::size_t> named;
  const auto tracked_indices = [&](const slurm::JobInfo& info) -> const std::vector<std::size_t>& {
    named.clear();
    if (info.array_job_id.empty()) {
      const auto number = parse_job_number(info.job_id);
      if (!number) return named;
      if (const auto found = tracked.by_slurm_id.find(*number);
          found != tracked.by_slurm_id.end()) {
        named.push_back(found->second);
      }
      return named;
    }
    const auto number = parse_job_number(info.array_job_id);
    if (!number) return named;
    const auto array = tracked.by_array.find(*number);
    if (array == tracked.by_array.end()) return named;
    const auto& tasks = array->second;
    if (info.array_task_id) {
      if (const auto task = tasks.find(*info.array_task_id); task != tasks.end()) {
        named.push_back(task->second);
      }
    } else if (auto range = slurm::array_range_tasks(info.array_task_range)) {
      for (const auto task_index : *range) {
        if (const auto task = tasks.find(task_index); task != tasks.end()) {
          named.push_back(task->second);
        }
      }
    }
    return named;
  };
  auto& listed = m_listed_now;  // per index of `jobs`: squeue listed it this tick
  listed.assign(jobs.size(), 0);
  m_accounted.assign(jobs.size(), 0);
  m_latest.assign(jobs.size(), std::nullopt);
  m_unreadable.assign(jobs.size(), 0);
  // SLURM ids (an array's for its tasks) whose rows could not all be read, and whether a row
  // named no job at all: nothing may be concluded from the absence of their rows.
  std::set<std::int64_t> ids_unreadable;
  bool unattributed = false;
  for (const auto& failure : unreadable_rows) {
    if (failure.job_id.empty()) {
      unattributed = true;
      continue;
    }
    const auto named_job = slurm::job_named(failure.job_id);
    const auto number = parse_job_number(named_job.array_job_id.empty() ? named_job.job_id
                                                                        : named_job.array_job_id);
    if (number) ids_unreadable.insert(*number);
  }
  // Arrays that still have a task SLURM may run, and arrays accounting answered for.
  std::set<std::int64_t> arrays_active;
  std::set<std::int64_t> arrays_accounted;
  const std::vector<slurm::JobInfo>* answers[] = {&queued, &accounted.jobs};
  for (const auto* answer : answers) {
    for (const auto& info : *answer) {
      if (info.array_job_id.empty()) continue;
      const auto number = parse_job_number(info.array_job_id);
      if (!number) continue;
      if (!slurm::is_final(info.state)) arrays_active.insert(*number);
      if (answer == &accounted.jobs) arrays_accounted.insert(*number);
    }
  }
  const auto record = [&](std::size_t index, const store::StateUpdate& update,
                          slurm::JobState state) -> core::Result<void> {
    m_latest[index] = state;
    const auto& job = jobs[index];
    if (!is_news(job, update)) return {};
    auto changed = m_store.record_state(job.id, update);
    if (!changed) return std::unexpected(changed.error());
    if (*changed) ++report.state_changes;
    return {};
  };
  auto states_recorded = m_store.in_one_transaction([&]() -> core::Result<void> {
    for (const auto& info : queued) {
      for (const auto index : tracked_indices(info)) {
        listed[index] = 1;
        if (auto ok = record(index, state_update(info), info.state); !ok) return ok;
      }
    }
    for (const auto& info : accounted.jobs) {
      for (const auto index : tracked_indices(info)) {
        if (listed[index]) continue;
        m_accounted[index] = 1;
        if (auto ok = record(index, state_update(info), info.state); !ok) return ok;
      }
    }
    // SLURM 22.05 keeps no record of a pending task cancelled on its own (scancel 123_4): once
    // the rest of its array is over and accounted for, that is the only way a task vanishes.
    for (const auto& [array_id, tasks] : tracked.by_array) {
      if (!sacct_at || !sacct_asked.contains(array_id) || !arrays_accounted.contains(array_id) ||
          arrays_active.contains(array_id) || ids_unreadable.contains(array_id) || unattributed) {
        continue;
      }
      for (const auto& [task_index, index] : tasks) {
        if (listed[index] || m_accounted[index]) continue;
        m_accounted[index] = 1;
        store::StateUpdate update;
        update.state = slurm::JobState::cancelled;
        update.reason =
            "cancelled before it started (SLURM keeps no accounting record of such a task)";
        if (auto ok = record(index, update, update.state); !ok) return ok;
      }
    }
    // A job whose row could not be read, and that no other row accounted for, keeps its state;
    // its reason says why it is not updated (a later readable row replaces it).
    for (const auto& failure : unreadable_rows) {
      const std::string detail = slurm::describe(failure, slurm_version);
      if (failure.job_id.empty()) {
        report.unreadable.push_back(fmt::format(
            "could not read a row of SLURM's answer (its job id is unreadable): {}", detail));
        continue;
      }
      const auto named_job = slurm::job_named(failure.job_id);
      std::vector<std::int64_t> marked;
      for (const auto index : tracked_indices(named_job)) {
        marked.push_back(jobs[index].id.value);
        if (listed[index] || m_accounted[index] || m_unreadable[index]) continue;
        m_unreadable[index] = 1;
        const auto& job = jobs[index];
        const std::string reason =
            fmt::format("could not read SLURM's answer for this job: {}", detail);
        if (job.reason == reason) continue;
        store::StateUpdate update;
        update.state = job.status.state.value_or(slurm::JobState::pending);
        update.reason = reason;
        auto changed = m_store.record_state(job.id, update);
        if (!changed) return std::unexpected(changed.error());
      }
      report.unreadable.push_back(fmt::format(
          "could not read SLURM's answer for SLURM job {}{}: {}", failure.job_id,
          marked.empty() ? std::string() : fmt::format(" (sortie job {})", fmt::join(marked, ", ")),
          detail));
    }
    return {};
  });
  if (!states_recorded) return std::unexpected(states_recorded.error());
  for (const auto& failure : unreadable_lookups) {
    report.unreadable.push_back(fmt::format(
        "could not read SLURM's answer to the lookup of unsettled submissions{}: {}",
        failure.job_id.empty() ? std::string() : fmt::format(" (SLURM job {})", failure.job_id),
        slurm::describe(failure, slurm_version)));
  }
  auto& listed_now = m_listed[cluster.name];
  listed_now.clear();
  for (const auto index : tracked.with_id) {
    if (listed[canonical(index)]) listed_now.push_back(listed_key(index));
  }
  std::ranges::sort(listed_now);
  for (std::size_t k = 0; sacct_at && k < tracked.with_id.size(); ++k) {
    const auto index = canonical(tracked.with_id[k]);
    if (index != tracked.with_id[k] || listed[index] || m_accounted[index] || m_unreadable[index]) {
      continue;
    }
    const auto& job = jobs[index];
    const std::string id = job.spec.array_task_index ? fmt::format("{}_{}", job.slurm_job_id->value,
                                                                   *job.spec.array_task_index)
                                                     : std::to_string(job.slurm_job_id->value);
    report.unknown.push_back(no_accounting
                                 ? slurm::final_state_unknown(id)
                                 : fmt::format("{} knows nothing of SLURM job {} (neither squeue "
                                               "nor sacct); its record is left as it was",
                                               cluster.name, id));
  }

  // Settle each unsettled submission by what SLURM holds under its key; never sbatch again.
  // A sweep's tasks settle together: the array exists under the sweep's id, or it does not.
  std::set<std::string> settled_sweeps;
  for (std::size_t i = 0; lookups_at && i < tracked.submitting.size(); ++i) {
    const auto& job = jobs[tracked.submitting[i]];
    const std::string& key = lookup_key(tracked.submitting[i]);
    if (job.spec.sweep && !settled_sweeps.insert(key).second) continue;
    const auto found = slurm::find_by_key(found_by_keys, key);
    if (!found.empty()) {
      const auto& first = found.front();
      auto number =
          parse_job_number(first.array_job_id.empty() ? first.job_id : first.array_job_id);
      if (!number) continue;
      if (!job.spec.sweep) {
        auto marked = m_store.mark_submitted(job.id, store::SlurmJobId{*number});
        if (!marked) return std::unexpected(marked.error());
        if (*marked) {
          ++report.reconciled;
          auto recorded = m_store.record_state(job.id, state_update(first));
          if (!recorded) return std::unexpected(recorded.error());
        }
        continue;
      }
      auto marked = m_store.mark_sweep_submitted(*job.spec.sweep, store::SlurmJobId{*number});
      if (!marked) return std::unexpected(marked.error());
      report.reconciled += *marked;
      if (*marked == 0) continue;
      // What SLURM said of each task (squeue's word first, as for tracked jobs); the rest are
      // tracked from the next tick on.
      std::set<std::int64_t> told;
      for (const auto& info : found) {
        std::vector<std::int64_t> task_indices;
        if (info.array_task_id) {
          task_indices.push_back(*info.array_task_id);
        } else if (auto range = slurm::array_range_tasks(info.array_task_range)) {
          task_indices = std::move(*range);
        }
        for (const auto index : tracked.submitting) {
          const auto& task = jobs[index];
          if (task.spec.sweep != job.spec.sweep || !task.spec.array_task_index ||
              std::ranges::find(task_indices, *task.spec.array_task_index) == task_indices.end() ||
              !told.insert(*task.spec.array_task_index).second) {
            continue;
          }
          auto recorded = m_store.record_state(task.id, state_update(info));
          if (!recorded) return std::unexpected(recorded.error());
        }
      }
      continue;
    }
    if (now - std::max(job.created_at, job.updated_at) < m_options.submit_grace) continue;
    // An unreadable row may be this very submission: never declare it failed on that answer.
    if (!unreadable_lookups.empty()) continue;
    const std::string reason =
        fmt::format("SLURM has no job named {}: the submission did not reach SLURM", key);
    if (job.spec.sweep) {
      auto marked = m_store.mark_sweep_submit_failed(*job.spec.sweep, reason);
      if (!marked) return std::unexpected(marked.error());
      report.failed += *marked;
      continue;
    }
    auto marked = m_store.mark_submit_failed(job.id, reason);
    if (!marked) return std::unexpected(marked.error());
    if (*marked) ++report.failed;
  }
  // Whether this tick wrote a job row: then the kept jobs are stale and are read again.
  auto after_records = m_store.change_token();
  if (!after_records) return std::unexpected(after_records.error());
  const bool recorded_nothing = after_records->this_connection == read_at.this_connection;

  // W&B links: new log bytes of jobs that run or just ended, at most log_scans_per_tick of
  // them, taking turns, so a tick's cost does not grow with the number of running jobs.
  std::vector<std::pair<const store::Job*, slurm::JobState>> to_scan;
  for (const auto index : tracked.with_id) {
    const auto first = canonical(index);
    if (first != index) continue;
    const auto& state = m_latest[first];
    if (!state) continue;
    // Logs grow while a job runs; once it ended, the rest is read one last time.
    const auto logging = *state == slurm::JobState::running ||
                         *state == slurm::JobState::completing || slurm::is_final(*state);
    if (logging) to_scan.emplace_back(&jobs[first], *state);
  }
  auto& turn = m_scan_turn[cluster.name];
  const std::size_t scans = std::min(to_scan.size(), m_options.log_scans_per_tick);
  for (std::size_t i = 0; i < scans; ++i) {
    const auto& [job, state] = to_scan[(turn + i) % to_scan.size()];
    store::Job scanned = *job;
    scanned.status.state = state;
    (void)scan_log(remote, scanned);  // a log not readable yet is read on a later tick
  }
  turn = to_scan.empty() ? 0 : (turn + scans) % to_scan.size();

  // The scans' writes (W&B links, scan offsets) change nothing the kept jobs hold; other
  // connections' writes since the jobs were read still count, as read_at's data_version.
  if (auto after_scans = m_store.change_token(); after_scans && recorded_nothing) {
    tracked.read_at = store::ChangeToken{read_at.other_connections, after_scans->this_connection};
  }
  return report;
}

core::Result<void> Tracker::scan_log(remote::Remote& remote, const store::Job& job) {
  // wandb prints on stderr, training scripts mostly on stdout: both logs are read, a file SLURM
  // writes both streams to (only --output given) once.
  struct Reading {
    store::LogStream stream;
    std::string path;
    LogCursor* cursor = nullptr;
    bool more = true;     // may have more bytes this tick
    bool failed = false;  // a read failed this tick
  };
  std::vector<Reading> readings;
  const std::string out = stdout_path(job);
  const std::string err = stderr_path(job);
  if (!out.empty()) readings.push_back({.stream = store::LogStream::out, .path = out});
  if (!err.empty() && err != out)
    readings.push_back({.stream = store::LogStream::err, .path = err});
  for (auto& reading : readings) {
    const LogKey key{job.id.value, reading.stream};
    auto found = m_logs.find(key);
    if (found == m_logs.end()) {
      // First sight of this log in this process: resume where an earlier one stopped.
      auto resume = m_store.wandb_scan_offset(job.id, reading.stream);
      if (!resume) return std::unexpected(resume.error());
      LogCursor fresh;
      fresh.offset = *resume;
      fresh.recorded = *resume;
      found = m_logs.emplace(key, std::move(fresh)).first;
    }
    reading.cursor = &found->second;
  }

  // The job's read budget is shared chunk by chunk, so a chatty stdout never starves stderr.
  constexpr std::uint64_t kChunk = 1u << 20;
  std::uint64_t budget = m_options.log_read_limit;
  core::Result<void> outcome;
  const auto reading_on = [&] {
    return std::any_of(readings.begin(), readings.end(), [](const Reading& r) { return r.more; });
  };
  while (budget > 0 && reading_on()) {
    for (auto& reading : readings) {
      if (!reading.more || budget == 0) continue;
      const std::uint64_t length = std::min(kChunk, budget);
      auto chunk = remote.read_file(reading.path, reading.cursor->offset, length);
      if (!chunk) {
        // A log not readable yet (no stderr file, a dropped link) is read on a later tick.
        reading.more = false;
        reading.failed = true;
        if (outcome) outcome = std::unexpected(chunk.error());
        continue;
      }
      reading.cursor->scanner.feed(*chunk);
      reading.cursor->offset += chunk->size();
      budget -= chunk->size();
      if (chunk->size() < length) reading.more = false;
    }
  }

  const bool ended = job.status.state && slurm::is_final(*job.status.state);
  for (auto& reading : readings) {
    auto& cursor = *reading.cursor;
    if (ended && !reading.failed) cursor.scanner.finish();
    const auto& links = cursor.scanner.links();
    for (; cursor.links_stored < links.size(); ++cursor.links_stored) {
      const auto& link = links[cursor.links_stored];
      if (link.kind != logs::WandbLinkKind::run) continue;
      if (auto ok = m_store.add_wandb_url(job.id, link.target); !ok) return ok;
    }
    // Record the start of the unfinished line, not the raw end: a restarted scan reads that
    // line whole again, so a link split across two reads is still found. Only after the links
    // are stored, so a crash in between rescans rather than skips.
    const std::uint64_t resume = cursor.offset - cursor.scanner.unfinished_line_size();
    if (resume != cursor.recorded) {
      if (auto ok = m_store.record_wandb_scan_offset(job.id, resume, reading.stream); !ok) {
        return ok;
      }
      cursor.recorded = resume;
    }
  }
  if (ended) {
    for (const auto& reading : readings) m_logs.erase(LogKey{job.id.value, reading.stream});
  }
  return outcome;
}

}  // namespace sortie::jobs

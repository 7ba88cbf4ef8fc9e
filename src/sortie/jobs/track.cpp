#include "sortie/jobs/track.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace sortie::jobs {
namespace {

std::string with_job_id(std::string pattern, const store::Job& job) {
  if (!job.slurm_job_id || pattern.empty()) return {};
  const std::string id = std::to_string(job.slurm_job_id->value);
  for (auto at = pattern.find("%j"); at != std::string::npos; at = pattern.find("%j", at)) {
    pattern.replace(at, 2, id);
    at += id.size();
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

bool is_running_or_final(const store::Job& job) {
  if (!job.status.state) return false;
  const auto state = *job.status.state;
  return state == slurm::JobState::running || state == slurm::JobState::completing ||
         slurm::is_final(state);
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

core::Result<TickReport> Tracker::tick(const config::Cluster& cluster, remote::Remote& remote) {
  TickReport report;
  auto unfinished = m_store.unfinished_jobs(store::ClusterName{cluster.name});
  if (!unfinished) return std::unexpected(unfinished.error());

  // Sort the jobs: those SLURM has an id for, and those whose submission is unsettled.
  std::map<std::string, store::Job> by_slurm_id;
  std::vector<std::string> ids;
  std::vector<store::Job> submitting;
  for (auto& job : *unfinished) {
    if (job.status.phase == store::Phase::submitting) {
      submitting.push_back(job);
    } else if (job.slurm_job_id) {
      auto id = std::to_string(job.slurm_job_id->value);
      ids.push_back(id);
      by_slurm_id.emplace(std::move(id), std::move(job));
    }
  }

  // sacct only for jobs the controller no longer listed (all of them on a first tick), over a
  // lookback that reaches the oldest of them.
  const auto now = m_options.clock();
  const auto previous = m_listed.find(cluster.name);
  std::vector<std::string> sacct_ids;
  store::Timestamp oldest = now;
  for (const auto& id : ids) {
    if (previous == m_listed.end() ||
        !previous->second.contains(by_slurm_id.at(id).slurm_job_id->value)) {
      sacct_ids.push_back(id);
      oldest = std::min(oldest, by_slurm_id.at(id).updated_at);
    }
  }
  for (const auto& job : submitting) oldest = std::min(oldest, job.created_at);
  auto lookback = std::chrono::ceil<std::chrono::minutes>(now - oldest) + std::chrono::minutes(10);
  lookback = std::clamp(lookback, std::chrono::minutes(10), std::chrono::minutes(60 * 24 * 30));

  // One exchange for the whole cluster, whatever the number of jobs.
  const std::string user = cluster.user().value_or("");
  std::vector<remote::Command> commands;
  std::optional<std::size_t> squeue_at;
  std::optional<std::size_t> sacct_at;
  if (!ids.empty()) {
    squeue_at = commands.size();
    commands.push_back(slurm::squeue_jobs(ids));
  }
  if (!sacct_ids.empty()) {
    sacct_at = commands.size();
    commands.push_back(slurm::sacct_jobs(sacct_ids, lookback));
  }
  // Without accounting, scontrol is the only one that may still know a job that left squeue.
  const bool no_accounting = m_no_accounting.contains(cluster.name);
  const std::size_t scontrol_at = commands.size();
  if (no_accounting) {
    for (const auto& id : sacct_ids) commands.push_back(slurm::scontrol_show_job(id));
  }
  const std::size_t lookups_at = commands.size();
  for (const auto& job : submitting) {
    commands.push_back(
        without_empty_user(slurm::squeue_by_name(user, job.spec.submission_key.value)));
    commands.push_back(
        without_empty_user(slurm::sacct_by_name(user, job.spec.submission_key.value, lookback)));
  }
  if (commands.empty()) return report;

  auto outputs = remote.run(commands, m_options.timeout, remote::OnFailure::continue_batch);
  report.exchanges = 1;
  if (!outputs) return std::unexpected(outputs.error());
  if (outputs->size() != commands.size()) {
    return core::fail(core::ErrorCode::parse_error,
                      "the tracking exchange returned too few outputs");
  }

  // Read every answer before recording anything: a partial answer must not half-update.
  std::vector<slurm::JobInfo> queued;
  if (squeue_at) {
    auto read = slurm::read_squeue_jobs((*outputs)[*squeue_at]);
    if (!read) return std::unexpected(read.error());
    queued = std::move(*read);
  }
  slurm::SacctAnswer accounted;
  if (sacct_at) {
    auto read = slurm::read_sacct_jobs((*outputs)[*sacct_at]);
    if (!read) return std::unexpected(read.error());
    accounted = std::move(*read);
    if (accounted.accounting == slurm::Accounting::disabled) {
      m_no_accounting.insert(cluster.name);
    } else {
      m_no_accounting.erase(cluster.name);
    }
  }
  if (no_accounting) {
    for (std::size_t i = 0; i < sacct_ids.size(); ++i) {
      auto read = slurm::read_scontrol_job((*outputs)[scontrol_at + i], sacct_ids[i]);
      if (!read) {
        if (read.error().code == core::ErrorCode::not_found) continue;
        return std::unexpected(read.error());
      }
      accounted.jobs.insert(accounted.jobs.end(), read->begin(), read->end());
    }
  }
  std::vector<std::vector<slurm::JobInfo>> found_by_key;
  for (std::size_t i = 0; i < submitting.size(); ++i) {
    auto in_queue = slurm::read_squeue_jobs((*outputs)[lookups_at + 2 * i]);
    if (!in_queue) return std::unexpected(in_queue.error());
    auto in_accounting = slurm::read_sacct_jobs((*outputs)[lookups_at + 2 * i + 1]);
    if (!in_accounting) return std::unexpected(in_accounting.error());
    auto all = std::move(*in_queue);
    all.insert(all.end(), in_accounting->jobs.begin(), in_accounting->jobs.end());
    found_by_key.push_back(slurm::find_by_key(all, submitting[i].spec.submission_key.value));
  }

  // Record what the controller says; remember which jobs it still lists.
  std::set<std::int64_t> listed;
  for (const auto& info : queued) {
    auto job = by_slurm_id.find(info.job_id);
    if (job == by_slurm_id.end()) continue;
    listed.insert(job->second.slurm_job_id->value);
    auto recorded = m_store.record_state(job->second.id, state_update(info));
    if (!recorded) return std::unexpected(recorded.error());
    if (*recorded) ++report.state_changes;
  }
  m_listed[cluster.name] = listed;

  // Then what accounting says of the jobs that left the controller.
  std::set<std::string> accounted_ids;
  for (const auto& info : accounted.jobs) {
    auto job = by_slurm_id.find(info.job_id);
    if (job == by_slurm_id.end() || listed.contains(job->second.slurm_job_id->value)) continue;
    accounted_ids.insert(info.job_id);
    auto recorded = m_store.record_state(job->second.id, state_update(info));
    if (!recorded) return std::unexpected(recorded.error());
    if (*recorded) ++report.state_changes;
  }
  for (const auto& id : ids) {
    if (!listed.contains(by_slurm_id.at(id).slurm_job_id->value) && !accounted_ids.contains(id) &&
        sacct_at) {
      report.unknown.push_back(id);
    }
  }

  // Settle each unsettled submission by what SLURM holds under its key; never sbatch again.
  for (std::size_t i = 0; i < submitting.size(); ++i) {
    const auto& job = submitting[i];
    const auto& found = found_by_key[i];
    if (!found.empty()) {
      auto number = parse_job_number(found.front().job_id);
      if (!number) continue;
      auto marked = m_store.mark_submitted(job.id, store::SlurmJobId{*number});
      if (!marked) return std::unexpected(marked.error());
      if (*marked) {
        ++report.reconciled;
        auto recorded = m_store.record_state(job.id, state_update(found.front()));
        if (!recorded) return std::unexpected(recorded.error());
      }
      continue;
    }
    if (now - std::max(job.created_at, job.updated_at) < m_options.submit_grace) continue;
    auto marked = m_store.mark_submit_failed(
        job.id, fmt::format("SLURM has no job named {}: the submission did not reach SLURM",
                            job.spec.submission_key.value));
    if (!marked) return std::unexpected(marked.error());
    if (*marked) ++report.failed;
  }

  // W&B links: new log bytes of jobs that run or just ended.
  for (const auto& [id, before] : by_slurm_id) {
    auto job = m_store.job(before.id);
    if (!job) return std::unexpected(job.error());
    if (!is_running_or_final(*job)) continue;
    (void)scan_log(remote, *job);  // a log not readable yet is read on a later tick
  }
  return report;
}

core::Result<void> Tracker::scan_log(remote::Remote& remote, const store::Job& job) {
  const std::string path = stdout_path(job);
  if (path.empty()) return {};
  auto found = m_logs.find(job.id.value);
  if (found == m_logs.end()) {
    // First sight of this job in this process: resume where an earlier one stopped.
    auto resume = m_store.wandb_scan_offset(job.id);
    if (!resume) return std::unexpected(resume.error());
    LogCursor fresh;
    fresh.offset = *resume;
    fresh.recorded = *resume;
    found = m_logs.emplace(job.id.value, std::move(fresh)).first;
  }
  auto& cursor = found->second;
  if (cursor.finished) return {};
  constexpr std::uint64_t kChunk = 1u << 20;
  std::uint64_t read_now = 0;
  while (read_now < m_options.log_read_limit) {
    auto chunk = remote.read_file(path, cursor.offset, kChunk);
    if (!chunk) return std::unexpected(chunk.error());
    cursor.scanner.feed(*chunk);
    cursor.offset += chunk->size();
    read_now += chunk->size();
    if (chunk->size() < kChunk) break;
  }
  const bool ended = job.status.state && slurm::is_final(*job.status.state);
  if (ended) {
    cursor.scanner.finish();
    cursor.finished = true;
  }
  for (const auto& link : cursor.scanner.links()) {
    if (link.kind != logs::WandbLinkKind::run) continue;
    if (auto ok = m_store.add_wandb_url(job.id, link.target); !ok) return ok;
  }
  // Record the start of the unfinished line, not the raw end: a restarted scan reads that line
  // whole again, so a link split across two reads is still found. Only after the links are
  // stored, so a crash in between rescans rather than skips.
  const std::uint64_t resume = cursor.offset - cursor.scanner.unfinished_line_size();
  if (resume != cursor.recorded) {
    if (auto ok = m_store.record_wandb_scan_offset(job.id, resume); !ok) return ok;
    cursor.recorded = resume;
  }
  if (ended) m_logs.erase(job.id.value);
  return {};
}

}  // namespace sortie::jobs

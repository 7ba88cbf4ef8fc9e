// Store: jobs and their events.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cassert>
#include <unordered_map>
#include <utility>

#include "sortie/store/columns.hpp"
#include "sortie/store/store.hpp"

namespace sortie::store {
namespace {

constexpr std::string_view k_select_job =
    "SELECT id, project_id, cluster, submission_key, name, phase, slurm_job_id, state, reason, "
    "exit_code, signal, cancelled_by, submitted_at, started_at, ended_at, nodes, "
    "elapsed_seconds, partition, gpu_type, gpu_count, node_count, tasks, cpus_per_task, memory, "
    "time_limit_minutes, account, qos, constraints, command, delivery_mode, delivery_commit, "
    "snapshot_hash, workspace, script, stdout_path, stderr_path, rerun_of, sweep_id, "
    "array_task_index, created_at, updated_at FROM jobs ";
// The same columns for tracking: what SLURM reports on and where the logs are; the rest (the
// script alone is kilobytes) as empty values. The tracker reads every unfinished job on every
// tick, so this is most of a tick's cost.
constexpr std::string_view k_select_tracked_job =
    "SELECT id, project_id, cluster, submission_key, name, phase, slurm_job_id, state, reason, "
    "exit_code, signal, cancelled_by, submitted_at, started_at, ended_at, nodes, "
    "elapsed_seconds, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', "
    "delivery_mode, '', NULL, workspace, '', stdout_path, stderr_path, NULL, sweep_id, "
    "array_task_index, created_at, updated_at FROM jobs ";

// Names of the lists in job_lists.
constexpr std::string_view k_arguments = "argument";
constexpr std::string_view k_sbatch_lines = "sbatch_line";
constexpr std::string_view k_changed_files = "changed_file";
constexpr std::string_view k_wandb_urls = "wandb_url";

std::string_view to_string(DeliveryMode mode) {
  return mode == DeliveryMode::snapshot ? "snapshot" : "git";
}

core::Error no_job(JobId id) {
  return core::Error{core::ErrorCode::not_found, fmt::format("there is no job {}", id.value)};
}

std::optional<std::string_view> state_column(const std::optional<slurm::JobState>& state) {
  if (!state) return std::nullopt;
  return slurm::to_string(*state);
}

std::optional<slurm::JobState> state_from_column(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return slurm::parse_job_state(*text);
}

core::Result<void> insert_list(Database& database, JobId id, std::string_view list,
                               const std::vector<std::string>& values, std::size_t first = 0) {
  for (std::size_t index = 0; index < values.size(); ++index) {
    auto insert = database.prepare(
        "INSERT INTO job_lists (job_id, list, position, value) VALUES (?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->bind(1, id.value).bind(2, list).bind(3, static_cast<std::int64_t>(first + index));
    insert->bind(4, values[index]);
    if (auto ran = insert->run(); !ran) return ran;
  }
  return {};
}

Job read_job_row(const Statement& row) {
  Job job;
  int column = 0;
  job.id = JobId{row.integer(column++)};
  job.spec.project = ProjectId{row.integer(column++)};
  job.spec.cluster = ClusterName{row.text(column++)};
  job.spec.submission_key = SubmissionKey{row.text(column++)};
  job.spec.name = row.text(column++);
  job.status.phase = parse_phase(row.text(column++)).value_or(Phase::submitting);
  if (auto slurm_id = row.optional_integer(column++)) job.slurm_job_id = SlurmJobId{*slurm_id};
  job.status.state = state_from_column(row.optional_text(column++));
  job.reason = row.text(column++);
  job.exit_code = row.optional_small_integer(column++);
  job.signal = row.optional_small_integer(column++);
  job.cancelled_by = row.optional_text(column++);
  job.submitted_at = timestamp_from_column(row.optional_integer(column++));
  job.started_at = timestamp_from_column(row.optional_integer(column++));
  job.ended_at = timestamp_from_column(row.optional_integer(column++));
  job.nodes = row.optional_text(column++);
  job.elapsed_seconds = row.optional_integer(column++);
  auto& resources = job.spec.resources;
  resources.partition = row.optional_text(column++);
  resources.gpu_type = row.optional_text(column++);
  resources.gpu_count = row.optional_small_integer(column++);
  resources.nodes = row.optional_small_integer(column++);
  resources.tasks = row.optional_small_integer(column++);
  resources.cpus_per_task = row.optional_small_integer(column++);
  resources.memory = row.optional_text(column++);
  resources.time_limit_minutes = row.optional_small_integer(column++);
  resources.account = row.optional_text(column++);
  resources.qos = row.optional_text(column++);
  resources.constraint = row.optional_text(column++);
  job.spec.command = row.text(column++);
  job.spec.code.mode =
      row.text(column++) == "snapshot" ? DeliveryMode::snapshot : DeliveryMode::git;
  job.spec.code.commit = row.text(column++);
  job.spec.code.snapshot_hash = row.optional_text(column++);
  job.rendered.workspace = row.text(column++);
  job.rendered.script = row.text(column++);
  job.rendered.stdout_path = row.text(column++);
  job.rendered.stderr_path = row.text(column++);
  if (auto rerun_of = row.optional_integer(column++)) job.spec.rerun_of = JobId{*rerun_of};
  if (auto sweep = row.optional_text(column++)) job.spec.sweep = SweepId{*sweep};
  job.spec.array_task_index = row.optional_small_integer(column++);
  job.created_at = timestamp_from_column(row.integer(column++));
  job.updated_at = timestamp_from_column(row.integer(column++));
  return job;
}

std::string state_detail(const StateUpdate& update) {
  std::string detail = update.reason;
  auto add = [&detail](const std::string& text) {
    if (!detail.empty()) detail += "; ";
    detail += text;
  };
  if (update.exit_code) add(fmt::format("exit code {}", *update.exit_code));
  if (update.signal) add(fmt::format("signal {}", *update.signal));
  if (update.cancelled_by) add(fmt::format("cancelled by {}", *update.cancelled_by));
  return detail;
}

// The job's current phase inside a transaction, or not_found.
core::Result<Phase> phase_of(Database& database, JobId id) {
  auto select = database.prepare("SELECT phase FROM jobs WHERE id = ?");
  if (!select) return std::unexpected(select.error());
  select->bind(1, id.value);
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::unexpected(no_job(id));
  return parse_phase(select->text(0)).value_or(Phase::submitting);
}

}  // namespace

core::Result<Job> Store::create_job(const NewJob& job) {
  return m_database.transaction([&]() -> core::Result<Job> {
    auto id = insert_job(job);
    if (!id) return std::unexpected(id.error());
    return read_job(*id);
  });
}

core::Result<JobId> Store::insert_job(const NewJob& job) {
  return m_database.transaction([&]() -> core::Result<JobId> {
    // Checked under the write lock, so the answer cannot change before the insert.
    if (auto existing = job_by_submission_key(job.submission_key); !existing) {
      return std::unexpected(existing.error());
    } else if (*existing) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("submission key {} is already recorded for job {}",
                                    job.submission_key.value, (*existing)->id.value));
    }
    {
      auto project = m_database.prepare("SELECT 1 FROM projects WHERE id = ?");
      if (!project) return std::unexpected(project.error());
      project->bind(1, job.project.value);
      auto row = project->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) {
        return core::fail(core::ErrorCode::not_found,
                          fmt::format("there is no project {}", job.project.value));
      }
    }
    const auto now = to_column(m_clock());
    auto insert = m_database.prepare(
        "INSERT INTO jobs (project_id, cluster, submission_key, name, phase, partition, gpu_type, "
        "gpu_count, node_count, tasks, cpus_per_task, memory, time_limit_minutes, account, qos, "
        "constraints, command, delivery_mode, delivery_commit, snapshot_hash, rerun_of, sweep_id, "
        "array_task_index, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 'submitting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?)");
    if (!insert) return std::unexpected(insert.error());
    const auto& resources = job.resources;
    int parameter = 1;
    insert->bind(parameter++, job.project.value);
    insert->bind(parameter++, job.cluster.value);
    insert->bind(parameter++, job.submission_key.value);
    insert->bind(parameter++, job.name);
    insert->bind(parameter++, resources.partition);
    insert->bind(parameter++, resources.gpu_type);
    insert->bind(parameter++, resources.gpu_count);
    insert->bind(parameter++, resources.nodes);
    insert->bind(parameter++, resources.tasks);
    insert->bind(parameter++, resources.cpus_per_task);
    insert->bind(parameter++, resources.memory);
    insert->bind(parameter++, resources.time_limit_minutes);
    insert->bind(parameter++, resources.account);
    insert->bind(parameter++, resources.qos);
    insert->bind(parameter++, resources.constraint);
    insert->bind(parameter++, job.command);
    insert->bind(parameter++, to_string(job.code.mode));
    insert->bind(parameter++, job.code.commit);
    insert->bind(parameter++, job.code.snapshot_hash);
    if (job.rerun_of) {
      insert->bind(parameter++, job.rerun_of->value);
    } else {
      insert->bind_null(parameter++);
    }
    if (job.sweep) {
      insert->bind(parameter++, job.sweep->value);
    } else {
      insert->bind_null(parameter++);
    }
    insert->bind(parameter++, job.array_task_index);
    insert->bind(parameter++, now);
    insert->bind(parameter++, now);
    if (auto ran = insert->run(); !ran) return std::unexpected(ran.error());
    const JobId id{m_database.last_insert_id()};

    for (const auto& [list, values] : {std::pair{k_arguments, &job.arguments},
                                       {k_sbatch_lines, &resources.extra_sbatch_lines},
                                       {k_changed_files, &job.code.changed_files}}) {
      if (auto inserted = insert_list(m_database, id, list, *values); !inserted) {
        return std::unexpected(inserted.error());
      }
    }
    if (auto event = append_event(id, std::nullopt, JobStatus{Phase::submitting, std::nullopt},
                                  "recorded for submission", timestamp_from_column(now));
        !event) {
      return std::unexpected(event.error());
    }
    return id;
  });
}

core::Result<bool> Store::record_rendered(JobId id, const RenderedJob& rendered) {
  return m_database.transaction([&]() -> core::Result<bool> {
    auto update = m_database.prepare(
        "UPDATE jobs SET workspace = ?, script = ?, stdout_path = ?, stderr_path = ?, "
        "updated_at = ? WHERE id = ? AND phase = 'submitting'");
    if (!update) return std::unexpected(update.error());
    update->bind(1, rendered.workspace).bind(2, rendered.script).bind(3, rendered.stdout_path);
    update->bind(4, rendered.stderr_path).bind(5, to_column(m_clock())).bind(6, id.value);
    if (auto ran = update->run(); !ran) return std::unexpected(ran.error());
    if (m_database.changes() == 1) return true;
    if (auto phase = phase_of(m_database, id); !phase) return std::unexpected(phase.error());
    return false;
  });
}

core::Result<bool> Store::mark_submitted(JobId id, SlurmJobId slurm_job_id) {
  return m_database.transaction([&]() -> core::Result<bool> {
    auto phase = phase_of(m_database, id);
    if (!phase) return std::unexpected(phase.error());
    if (*phase != Phase::submitting) return false;
    auto current = job(id);
    if (!current) return std::unexpected(current.error());
    auto other =
        job_by_slurm_id(current->spec.cluster, slurm_job_id, current->spec.array_task_index);
    if (!other) return std::unexpected(other.error());
    if (*other) {
      return core::fail(
          core::ErrorCode::invalid_argument,
          fmt::format("SLURM job {} on {} is already recorded as job {}", slurm_job_id.value,
                      current->spec.cluster.value, (*other)->id.value));
    }
    const auto now = m_clock();
    auto update = m_database.prepare(
        "UPDATE jobs SET phase = 'submitted', slurm_job_id = ?, state = 'PENDING', "
        "submitted_at = ?, updated_at = ? WHERE id = ? AND phase = 'submitting'");
    if (!update) return std::unexpected(update.error());
    update->bind(1, slurm_job_id.value).bind(2, to_column(now)).bind(3, to_column(now));
    update->bind(4, id.value);
    if (auto ran = update->run(); !ran) return std::unexpected(ran.error());
    if (m_database.changes() != 1) return false;
    auto event = append_event(id, JobStatus{Phase::submitting, std::nullopt},
                              JobStatus{Phase::submitted, slurm::JobState::pending},
                              fmt::format("SLURM job {}", slurm_job_id.value), now);
    if (!event) return std::unexpected(event.error());
    return true;
  });
}

core::Result<bool> Store::mark_submit_failed(JobId id, std::string_view reason) {
  return m_database.transaction([&]() -> core::Result<bool> {
    const auto now = m_clock();
    auto update = m_database.prepare(
        "UPDATE jobs SET phase = 'submit_failed', finished = 1, reason = ?, updated_at = ? "
        "WHERE id = ? AND phase = 'submitting'");
    if (!update) return std::unexpected(update.error());
    update->bind(1, reason).bind(2, to_column(now)).bind(3, id.value);
    if (auto ran = update->run(); !ran) return std::unexpected(ran.error());
    if (m_database.changes() != 1) {
      if (auto phase = phase_of(m_database, id); !phase) return std::unexpected(phase.error());
      return false;
    }
    auto event = append_event(id, JobStatus{Phase::submitting, std::nullopt},
                              JobStatus{Phase::submit_failed, std::nullopt}, reason, now);
    if (!event) return std::unexpected(event.error());
    return true;
  });
}

core::Result<bool> Store::record_state(JobId id, const StateUpdate& update) {
  return m_database.transaction([&]() -> core::Result<bool> {
    auto select = m_database.prepare(
        "SELECT phase, state, reason, exit_code, signal, cancelled_by, started_at, ended_at, "
        "nodes, elapsed_seconds FROM jobs WHERE id = ?");
    if (!select) return std::unexpected(select.error());
    select->bind(1, id.value);
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(no_job(id));
    const auto phase = parse_phase(select->text(0));
    if (phase != Phase::submitted) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("job {} has no SLURM job yet (it is {})", id.value,
                                    to_string(phase.value_or(Phase::submitting))));
    }
    const auto old_state = state_from_column(select->optional_text(1));
    if (old_state && slurm::is_final(*old_state) && !slurm::is_final(update.state)) return false;

    const auto old_reason = select->text(2);
    const auto exit_code = update.exit_code ? update.exit_code : select->optional_small_integer(3);
    const auto signal = update.signal ? update.signal : select->optional_small_integer(4);
    const auto cancelled_by = update.cancelled_by ? update.cancelled_by : select->optional_text(5);
    const auto started_at =
        update.started_at ? update.started_at : timestamp_from_column(select->optional_integer(6));
    const auto ended_at =
        update.ended_at ? update.ended_at : timestamp_from_column(select->optional_integer(7));
    const auto nodes = update.nodes ? update.nodes : select->optional_text(8);
    const auto elapsed =
        update.elapsed_seconds ? update.elapsed_seconds : select->optional_integer(9);

    const bool transition = old_state != update.state || old_reason != update.reason;
    const bool changed =
        transition || exit_code != select->optional_small_integer(3) ||
        signal != select->optional_small_integer(4) || cancelled_by != select->optional_text(5) ||
        to_column(started_at) != select->optional_integer(6) ||
        to_column(ended_at) != select->optional_integer(7) || nodes != select->optional_text(8) ||
        elapsed != select->optional_integer(9);
    if (!changed) return false;

    const auto now = m_clock();
    const JobStatus to{Phase::submitted, update.state};
    auto write = m_database.prepare(
        "UPDATE jobs SET state = ?, finished = ?, reason = ?, exit_code = ?, signal = ?, "
        "cancelled_by = ?, started_at = ?, ended_at = ?, nodes = ?, elapsed_seconds = ?, "
        "updated_at = ? WHERE id = ?");
    if (!write) return std::unexpected(write.error());
    write->bind(1, slurm::to_string(update.state)).bind(2, is_finished(to) ? 1 : 0);
    write->bind(3, update.reason).bind(4, exit_code).bind(5, signal).bind(6, cancelled_by);
    write->bind(7, to_column(started_at)).bind(8, to_column(ended_at)).bind(9, nodes);
    write->bind(10, elapsed).bind(11, to_column(now)).bind(12, id.value);
    if (auto ran = write->run(); !ran) return std::unexpected(ran.error());
    if (!transition) return false;
    auto event =
        append_event(id, JobStatus{Phase::submitted, old_state}, to, state_detail(update), now);
    if (!event) return std::unexpected(event.error());
    return true;
  });
}

core::Result<void> Store::add_wandb_url(JobId id, std::string_view url) {
  return m_database.transaction([&]() -> core::Result<void> {
    if (auto phase = phase_of(m_database, id); !phase) return std::unexpected(phase.error());
    auto select = m_database.prepare(
        "SELECT count(*), coalesce(sum(value = ?), 0) FROM job_lists WHERE job_id = ? AND list = "
        "?");
    if (!select) return std::unexpected(select.error());
    select->bind(1, url).bind(2, id.value).bind(3, k_wandb_urls);
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (select->integer(1) > 0) return {};
    const auto position = static_cast<std::size_t>(select->integer(0));
    return insert_list(m_database, id, k_wandb_urls, {std::string(url)}, position);
  });
}

core::Result<std::uint64_t> Store::wandb_scan_offset(JobId id, LogStream stream) {
  return m_database.read_transaction([&]() -> core::Result<std::uint64_t> {
    auto select = m_database.prepare(
        stream == LogStream::out ? "SELECT wandb_scan_offset FROM jobs WHERE id = ?"
                                 : "SELECT wandb_stderr_scan_offset FROM jobs WHERE id = ?");
    if (!select) return std::unexpected(select.error());
    select->bind(1, id.value);
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(no_job(id));
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, select->integer(0)));
  });
}

core::Result<void> Store::record_wandb_scan_offset(JobId id, std::uint64_t offset,
                                                   LogStream stream) {
  return m_database.transaction([&]() -> core::Result<void> {
    auto update = m_database.prepare(
        stream == LogStream::out ? "UPDATE jobs SET wandb_scan_offset = ? WHERE id = ?"
                                 : "UPDATE jobs SET wandb_stderr_scan_offset = ? WHERE id = ?");
    if (!update) return std::unexpected(update.error());
    update->bind(1, static_cast<std::int64_t>(offset)).bind(2, id.value);
    if (auto ran = update->run(); !ran) return ran;
    if (m_database.changes() == 0) return std::unexpected(no_job(id));
    return {};
  });
}

core::Result<bool> Store::delete_job(JobId id) {
  return m_database.transaction([&]() -> core::Result<bool> {
    // Events and lists go by ON DELETE CASCADE; reruns keep existing with rerun_of NULL.
    auto remove = m_database.prepare("DELETE FROM jobs WHERE id = ?");
    if (!remove) return std::unexpected(remove.error());
    remove->bind(1, id.value);
    if (auto ran = remove->run(); !ran) return std::unexpected(ran.error());
    return m_database.changes() == 1;
  });
}

core::Result<Job> Store::job(JobId id) {
  return m_database.read_transaction([&]() -> core::Result<Job> { return read_job(id); });
}

core::Result<Job> Store::read_job(JobId id) {
  auto select = m_database.prepare(std::string(k_select_job) + "WHERE id = ?");
  if (!select) return std::unexpected(select.error());
  select->bind(1, id.value);
  auto found = single_job(*select);
  if (!found) return std::unexpected(found.error());
  if (!*found) return std::unexpected(no_job(id));
  return std::move(**found);
}

core::Result<std::optional<Job>> Store::job_by_submission_key(const SubmissionKey& key) {
  return m_database.read_transaction([&]() -> core::Result<std::optional<Job>> {
    auto select = m_database.prepare(std::string(k_select_job) + "WHERE submission_key = ?");
    if (!select) return std::unexpected(select.error());
    select->bind(1, key.value);
    return single_job(*select);
  });
}

core::Result<std::optional<Job>> Store::job_by_slurm_id(const ClusterName& cluster,
                                                        SlurmJobId slurm_job_id,
                                                        std::optional<int> array_task_index) {
  return m_database.read_transaction([&]() -> core::Result<std::optional<Job>> {
    // The expression matches the unique index jobs_by_slurm_id, so the lookup uses it.
    auto select = m_database.prepare(
        std::string(k_select_job) +
        "WHERE cluster = ? AND slurm_job_id = ? AND coalesce(array_task_index, -1) = ?");
    if (!select) return std::unexpected(select.error());
    select->bind(1, cluster.value).bind(2, slurm_job_id.value);
    select->bind(3, array_task_index.value_or(-1));
    return single_job(*select);
  });
}

core::Result<std::vector<Job>> Store::unfinished_jobs(const ClusterName& cluster) {
  return m_database.read_transaction([&]() -> core::Result<std::vector<Job>> {
    auto select = m_database.prepare(std::string(k_select_tracked_job) +
                                     "WHERE cluster = ? AND finished = 0 ORDER BY id");
    if (!select) return std::unexpected(select.error());
    select->bind(1, cluster.value);
    std::vector<Job> jobs;
    for (;;) {
      auto row = select->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      jobs.push_back(read_job_row(*select));
    }
    return jobs;
  });
}

core::Result<ChangeToken> Store::change_token() {
  auto version = m_database.data_version();
  if (!version) return std::unexpected(version.error());
  return ChangeToken{*version, m_database.total_changes()};
}

namespace {

// The WHERE clause for `filter` (plus an optional cursor), with parameters from 1 in order.
std::string where_clause(const JobFilter& filter, bool with_cursor) {
  std::vector<std::string_view> terms;
  if (filter.sweep) terms.push_back("sweep_id = ?");
  if (filter.project) terms.push_back("project_id = ?");
  if (filter.cluster) terms.push_back("cluster = ?");
  if (filter.phase) terms.push_back("phase = ?");
  if (filter.state) terms.push_back("state = ?");
  if (with_cursor) terms.push_back("id < ?");
  if (terms.empty()) return "";
  return fmt::format("WHERE {} ", fmt::join(terms, " AND "));
}

int bind_filter(Statement& statement, const JobFilter& filter) {
  int parameter = 1;
  if (filter.sweep) statement.bind(parameter++, filter.sweep->value);
  if (filter.project) statement.bind(parameter++, filter.project->value);
  if (filter.cluster) statement.bind(parameter++, filter.cluster->value);
  if (filter.phase) statement.bind(parameter++, to_string(*filter.phase));
  if (filter.state) statement.bind(parameter++, slurm::to_string(*filter.state));
  return parameter;
}

}  // namespace

core::Result<JobPage> Store::list_jobs(const JobFilter& filter, const PageRequest& page) {
  assert(page.limit > 0);
  auto jobs = m_database.read_transaction([&]() -> core::Result<std::vector<Job>> {
    auto select = m_database.prepare(std::string(k_select_job) +
                                     where_clause(filter, page.before.has_value()) +
                                     "ORDER BY id DESC LIMIT ? OFFSET ?");
    if (!select) return std::unexpected(select.error());
    int parameter = bind_filter(*select, filter);
    if (page.before) select->bind(parameter++, page.before->value);
    // One row more than asked says whether another page follows.
    select->bind(parameter++, page.limit + 1);
    select->bind(parameter, page.offset);
    return read_jobs(*select, static_cast<std::size_t>(page.limit) + 1);
  });
  if (!jobs) return std::unexpected(jobs.error());
  JobPage result;
  if (jobs->size() > static_cast<std::size_t>(page.limit)) {
    jobs->pop_back();
    result.next_cursor = jobs->back().id;
  }
  result.jobs = std::move(*jobs);
  return result;
}

core::Result<std::int64_t> Store::count_jobs(const JobFilter& filter) {
  auto select = m_database.prepare("SELECT count(*) FROM jobs " + where_clause(filter, false));
  if (!select) return std::unexpected(select.error());
  bind_filter(*select, filter);
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  return select->integer(0);
}

namespace {

// Reads the rows of a SELECT of job_events(id, job_id, at, from_phase, from_state, to_phase,
// to_state, detail).
core::Result<std::vector<JobEvent>> read_events(Statement& select) {
  std::vector<JobEvent> events;
  for (;;) {
    auto row = select.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return events;
    JobEvent event;
    event.sequence = select.integer(0);
    event.job = JobId{select.integer(1)};
    event.at = timestamp_from_column(select.integer(2));
    if (auto from_phase = select.optional_text(3)) {
      event.from = JobStatus{parse_phase(*from_phase).value_or(Phase::submitting),
                             state_from_column(select.optional_text(4))};
    }
    event.to = JobStatus{parse_phase(select.text(5)).value_or(Phase::submitting),
                         state_from_column(select.optional_text(6))};
    event.detail = select.text(7);
    events.push_back(std::move(event));
  }
}

constexpr std::string_view k_select_events =
    "SELECT id, job_id, at, from_phase, from_state, to_phase, to_state, detail FROM job_events ";

}  // namespace

core::Result<std::vector<JobEvent>> Store::events(JobId id) {
  auto select = m_database.prepare(fmt::format("{} WHERE job_id = ? ORDER BY id", k_select_events));
  if (!select) return std::unexpected(select.error());
  select->bind(1, id.value);
  return read_events(*select);
}

core::Result<std::vector<JobEvent>> Store::events_after(std::int64_t sequence, int limit) {
  auto select =
      m_database.prepare(fmt::format("{} WHERE id > ? ORDER BY id LIMIT ?", k_select_events));
  if (!select) return std::unexpected(select.error());
  select->bind(1, sequence).bind(2, static_cast<std::int64_t>(limit));
  return read_events(*select);
}

core::Result<std::int64_t> Store::latest_event_sequence() {
  auto select = m_database.prepare("SELECT coalesce(max(id), 0) FROM job_events");
  if (!select) return std::unexpected(select.error());
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  return select->integer(0);
}

core::Result<std::vector<Job>> Store::read_jobs(Statement& statement, std::size_t expected) {
  std::vector<Job> jobs;
  jobs.reserve(expected);
  for (;;) {
    auto row = statement.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    jobs.push_back(read_job_row(statement));
  }
  if (auto loaded = load_lists(jobs); !loaded) return std::unexpected(loaded.error());
  return jobs;
}

core::Result<std::optional<Job>> Store::single_job(Statement& statement) {
  auto jobs = read_jobs(statement);
  if (!jobs) return std::unexpected(jobs.error());
  if (jobs->empty()) return std::nullopt;
  return std::move(jobs->front());
}

namespace {

constexpr std::size_t k_list_batch = 64;

// One statement fetches the lists of up to k_list_batch jobs; unused slots are bound to NULL,
// which matches nothing.
std::string list_batch_sql() {
  std::string sql = "SELECT job_id, list, value FROM job_lists WHERE job_id IN (?";
  for (std::size_t slot = 1; slot < k_list_batch; ++slot) sql += ", ?";
  sql += ") ORDER BY job_id, list, position";
  return sql;
}

}  // namespace

core::Result<void> Store::load_lists(std::vector<Job>& jobs) {
  static const std::string k_sql = list_batch_sql();
  std::unordered_map<std::int64_t, Job*> by_id;
  for (std::size_t first = 0; first < jobs.size(); first += k_list_batch) {
    auto select = m_database.prepare(k_sql);
    if (!select) return std::unexpected(select.error());
    by_id.clear();
    for (std::size_t slot = 0; slot < k_list_batch; ++slot) {
      const int parameter = static_cast<int>(slot) + 1;
      if (first + slot < jobs.size()) {
        auto& job = jobs[first + slot];
        by_id.emplace(job.id.value, &job);
        select->bind(parameter, job.id.value);
      } else {
        select->bind_null(parameter);
      }
    }
    for (;;) {
      auto row = select->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      auto& job = *by_id.at(select->integer(0));
      const auto list = select->text(1);
      auto value = select->text(2);
      if (list == k_arguments) {
        job.spec.arguments.push_back(std::move(value));
      } else if (list == k_sbatch_lines) {
        job.spec.resources.extra_sbatch_lines.push_back(std::move(value));
      } else if (list == k_changed_files) {
        job.spec.code.changed_files.push_back(std::move(value));
      } else if (list == k_wandb_urls) {
        job.wandb_urls.push_back(std::move(value));
      }
    }
  }
  return {};
}

core::Result<void> Store::append_event(JobId id, const std::optional<JobStatus>& from,
                                       const JobStatus& to, std::string_view detail, Timestamp at) {
  auto insert = m_database.prepare(
      "INSERT INTO job_events (job_id, at, from_phase, from_state, to_phase, to_state, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return std::unexpected(insert.error());
  insert->bind(1, id.value).bind(2, to_column(at));
  if (from) {
    insert->bind(3, to_string(from->phase)).bind(4, state_column(from->state));
  } else {
    insert->bind_null(3).bind_null(4);
  }
  insert->bind(5, to_string(to.phase)).bind(6, state_column(to.state)).bind(7, detail);
  return insert->run();
}

core::Result<std::vector<Job>> Store::create_sweep(const NewSweep& sweep,
                                                   const std::vector<NewJob>& tasks) {
  return m_database.transaction([&]() -> core::Result<std::vector<Job>> {
    if (tasks.empty()) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("sweep {} has no tasks", sweep.id.value));
    }
    auto exists = m_database.prepare("SELECT 1 FROM sweeps WHERE id = ?");
    if (!exists) return std::unexpected(exists.error());
    exists->bind(1, sweep.id.value);
    auto found = exists->step();
    if (!found) return std::unexpected(found.error());
    if (*found) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("sweep {} is already recorded", sweep.id.value));
    }
    const auto now = to_column(m_clock());
    auto insert = m_database.prepare(
        "INSERT INTO sweeps (id, project_id, cluster, mode, max_parallel, task_count, rerun_of, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->bind(1, sweep.id.value).bind(2, sweep.project.value).bind(3, sweep.cluster.value);
    insert->bind(4, to_string(sweep.mode)).bind(5, sweep.max_parallel);
    insert->bind(6, static_cast<std::int64_t>(tasks.size()));
    if (sweep.rerun_of) {
      insert->bind(7, sweep.rerun_of->value);
    } else {
      insert->bind_null(7);
    }
    insert->bind(8, now);
    if (auto ran = insert->run(); !ran) return std::unexpected(ran.error());
    for (std::size_t i = 0; i < sweep.overrides.size(); ++i) {
      auto item = m_database.prepare(
          "INSERT INTO sweep_overrides (sweep_id, position, value) VALUES (?, ?, ?)");
      if (!item) return std::unexpected(item.error());
      item->bind(1, sweep.id.value).bind(2, static_cast<std::int64_t>(i));
      item->bind(3, sweep.overrides[i]);
      if (auto ran = item->run(); !ran) return std::unexpected(ran.error());
    }
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      assert(tasks[i].sweep == sweep.id);
      assert(tasks[i].array_task_index == static_cast<int>(i));
      if (auto id = insert_job(tasks[i]); !id) return std::unexpected(id.error());
    }
    return read_sweep_tasks(sweep.id);
  });
}

core::Result<int> Store::record_sweep_rendered(const SweepId& sweep, const RenderedJob& rendered) {
  return m_database.transaction([&]() -> core::Result<int> {
    auto update = m_database.prepare(
        "UPDATE jobs SET workspace = ?, script = ?, stdout_path = ?, stderr_path = ?, "
        "updated_at = ? WHERE sweep_id = ? AND phase = 'submitting'");
    if (!update) return std::unexpected(update.error());
    update->bind(1, rendered.workspace).bind(2, rendered.script).bind(3, rendered.stdout_path);
    update->bind(4, rendered.stderr_path).bind(5, to_column(m_clock())).bind(6, sweep.value);
    if (auto ran = update->run(); !ran) return std::unexpected(ran.error());
    return static_cast<int>(m_database.changes());
  });
}

namespace {

// The ids of the sweep's tasks still `submitting`, by index.
core::Result<std::vector<JobId>> submitting_tasks(Database& database, const SweepId& sweep) {
  auto select = database.prepare(
      "SELECT id FROM jobs WHERE sweep_id = ? AND phase = 'submitting' ORDER BY "
      "array_task_index");
  if (!select) return std::unexpected(select.error());
  select->bind(1, sweep.value);
  std::vector<JobId> ids;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return ids;
    ids.push_back(JobId{select->integer(0)});
  }
}

}  // namespace

core::Result<int> Store::mark_sweep_submitted(const SweepId& sweep, SlurmJobId array_job_id) {
  return m_database.transaction([&]() -> core::Result<int> {
    auto ids = submitting_tasks(m_database, sweep);
    if (!ids) return std::unexpected(ids.error());
    if (ids->empty()) return 0;
    auto clash = m_database.prepare(
        "SELECT t.id, t.array_task_index FROM jobs t JOIN jobs o ON o.cluster = t.cluster AND "
        "o.slurm_job_id = ? AND coalesce(o.array_task_index, -1) = "
        "coalesce(t.array_task_index, -1) WHERE t.sweep_id = ? AND t.phase = 'submitting' "
        "LIMIT 1");
    if (!clash) return std::unexpected(clash.error());
    clash->bind(1, array_job_id.value).bind(2, sweep.value);
    auto clashed = clash->step();
    if (!clashed) return std::unexpected(clashed.error());
    if (*clashed) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("SLURM job {}_{} is already recorded as another job",
                                    array_job_id.value, clash->integer(1)));
    }
    const auto now = m_clock();
    auto update = m_database.prepare(
        "UPDATE jobs SET phase = 'submitted', slurm_job_id = ?, state = 'PENDING', "
        "submitted_at = ?, updated_at = ? WHERE sweep_id = ? AND phase = 'submitting'");
    if (!update) return std::unexpected(update.error());
    update->bind(1, array_job_id.value).bind(2, to_column(now)).bind(3, to_column(now));
    update->bind(4, sweep.value);
    if (auto ran = update->run(); !ran) return std::unexpected(ran.error());
    for (const auto id : *ids) {
      auto event = append_event(id, JobStatus{Phase::submitting, std::nullopt},
                                JobStatus{Phase::submitted, slurm::JobState::pending},
                                fmt::format("SLURM array job {}", array_job_id.value), now);
      if (!event) return std::unexpected(event.error());
    }
    return static_cast<int>(ids->size());
  });
}

core::Result<int> Store::mark_sweep_submit_failed(const SweepId& sweep, std::string_view reason) {
  return m_database.transaction([&]() -> core::Result<int> {
    auto ids = submitting_tasks(m_database, sweep);
    if (!ids) return std::unexpected(ids.error());
    if (ids->empty()) return 0;
    const auto now = m_clock();
    auto update = m_database.prepare(
        "UPDATE jobs SET phase = 'submit_failed', finished = 1, reason = ?, updated_at = ? "
        "WHERE sweep_id = ? AND phase = 'submitting'");
    if (!update) return std::unexpected(update.error());
    update->bind(1, reason).bind(2, to_column(now)).bind(3, sweep.value);
    if (auto ran = update->run(); !ran) return std::unexpected(ran.error());
    for (const auto id : *ids) {
      auto event = append_event(id, JobStatus{Phase::submitting, std::nullopt},
                                JobStatus{Phase::submit_failed, std::nullopt}, reason, now);
      if (!event) return std::unexpected(event.error());
    }
    return static_cast<int>(ids->size());
  });
}

core::Result<Sweep> Store::sweep(const SweepId& id) {
  return m_database.read_transaction([&]() -> core::Result<Sweep> {
    auto select = m_database.prepare(
        "SELECT project_id, cluster, mode, max_parallel, task_count, rerun_of, created_at FROM "
        "sweeps WHERE id = ?");
    if (!select) return std::unexpected(select.error());
    select->bind(1, id.value);
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) {
      return core::fail(core::ErrorCode::not_found, fmt::format("there is no sweep {}", id.value));
    }
    Sweep sweep;
    sweep.spec.id = id;
    sweep.spec.project = ProjectId{select->integer(0)};
    sweep.spec.cluster = ClusterName{select->text(1)};
    sweep.spec.mode = select->text(2) == "paired" ? SweepMode::paired : SweepMode::cartesian;
    sweep.spec.max_parallel = select->optional_small_integer(3);
    sweep.task_count = select->small_integer(4);
    if (auto rerun_of = select->optional_text(5)) sweep.spec.rerun_of = SweepId{*rerun_of};
    sweep.created_at = timestamp_from_column(select->integer(6));
    auto overrides = m_database.prepare(
        "SELECT value FROM sweep_overrides WHERE sweep_id = ? ORDER BY position");
    if (!overrides) return std::unexpected(overrides.error());
    overrides->bind(1, id.value);
    for (;;) {
      auto item = overrides->step();
      if (!item) return std::unexpected(item.error());
      if (!*item) break;
      sweep.spec.overrides.push_back(overrides->text(0));
    }
    return sweep;
  });
}

core::Result<std::vector<Job>> Store::sweep_tasks(const SweepId& id) {
  return m_database.read_transaction(
      [&]() -> core::Result<std::vector<Job>> { return read_sweep_tasks(id); });
}

core::Result<std::vector<Job>> Store::read_sweep_tasks(const SweepId& id) {
  auto select = m_database.prepare(std::string(k_select_job) +
                                   "WHERE sweep_id = ? ORDER BY array_task_index, id");
  if (!select) return std::unexpected(select.error());
  select->bind(1, id.value);
  return read_jobs(*select);
}

core::Result<std::vector<SweepId>> Store::find_sweeps(std::string_view text, int limit) {
  return m_database.read_transaction([&]() -> core::Result<std::vector<SweepId>> {
    // A prefix match on the text primary key: substr() keeps '%' and '_' literal.
    auto select = m_database.prepare(
        "SELECT id FROM sweeps WHERE substr(id, 1, length(?1)) = ?1 OR "
        "substr(id, 1, length(?1) + 7) = 'sortie-' || ?1 ORDER BY id LIMIT ?2");
    if (!select) return std::unexpected(select.error());
    select->bind(1, text).bind(2, limit);
    std::vector<SweepId> ids;
    for (;;) {
      auto row = select->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return ids;
      ids.push_back(SweepId{select->text(0)});
    }
  });
}

}  // namespace sortie::store

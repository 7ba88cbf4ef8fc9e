#include "sortie/jobs/submit.hpp"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <random>

#include "sortie/git/sha256.hpp"
#include "sortie/script/default_template.hpp"
#include "sortie/slurm/commands.hpp"
#include "sortie/slurm/node.hpp"
#include "sortie/slurm/partition.hpp"
#include "sortie/slurm/sbatch.hpp"

namespace sortie::jobs {
namespace {

// Prints the absolute workspace, the user name and, when asked about a snapshot, whether it is
// already there (making its folder when it is not, so the upload can write into it).
constexpr std::string_view kWhereScript =
    "ws=$1\n"
    "case $ws in\n"
    "  '~') ws=$HOME ;;\n"
    "  '~/'*) ws=$HOME/${ws#??} ;;\n"
    "  /*) ;;\n"
    "  *) ws=$HOME/$ws ;;\n"
    "esac\n"
    "printf '%s\\n' \"$ws\"\n"
    "id -un\n"
    "if [ -n \"$2\" ]; then\n"
    "  if [ -e \"$ws/$2\" ]; then echo present; else mkdir -p \"$ws/snapshots\" && echo absent; "
    "fi\n"
    "fi\n";

std::string snapshot_relative_path(const CodeToDeliver& code) {
  if (code.record.mode != store::DeliveryMode::snapshot || !code.record.snapshot_hash) return {};
  return fmt::format("snapshots/{}.tar", *code.record.snapshot_hash);
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

store::Resources to_record(const script::CheckedResources& checked) {
  store::Resources resources;
  resources.partition = checked.partition;
  if (!checked.gpu_type.empty()) resources.gpu_type = checked.gpu_type;
  if (checked.gpus_per_node > 0) resources.gpu_count = static_cast<int>(checked.gpus_per_node);
  resources.nodes = static_cast<int>(checked.nodes);
  if (checked.ntasks) resources.tasks = static_cast<int>(*checked.ntasks);
  if (checked.cpus_per_task) resources.cpus_per_task = static_cast<int>(*checked.cpus_per_task);
  resources.memory = checked.memory;
  if (checked.time_limit)
    resources.time_limit_minutes = static_cast<int>(checked.time_limit->count());
  resources.account = checked.account;
  resources.qos = checked.qos;
  resources.constraint = checked.constraint;
  resources.extra_sbatch_lines = checked.extra_sbatch_lines;
  return resources;
}

std::string entry_command_for(const store::Project& project, const std::string& cluster) {
  const auto& settings = project.settings;
  if (auto found = settings.cluster_overrides.find(cluster);
      found != settings.cluster_overrides.end() && found->second.entry_command) {
    return *found->second.entry_command;
  }
  return settings.entry_command;
}

std::vector<std::string> setup_for(const store::Project& project, const std::string& cluster) {
  const auto& settings = project.settings;
  if (auto found = settings.cluster_overrides.find(cluster);
      found != settings.cluster_overrides.end() && found->second.setup) {
    return *found->second.setup;
  }
  return settings.setup;
}

std::optional<std::int64_t> parse_job_number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Why a command of the submission batch (before sbatch) failed: then sbatch certainly did not run.
std::string preparation_failure(const remote::Command& command, const remote::Output& output) {
  std::string detail = output.err.empty() ? output.out : output.err;
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  switch (command.action) {
    case remote::Action::ensure_directory:
      return fmt::format(
          "could not prepare the job on the cluster: could not make the directory "
          "{}: {}",
          command.argv.front(), detail);
    case remote::Action::write_text_file:
      return fmt::format("could not prepare the job on the cluster: could not write {}: {}",
                         command.argv.front(), detail);
    case remote::Action::program:
      break;
  }
  return fmt::format("could not prepare the job on the cluster: `{}` exited with status {}: {}",
                     command.argv.front(), output.exit_code, detail);
}

SubmitOutcome outcome_of(store::Store& store, store::JobId id, std::optional<core::Error> error) {
  auto job = store.job(id);
  if (!job) {
    store::Job unread;
    unread.id = id;
    return SubmitOutcome{std::move(unread), job.error()};
  }
  return SubmitOutcome{std::move(*job), std::move(error)};
}

SubmitOutcome fail_submission(store::Store& store, store::JobId id, const core::Error& error) {
  if (auto marked = store.mark_submit_failed(id, error.message); !marked) {
    return outcome_of(store, id, marked.error());
  }
  return outcome_of(store, id, error);
}

SubmitOutcome leave_for_reconcile(store::Store& store, store::JobId id, const core::Error& error) {
  return outcome_of(
      store, id,
      core::Error{error.code,
                  fmt::format("{} — SLURM may have accepted job {} anyway; it stays 'submitting' "
                              "until `sortie jobs --refresh` asks SLURM for it by its key",
                              error.message, id.value)});
}

}  // namespace

store::SubmissionKey new_submission_key() {
  std::random_device device;
  std::uint64_t value = (std::uint64_t{device()} << 32) ^ device();
  return store::SubmissionKey{fmt::format("sortie-{:016x}", value)};
}

std::optional<ClusterFacts> ClusterFactsCache::get(const std::string& cluster) const {
  std::lock_guard lock(m_mutex);
  auto found = m_entries.find(cluster);
  if (found == m_entries.end()) return std::nullopt;
  if (std::chrono::steady_clock::now() - found->second.learned_at > m_max_age) return std::nullopt;
  return found->second.facts;
}

void ClusterFactsCache::put(const std::string& cluster, ClusterFacts facts) {
  std::lock_guard lock(m_mutex);
  m_entries[cluster] = Entry{std::move(facts), std::chrono::steady_clock::now()};
}

namespace {

struct Learned {
  ClusterFacts facts;
  bool snapshot_present = false;
};

// One exchange: everything validation needs from the cluster.
core::Result<Learned> learn(remote::Remote& remote, const SubmitRequest& request,
                            const std::string& snapshot_relative, const SubmitOptions& options) {
  auto outputs = remote.run({slurm::show_partitions(), slurm::show_nodes(),
                             remote::Command{{"sh", "-c", std::string(kWhereScript), "sh",
                                              request.cluster.workspace, snapshot_relative},
                                             {}}},
                            options.validation_timeout, remote::OnFailure::continue_batch);
  if (!outputs) return std::unexpected(outputs.error());
  if (outputs->size() != 3) {
    return core::fail(core::ErrorCode::parse_error,
                      "the validation exchange returned too few outputs");
  }
  if (auto ok = slurm::check((*outputs)[0], "scontrol show partition"); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = slurm::check((*outputs)[1], "scontrol show node"); !ok) {
    return std::unexpected(ok.error());
  }
  auto partitions = slurm::parse_partitions((*outputs)[0].out);
  if (!partitions) return std::unexpected(partitions.error());
  auto nodes = slurm::parse_nodes((*outputs)[1].out);
  if (!nodes) return std::unexpected(nodes.error());
  const auto where = lines_of((*outputs)[2].out);
  if ((*outputs)[2].exit_code != 0 || where.size() < 2 || where[0].empty() || where[0][0] != '/') {
    return core::fail(
        core::ErrorCode::command_failed,
        fmt::format("could not resolve the workspace '{}' on {}: {}", request.cluster.workspace,
                    request.cluster.name, (*outputs)[2].err));
  }
  Learned learned;
  learned.facts = ClusterFacts{std::move(*partitions), std::move(*nodes), where[0], where[1]};
  learned.snapshot_present = where.size() >= 3 && where[2] == "present";
  return learned;
}

}  // namespace

core::Result<Plan> plan(remote::Remote& remote, const SubmitRequest& request,
                        const store::SubmissionKey& key, const SubmitOptions& options) {
  const std::string snapshot_relative = snapshot_relative_path(request.code);

  // Ask the cluster unless a warm process learned its facts moments ago (git mode only).
  std::optional<Learned> learned;
  if (options.facts_cache && snapshot_relative.empty()) {
    if (auto cached = options.facts_cache->get(request.cluster.name)) {
      learned = Learned{std::move(*cached), false};
    }
  }
  if (!learned) {
    auto asked = learn(remote, request, snapshot_relative, options);
    if (!asked) return std::unexpected(asked.error());
    learned = std::move(*asked);
    if (options.facts_cache) options.facts_cache->put(request.cluster.name, learned->facts);
  }
  const auto& partitions = learned->facts.partitions;
  const auto& nodes = learned->facts.nodes;

  // A snapshot nobody can upload must already be there: fail before anything is recorded.
  if (!snapshot_relative.empty() && !learned->snapshot_present && !request.code.archive) {
    return core::fail(
        core::ErrorCode::not_found,
        fmt::format("snapshot {} is no longer on {} ({}/{}); a rerun reuses the archive the "
                    "original job ran and never snapshots the working tree again (it may have "
                    "changed since): run the tree as it is now with `sortie submit`",
                    request.code.record.snapshot_hash.value_or("").substr(0, 12),
                    request.cluster.name, learned->facts.workspace, snapshot_relative));
  }

  // The resources must fit the cluster before anything is recorded.
  script::Resources resources = request.resources;
  resources.job_name = key.value;
  auto checked = script::check(resources, partitions, nodes, request.cluster);
  if (!checked) return std::unexpected(checked.error());

  Plan result;
  result.key = key;
  result.remote_user = learned->facts.user;
  result.snapshot_present = learned->snapshot_present;
  result.paths.workspace = learned->facts.workspace;
  result.paths.job_dir = fmt::format("{}/jobs/{}", result.paths.workspace, key.value);
  result.paths.script = result.paths.job_dir + ".sbatch";
  if (!snapshot_relative.empty()) {
    result.paths.snapshot = fmt::format("{}/{}", result.paths.workspace, snapshot_relative);
  }
  if (checked->array) result.paths.tasks_dir = result.paths.job_dir + "/tasks";

  // The script names every path absolutely: sbatch and quoted shell words do not expand `~`.
  auto& context = result.context;
  context.resources = *checked;
  context.submission_key = key.value;
  context.cluster = request.cluster.name;
  context.project = request.project.name;
  context.workspace_dir = result.paths.workspace;
  context.job_dir = result.paths.job_dir;
  context.code_dir = result.paths.job_dir + "/code";
  context.commit = request.code.record.commit;
  if (request.code.record.mode == store::DeliveryMode::git) {
    context.delivery = script::CodeDelivery::git;
    context.repository_url = request.code.repository_url;
    // One mirror per repository URL, not per project id: ids repeat across databases, and a
    // mirror fetching from a stale URL would never learn the commit.
    context.clone_cache_dir =
        fmt::format("{}/cache/{}.git", result.paths.workspace,
                    git::sha256_hex(request.code.repository_url).substr(0, 16));
  } else {
    context.delivery = script::CodeDelivery::snapshot;
    context.snapshot_path = result.paths.snapshot;
    context.snapshot_hash = request.code.record.snapshot_hash.value_or("");
  }
  context.setup_lines = setup_for(request.project, request.cluster.name);
  context.entry_command =
      request.entry_command.value_or(entry_command_for(request.project, request.cluster.name));
  context.arguments = request.arguments;
  // An array's tasks differ only by the arguments each reads from its own file.
  if (!result.paths.tasks_dir.empty()) context.task_arguments_dir = result.paths.tasks_dir;

  auto rendered =
      script::render(request.script_template.value_or(script::default_template()), context);
  if (!rendered) return std::unexpected(rendered.error());
  result.script = std::move(*rendered);
  return result;
}

std::vector<remote::Command> submission_commands(const Plan& plan,
                                                 const std::optional<std::string>& partial_archive,
                                                 const std::vector<std::string>& task_files) {
  std::vector<remote::Command> commands;
  // Only sbatch starts a process once <workspace>/jobs exists: the job makes its own directory.
  commands.push_back(remote::Command::ensure_directory(plan.paths.workspace + "/jobs"));
  if (partial_archive) {
    commands.push_back({{"mv", "-f", *partial_archive, plan.paths.snapshot}, {}});
  }
  // Task files are written by the shell's builtins, each verbatim: no quoting to lose.
  if (!task_files.empty()) {
    commands.push_back(remote::Command::ensure_directory(plan.paths.tasks_dir));
    for (std::size_t i = 0; i < task_files.size(); ++i) {
      commands.push_back(remote::Command::write_text_file(
          fmt::format("{}/{}", plan.paths.tasks_dir, i), task_files[i]));
    }
  }
  commands.push_back(remote::Command::write_text_file(plan.paths.script, plan.script));
  commands.push_back({{"sbatch", "--parsable", plan.paths.script}, {}});
  return commands;
}

namespace {

// What became of a submission exchange, before anything is recorded about it.
struct Answer {
  enum class Kind {
    accepted,  // SLURM's job id is known
    refused,   // no SLURM job exists: `error` says why
    unknown,   // SLURM may have accepted it: `error` says why we cannot tell
  };
  Kind kind = Kind::refused;
  store::SlurmJobId job_id;
  core::Error error;
};

Answer refused(core::Error error) {
  return Answer{Answer::Kind::refused, {}, std::move(error)};
}

// The upload (snapshot mode, when the archive is not there yet) and the ONE submission
// exchange, read into an Answer. Records nothing.
Answer exchange(remote::Remote& remote, const SubmitRequest& request, const Plan& planned,
                const std::vector<std::string>& task_files, const SubmitOptions& options) {
  // Upload the snapshot under a partial name; the submission exchange moves it into place, so a
  // broken upload is never mistaken for a complete archive.
  std::optional<std::string> partial_archive;
  if (request.code.record.mode == store::DeliveryMode::snapshot && !planned.snapshot_present) {
    auto archive = request.code.archive();
    if (!archive) return refused(archive.error());
    partial_archive = fmt::format("{}.partial-{}", planned.paths.snapshot, planned.key.value);
    if (auto ok = remote.write_file(*partial_archive, *archive, 0644); !ok) {
      return refused(ok.error());
    }
  }

  // One exchange: make the job dir, write the script, sbatch; stop at the first failure.
  const auto commands = submission_commands(planned, partial_archive, task_files);
  auto outputs = remote.run(commands, options.submission_timeout, remote::OnFailure::stop_batch);
  if (options.checkpoint) options.checkpoint("answered");
  if (!outputs) {
    auto error = slurm::submit_error_from_remote(outputs.error());
    return Answer{error.ambiguous() ? Answer::Kind::unknown : Answer::Kind::refused,
                  {},
                  std::move(error.error)};
  }
  if (outputs->size() < commands.size()) {
    if (outputs->empty()) {
      return refused(core::Error{core::ErrorCode::command_failed,
                                 "the cluster ran none of the submission commands"});
    }
    return refused(
        core::Error{core::ErrorCode::command_failed,
                    preparation_failure(commands[outputs->size() - 1], outputs->back())});
  }

  // SLURM's answer: an id, a certain rejection, or a doubt left to reconcile.
  auto submission = slurm::read_sbatch(outputs->back());
  if (!submission) {
    return Answer{submission.error().ambiguous() ? Answer::Kind::unknown : Answer::Kind::refused,
                  {},
                  std::move(submission.error().error)};
  }
  auto number = parse_job_number(submission->job_id);
  if (!number) {
    return Answer{Answer::Kind::unknown,
                  {},
                  core::Error{core::ErrorCode::parse_error,
                              fmt::format("sbatch answered with job id '{}', which is not a number",
                                          submission->job_id)}};
  }
  return Answer{Answer::Kind::accepted, store::SlurmJobId{*number}, {}};
}

store::NewJob new_job_of(const SubmitRequest& request, const Plan& planned,
                         const store::SubmissionKey& key) {
  store::NewJob new_job;
  new_job.project = request.project.id;
  new_job.cluster = store::ClusterName{request.cluster.name};
  new_job.submission_key = key;
  new_job.name = request.name.empty() ? request.project.name : request.name;
  new_job.resources = to_record(planned.context.resources);
  new_job.command = planned.context.entry_command;
  new_job.arguments = request.arguments;
  new_job.code = request.code.record;
  new_job.rerun_of = request.rerun_of;
  return new_job;
}

}  // namespace

core::Result<SubmitOutcome> submit(store::Store& store, remote::Remote& remote,
                                   const SubmitRequest& request, const SubmitOptions& options) {
  // Validate and render first: a request the cluster cannot run leaves no record.
  const auto key = new_submission_key();
  auto planned = plan(remote, request, key, options);
  if (!planned) return std::unexpected(planned.error());

  // Record the job under its key before anything reaches SLURM, so no job can run unrecorded.
  auto created = store.create_job(new_job_of(request, *planned, key));
  if (!created) return std::unexpected(created.error());
  const store::JobId id = created->id;
  const auto passed = [&](std::string_view step) {
    if (options.checkpoint) options.checkpoint(step);
  };
  passed("recorded");

  // Keep the exact script on record: a crash after this point leaves what was (to be) submitted.
  const script::LogPatterns logs = script::log_patterns(planned->context);
  store::RenderedJob rendered{planned->paths.job_dir, planned->script, logs.out, logs.err};
  if (auto ok = store.record_rendered(id, rendered); !ok) {
    return fail_submission(store, id, ok.error());
  }
  passed("rendered");

  auto answer = exchange(remote, request, *planned, {}, options);
  switch (answer.kind) {
    case Answer::Kind::refused:
      return fail_submission(store, id, answer.error);
    case Answer::Kind::unknown:
      return leave_for_reconcile(store, id, answer.error);
    case Answer::Kind::accepted:
      break;
  }
  if (auto marked = store.mark_submitted(id, answer.job_id); !marked) {
    return outcome_of(store, id, marked.error());
  }
  return outcome_of(store, id, std::nullopt);
}

store::SubmissionKey task_submission_key(const store::SweepId& sweep, int index) {
  return store::SubmissionKey{fmt::format("{}_{}", sweep.value, index)};
}

std::string array_spec(std::size_t count, std::optional<int> max_parallel) {
  std::string spec = count <= 1 ? std::string("0") : fmt::format("0-{}", count - 1);
  if (max_parallel) spec += fmt::format("%{}", *max_parallel);
  return spec;
}

core::Result<void> check_sweep(const SweepRequest& sweep) {
  const auto count = sweep.combinations.size();
  if (count == 0) {
    return core::fail(core::ErrorCode::invalid_argument, "a sweep needs at least one task");
  }
  if (count > k_max_sweep_tasks) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("the sweep has {} tasks, more than the {} one sweep may have: "
                                  "sweep over fewer values, or split it",
                                  count, k_max_sweep_tasks));
  }
  if (sweep.max_parallel && *sweep.max_parallel < 1) {
    return core::fail(
        core::ErrorCode::invalid_argument,
        fmt::format("--parallel {}: at least one task must be able to run", *sweep.max_parallel));
  }
  assert(sweep.task_rerun_of.empty() || sweep.task_rerun_of.size() == count);
  for (std::size_t i = 0; i < count; ++i) {
    if (auto file = script::task_arguments_file(sweep.combinations[i]); !file) {
      return core::fail(file.error().code,
                        fmt::format("task {} of the sweep: {}", i, file.error().message));
    }
  }
  return {};
}

namespace {

SweepOutcome sweep_outcome_of(store::Store& store, const store::SweepId& sweep,
                              std::optional<core::Error> error) {
  auto tasks = store.sweep_tasks(sweep);
  if (!tasks) return SweepOutcome{sweep, {}, tasks.error()};
  return SweepOutcome{sweep, std::move(*tasks), std::move(error)};
}

SweepOutcome fail_sweep(store::Store& store, const store::SweepId& sweep,
                        const core::Error& error) {
  if (auto marked = store.mark_sweep_submit_failed(sweep, error.message); !marked) {
    return sweep_outcome_of(store, sweep, marked.error());
  }
  return sweep_outcome_of(store, sweep, error);
}

}  // namespace

core::Result<SweepOutcome> submit_sweep(store::Store& store, remote::Remote& remote,
                                        const SubmitRequest& request, const SweepRequest& sweep,
                                        const SubmitOptions& options) {
  // Everything the cluster does not need to see is checked first.
  if (auto ok = check_sweep(sweep); !ok) return std::unexpected(ok.error());
  std::vector<std::string> task_files;
  task_files.reserve(sweep.combinations.size());
  for (const auto& combination : sweep.combinations) {
    task_files.push_back(*script::task_arguments_file(combination));
  }

  // Validate and render ONE script for the whole array: its tasks read their own arguments.
  const auto key = new_submission_key();
  const store::SweepId sweep_id{key.value};
  SubmitRequest array_request = request;
  array_request.arguments.clear();
  array_request.resources.array = array_spec(sweep.combinations.size(), sweep.max_parallel);
  auto planned = plan(remote, array_request, key, options);
  if (!planned) return std::unexpected(planned.error());

  // The sweep and all its tasks on record, in one transaction, before anything reaches SLURM.
  store::NewSweep new_sweep;
  new_sweep.id = sweep_id;
  new_sweep.project = request.project.id;
  new_sweep.cluster = store::ClusterName{request.cluster.name};
  new_sweep.mode = sweep.mode;
  new_sweep.max_parallel = sweep.max_parallel;
  new_sweep.overrides = sweep.overrides;
  new_sweep.rerun_of = sweep.rerun_of;
  std::vector<store::NewJob> tasks;
  tasks.reserve(sweep.combinations.size());
  for (std::size_t i = 0; i < sweep.combinations.size(); ++i) {
    const int index = static_cast<int>(i);
    store::NewJob task = new_job_of(array_request, *planned, task_submission_key(sweep_id, index));
    task.arguments = sweep.combinations[i];
    task.sweep = sweep_id;
    task.array_task_index = index;
    task.rerun_of = sweep.task_rerun_of.empty() ? std::nullopt : sweep.task_rerun_of[i];
    tasks.push_back(std::move(task));
  }
  auto created = store.create_sweep(new_sweep, tasks);
  if (!created) return std::unexpected(created.error());
  const auto passed = [&](std::string_view step) {
    if (options.checkpoint) options.checkpoint(step);
  };
  passed("recorded");

  const script::LogPatterns logs = script::log_patterns(planned->context);
  store::RenderedJob rendered{planned->paths.job_dir, planned->script, logs.out, logs.err};
  if (auto ok = store.record_sweep_rendered(sweep_id, rendered); !ok) {
    return fail_sweep(store, sweep_id, ok.error());
  }
  passed("rendered");

  auto answer = exchange(remote, array_request, *planned, task_files, options);
  switch (answer.kind) {
    case Answer::Kind::refused:
      return fail_sweep(store, sweep_id, answer.error);
    case Answer::Kind::unknown:
      return sweep_outcome_of(
          store, sweep_id,
          core::Error{answer.error.code,
                      fmt::format("{} — SLURM may have accepted sweep {} anyway; its tasks stay "
                                  "'submitting' until `sortie jobs --refresh` asks SLURM for it "
                                  "by its key",
                                  answer.error.message, sweep_id.value)});
    case Answer::Kind::accepted:
      break;
  }
  if (auto marked = store.mark_sweep_submitted(sweep_id, answer.job_id); !marked) {
    return sweep_outcome_of(store, sweep_id, marked.error());
  }
  return sweep_outcome_of(store, sweep_id, std::nullopt);
}

}  // namespace sortie::jobs

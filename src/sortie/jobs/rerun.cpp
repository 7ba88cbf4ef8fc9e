#include "sortie/jobs/rerun.hpp"

#include <fmt/format.h>

#include "sortie/git/repository.hpp"

namespace sortie::jobs {
namespace {

// Where the cluster's clone cache fetches the commit from: the checkout's remote now (it may
// have moved), else the one recorded when the project was last synced.
core::Result<std::string> repository_url_of(const store::Project& project) {
  if (auto state = git::read_state(project.path); state && !state->remotes.empty()) {
    return state->remotes.front().url;
  }
  if (project.git && !project.git->remote_url.empty()) return project.git->remote_url;
  return core::fail(core::ErrorCode::invalid_argument,
                    fmt::format("project '{}' has no Git remote to fetch the commit from (its "
                                "checkout at {} is gone or has none)",
                                project.name, project.path));
}

}  // namespace

script::Resources requested_resources(const store::Resources& recorded) {
  script::Resources resources;
  resources.partition = recorded.partition;
  resources.gpu_type = recorded.gpu_type;
  resources.gpus = recorded.gpu_count.value_or(0);
  resources.nodes = recorded.nodes.value_or(1);
  if (recorded.tasks) resources.ntasks = *recorded.tasks;
  if (recorded.cpus_per_task) resources.cpus_per_task = *recorded.cpus_per_task;
  resources.memory = recorded.memory;
  if (recorded.time_limit_minutes) {
    resources.time_limit = std::chrono::minutes(*recorded.time_limit_minutes);
  }
  resources.account = recorded.account;
  resources.qos = recorded.qos;
  resources.constraint = recorded.constraint;
  resources.extra_sbatch_lines = recorded.extra_sbatch_lines;
  return resources;
}

core::Result<SubmitRequest> rerun_request(const store::Job& job, const store::Project& project,
                                          const config::Cluster& cluster,
                                          std::optional<script::Template> script_template) {
  const auto& code = job.spec.code;
  if (code.commit.empty() && !code.snapshot_hash) {
    return core::fail(
        core::ErrorCode::invalid_argument,
        fmt::format("job {} has no recorded code (commit or snapshot) to rerun", job.id.value));
  }
  if (code.mode == store::DeliveryMode::snapshot && !code.snapshot_hash) {
    return core::fail(
        core::ErrorCode::invalid_argument,
        fmt::format("job {} ran a snapshot whose hash was not recorded", job.id.value));
  }

  SubmitRequest request;
  request.project = project;
  request.cluster = cluster;
  request.resources = requested_resources(job.spec.resources);
  request.name = job.spec.name;
  request.arguments = job.spec.arguments;
  request.code.record = code;
  if (code.mode == store::DeliveryMode::git) {
    auto url = repository_url_of(project);
    if (!url) return std::unexpected(url.error());
    request.code.repository_url = std::move(*url);
  }
  // Snapshot: no archive function, on purpose (see the header).
  request.script_template = std::move(script_template);
  request.entry_command = job.spec.command;
  request.rerun_of = job.id;
  return request;
}

namespace {

bool did_not_complete(const store::Job& task) {
  if (task.status.phase == store::Phase::submit_failed) return true;
  return store::is_finished(task.status) && task.status.state != slurm::JobState::completed;
}

}  // namespace

core::Result<SweepRerun> rerun_sweep_request(const store::Sweep& sweep,
                                             const std::vector<store::Job>& tasks,
                                             const store::Project& project,
                                             const config::Cluster& cluster,
                                             std::optional<script::Template> script_template,
                                             RerunTasks which) {
  std::vector<const store::Job*> chosen;
  for (const auto& task : tasks) {
    if (which == RerunTasks::all || did_not_complete(task)) chosen.push_back(&task);
  }
  if (chosen.empty()) {
    return core::fail(
        core::ErrorCode::invalid_argument,
        which == RerunTasks::failed
            ? fmt::format("no task of sweep {} failed ({} recorded tasks, none ended other than "
                          "COMPLETED): nothing to rerun",
                          sweep.spec.id.value, tasks.size())
            : fmt::format("sweep {} has no recorded tasks: nothing to rerun", sweep.spec.id.value));
  }
  auto request = rerun_request(*chosen.front(), project, cluster, std::move(script_template));
  if (!request) return std::unexpected(request.error());
  SweepRerun rerun;
  rerun.request = std::move(*request);
  rerun.request.rerun_of.reset();
  rerun.request.arguments.clear();
  rerun.sweep.mode = sweep.spec.mode;
  rerun.sweep.max_parallel = sweep.spec.max_parallel;
  rerun.sweep.overrides = sweep.spec.overrides;
  rerun.sweep.rerun_of = sweep.spec.id;
  for (const auto* task : chosen) {
    rerun.sweep.combinations.push_back(task->spec.arguments);
    rerun.sweep.task_rerun_of.push_back(task->id);
  }
  return rerun;
}

}  // namespace sortie::jobs

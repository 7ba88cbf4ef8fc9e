#include "sortie/json/jobs.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace sortie::json {
namespace {

template <class T>
nlohmann::json optional(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json time(const std::optional<store::Timestamp>& at) {
  if (!at) return nullptr;
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", *at);
}

nlohmann::json encode(const JobDocument& document) {
  const auto& job = document.job;
  const auto& resources = job.spec.resources;
  return {
      {"id", job.id.value},
      {"project", document.project},
      {"project_id", job.spec.project.value},
      {"cluster", job.spec.cluster.value},
      {"name", job.spec.name},
      {"submission_key", job.spec.submission_key.value},
      {"phase", std::string(store::to_string(job.status.phase))},
      {"slurm_job_id", job.slurm_job_id ? nlohmann::json(job.slurm_job_id->value) : nullptr},
      {"state", job.status.state ? nlohmann::json(std::string(slurm::to_string(*job.status.state)))
                                 : nullptr},
      {"reason", job.reason},
      {"exit_code", optional(job.exit_code)},
      {"signal", optional(job.signal)},
      {"cancelled_by", optional(job.cancelled_by)},
      {"created_at", time(job.created_at)},
      {"submitted_at", time(job.submitted_at)},
      {"started_at", time(job.started_at)},
      {"ended_at", time(job.ended_at)},
      {"elapsed_seconds", optional(job.elapsed_seconds)},
      {"nodes", optional(job.nodes)},
      {"resources",
       {{"partition", optional(resources.partition)},
        {"gpu_type", optional(resources.gpu_type)},
        {"gpus_per_node", optional(resources.gpu_count)},
        {"nodes", optional(resources.nodes)},
        {"cpus_per_task", optional(resources.cpus_per_task)},
        {"memory", optional(resources.memory)},
        {"time_limit_minutes", optional(resources.time_limit_minutes)},
        {"account", optional(resources.account)},
        {"qos", optional(resources.qos)},
        {"constraint", optional(resources.constraint)}}},
      {"command", job.spec.command},
      {"arguments", job.spec.arguments},
      {"code",
       {{"mode", job.spec.code.mode == store::DeliveryMode::git ? "git" : "snapshot"},
        {"commit", job.spec.code.commit},
        {"snapshot_hash", optional(job.spec.code.snapshot_hash)},
        {"changed_files", job.spec.code.changed_files}}},
      {"rerun_of", job.spec.rerun_of ? nlohmann::json(job.spec.rerun_of->value) : nullptr},
      {"sweep_id", job.spec.sweep ? nlohmann::json(job.spec.sweep->value) : nullptr},
      {"array_task_index", optional(job.spec.array_task_index)},
      {"wandb_urls", job.wandb_urls},
      {"workspace", job.rendered.workspace},
      {"log_paths", {{"stdout", document.stdout_path}, {"stderr", document.stderr_path}}},
  };
}

}  // namespace

std::string to_json(const JobDocument& job) {
  return encode(job).dump(2);
}

std::string to_json(const std::vector<JobDocument>& jobs) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& job : jobs) list.push_back(encode(job));
  return nlohmann::json{{"jobs", list}}.dump(2);
}

}  // namespace sortie::json

#include "sortie/jobs/cancel.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sortie::jobs {
namespace {

core::Result<void> scancel(const std::string& target, remote::Remote& remote,
                           std::chrono::milliseconds timeout) {
  auto output = remote.run_one(remote::Command({"scancel", target}), timeout);
  if (!output) return std::unexpected(output.error());
  if (output->exit_code != 0) {
    return core::fail(core::ErrorCode::command_failed,
                      fmt::format("scancel {} failed: {}", target, output->err));
  }
  return {};
}

}  // namespace

core::Result<void> cancel(const store::Job& job, remote::Remote& remote,
                          std::chrono::milliseconds timeout) {
  if (!job.slurm_job_id) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("job {} has no SLURM job ({}): nothing to cancel", job.id.value,
                                  store::to_string(job.status.phase)));
  }
  const std::string id = std::to_string(job.slurm_job_id->value);
  return scancel(
      job.spec.array_task_index ? fmt::format("{}_{}", id, *job.spec.array_task_index) : id, remote,
      timeout);
}

core::Result<void> cancel_sweep(const std::vector<store::Job>& tasks, remote::Remote& remote,
                                std::chrono::milliseconds timeout) {
  const auto submitted = std::ranges::find_if(
      tasks, [](const store::Job& task) { return task.slurm_job_id.has_value(); });
  if (submitted == tasks.end()) {
    return core::fail(
        core::ErrorCode::invalid_argument,
        fmt::format("sweep {} has no SLURM array ({}): nothing to cancel",
                    tasks.empty() || !tasks.front().spec.sweep ? std::string("?")
                                                               : tasks.front().spec.sweep->value,
                    tasks.empty() ? std::string_view("no tasks")
                                  : store::to_string(tasks.front().status.phase)));
  }
  return scancel(std::to_string(submitted->slurm_job_id->value), remote, timeout);
}

}  // namespace sortie::jobs

#include "sortie/jobs/cancel.hpp"

#include <fmt/format.h>

namespace sortie::jobs {

core::Result<void> cancel(const store::Job& job, remote::Remote& remote,
                          std::chrono::milliseconds timeout) {
  if (!job.slurm_job_id) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("job {} has no SLURM job ({}): nothing to cancel", job.id.value,
                                  store::to_string(job.status.phase)));
  }
  const std::string target = std::to_string(job.slurm_job_id->value);
  auto output = remote.run_one(remote::Command({"scancel", target}), timeout);
  if (!output) return std::unexpected(output.error());
  if (output->exit_code != 0) {
    return core::fail(core::ErrorCode::command_failed,
                      fmt::format("scancel {} failed: {}", target, output->err));
  }
  return {};
}

}  // namespace sortie::jobs

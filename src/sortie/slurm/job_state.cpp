#include "sortie/slurm/job_state.hpp"

#include <array>
#include <utility>

namespace sortie::slurm {
namespace {

struct Name {
  std::string_view long_name;
  std::string_view short_name;
  JobState state;
};

constexpr std::array k_names = {
    Name{"PENDING", "PD", JobState::pending},
    Name{"CONFIGURING", "CF", JobState::configuring},
    Name{"RUNNING", "R", JobState::running},
    Name{"COMPLETING", "CG", JobState::completing},
    Name{"COMPLETED", "CD", JobState::completed},
    Name{"FAILED", "F", JobState::failed},
    Name{"CANCELLED", "CA", JobState::cancelled},
    Name{"TIMEOUT", "TO", JobState::timeout},
    Name{"OUT_OF_MEMORY", "OOM", JobState::out_of_memory},
    Name{"NODE_FAIL", "NF", JobState::node_fail},
    Name{"PREEMPTED", "PR", JobState::preempted},
    Name{"REQUEUED", "RQ", JobState::requeued},
    Name{"REQUEUE_FED", "RF", JobState::requeued},
    Name{"REQUEUE_HOLD", "RH", JobState::requeued},
    Name{"SUSPENDED", "S", JobState::suspended},
    Name{"BOOT_FAIL", "BF", JobState::boot_fail},
    Name{"DEADLINE", "DL", JobState::deadline},
    Name{"RESIZING", "RS", JobState::resizing},
    Name{"REVOKED", "RV", JobState::revoked},
    Name{"SIGNALING", "SI", JobState::signaling},
    Name{"SPECIAL_EXIT", "SE", JobState::special_exit},
    Name{"STAGE_OUT", "SO", JobState::stage_out},
    Name{"STOPPED", "ST", JobState::stopped},
};

}  // namespace

std::optional<JobState> parse_job_state(std::string_view text) {
  // sacct writes "CANCELLED by 1000"; squeue may append '+' flags in some versions.
  if (auto space = text.find(' '); space != std::string_view::npos) text = text.substr(0, space);
  if (auto plus = text.find('+'); plus != std::string_view::npos) text = text.substr(0, plus);
  for (const auto& name : k_names)
    if (text == name.long_name || text == name.short_name) return name.state;
  return std::nullopt;
}

std::string_view to_string(JobState state) {
  for (const auto& name : k_names)
    if (name.state == state) return name.long_name;
  return "UNKNOWN";
}

bool is_final(JobState state) {
  switch (state) {
    case JobState::completed:
    case JobState::failed:
    case JobState::cancelled:
    case JobState::timeout:
    case JobState::out_of_memory:
    case JobState::node_fail:
    case JobState::preempted:
    case JobState::boot_fail:
    case JobState::deadline:
    case JobState::revoked:
    case JobState::special_exit: return true;
    default: return false;
  }
}

}  // namespace sortie::slurm

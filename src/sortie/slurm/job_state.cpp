#include "sortie/slurm/job_state.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace sortie::slurm {
namespace {

struct Name {
  std::string_view long_name;
  std::string_view short_name;
  JobState state;
};

// Base states and flags as job_state_string() and job_state_string_compact() name them; a flag
// of job_state_string_complete() that has no short code has none here either.
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
    Name{"REQUEUED_CRON", "RC", JobState::requeued},
    Name{"SUSPENDED", "S", JobState::suspended},
    Name{"BOOT_FAIL", "BF", JobState::boot_fail},
    Name{"DEADLINE", "DL", JobState::deadline},
    Name{"RESIZING", "RS", JobState::resizing},
    Name{"REVOKED", "RV", JobState::revoked},
    Name{"SIGNALING", "SI", JobState::signaling},
    Name{"SPECIAL_EXIT", "SE", JobState::special_exit},
    Name{"STAGE_OUT", "SO", JobState::stage_out},
    Name{"STOPPED", "ST", JobState::stopped},
    Name{"RESV_DEL_HOLD", "RD", JobState::resv_del_hold},
    Name{"EXPEDITING", "", JobState::expediting},
    Name{"POWER_UP_NODE", "", JobState::power_up_node},
    Name{"LAUNCH_FAILED", "", JobState::launch_failed},
    Name{"UPDATE_DB", "", JobState::update_db},
    Name{"RECONFIG_FAIL", "", JobState::reconfig_fail},
};

// The flags job_state_string() names instead of the base state, in its order of precedence.
constexpr std::array k_named_flags = {
    JobState::completing, JobState::stage_out,     JobState::configuring,  JobState::expediting,
    JobState::resizing,   JobState::requeued,      JobState::special_exit, JobState::stopped,
    JobState::revoked,    JobState::resv_del_hold, JobState::signaling,
};

std::optional<JobState> one_name(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (const auto& name : k_names)
    if (text == name.long_name || text == name.short_name) return name.state;
  return std::nullopt;
}

}  // namespace

std::optional<JobState> parse_job_state(std::string_view text) {
  // sacct 20.11-26.05 writes "CANCELLED by 1000": the words after the state name who did it.
  if (auto space = text.find(' '); space != std::string_view::npos) text = text.substr(0, space);
  // The base state comes first, flags follow after '+' or ','.
  const auto end = text.find_first_of("+,");
  const auto base = one_name(text.substr(0, end));
  if (!base) return std::nullopt;
  if (end == std::string_view::npos) return base;
  std::optional<std::size_t> named;  // the flag of highest precedence, by its rank
  for (auto rest = text.substr(end + 1);;) {
    const auto next = rest.find_first_of("+,");
    const auto flag = one_name(rest.substr(0, next));
    if (!flag) return std::nullopt;
    for (std::size_t rank = 0; rank < k_named_flags.size(); ++rank) {
      if (k_named_flags[rank] == *flag && (!named || rank < *named)) named = rank;
    }
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return named ? k_named_flags[*named] : *base;
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
    case JobState::special_exit:
      return true;
    default:
      return false;
  }
}

}  // namespace sortie::slurm

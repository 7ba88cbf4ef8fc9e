#include "sortie/store/model.hpp"

namespace sortie::store {

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::submitting:
      return "submitting";
    case Phase::submitted:
      return "submitted";
    case Phase::submit_failed:
      return "submit_failed";
  }
  return "unknown";
}

std::optional<Phase> parse_phase(std::string_view text) {
  for (auto phase : {Phase::submitting, Phase::submitted, Phase::submit_failed})
    if (text == to_string(phase)) return phase;
  return std::nullopt;
}

std::string_view to_string(SweepMode mode) {
  return mode == SweepMode::paired ? "paired" : "cartesian";
}

bool is_finished(const JobStatus& status) {
  if (status.phase == Phase::submit_failed) return true;
  return status.phase == Phase::submitted && status.state && slurm::is_final(*status.state);
}

}  // namespace sortie::store

#include "sortie/cli/exit_codes.hpp"

namespace sortie::cli {

int exit_code_for(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::command_failed:
    case ErrorCode::parse_error:
    case ErrorCode::io_error: return 1;
    case ErrorCode::invalid_argument:
    case ErrorCode::config_invalid: return 2;
    case ErrorCode::not_found: return 3;
    case ErrorCode::connection_failed:
    case ErrorCode::connection_lost:
    case ErrorCode::authentication_failed: return 4;
    case ErrorCode::host_key_unknown:
    case ErrorCode::host_key_changed: return 5;
    case ErrorCode::slurm_unavailable:
    case ErrorCode::slurm_rate_limited: return 6;
    case ErrorCode::timeout: return 7;
  }
  return 1;
}

}  // namespace sortie::cli

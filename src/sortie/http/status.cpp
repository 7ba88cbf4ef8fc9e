#include "sortie/http/status.hpp"

namespace sortie::http {

int status_for(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::invalid_argument: return 400;
    case core::ErrorCode::not_found: return 404;
    case core::ErrorCode::config_invalid: return 503;
    case core::ErrorCode::connection_failed: return 502;
    case core::ErrorCode::authentication_failed: return 502;
    case core::ErrorCode::host_key_unknown: return 502;
    case core::ErrorCode::host_key_changed: return 502;
    case core::ErrorCode::connection_lost: return 502;
    case core::ErrorCode::timeout: return 504;
    case core::ErrorCode::command_failed: return 502;
    case core::ErrorCode::slurm_unavailable: return 503;
    case core::ErrorCode::slurm_rate_limited: return 429;
    case core::ErrorCode::parse_error: return 502;
    case core::ErrorCode::io_error: return 500;
  }
  return 500;
}

}  // namespace sortie::http

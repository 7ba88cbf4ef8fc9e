#include "sortie/core/error.hpp"

namespace sortie::core {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::config_invalid: return "config_invalid";
    case ErrorCode::connection_failed: return "connection_failed";
    case ErrorCode::authentication_failed: return "authentication_failed";
    case ErrorCode::host_key_unknown: return "host_key_unknown";
    case ErrorCode::host_key_changed: return "host_key_changed";
    case ErrorCode::connection_lost: return "connection_lost";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::command_failed: return "command_failed";
    case ErrorCode::slurm_unavailable: return "slurm_unavailable";
    case ErrorCode::slurm_rate_limited: return "slurm_rate_limited";
    case ErrorCode::parse_error: return "parse_error";
    case ErrorCode::io_error: return "io_error";
  }
  return "unknown";
}

std::optional<ErrorCode> parse_error_code(std::string_view text) {
  for (int value = 0; value <= static_cast<int>(ErrorCode::io_error); ++value) {
    const auto code = static_cast<ErrorCode>(value);
    if (to_string(code) == text) return code;
  }
  return std::nullopt;
}

}  // namespace sortie::core

#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace sortie::core {

// What went wrong, as a category the CLI and HTTP layers map to exit codes and statuses.
enum class ErrorCode {
  invalid_argument,       // the user's input is wrong; the message names what and how to fix it
  not_found,              // a named thing (cluster, file, partition) does not exist
  config_invalid,         // a configuration file is malformed; the message names file, line and key
  connection_failed,      // could not reach or set up a link to the cluster
  authentication_failed,  // the cluster refused our credentials
  host_key_unknown,       // the cluster's host key is not in known_hosts
  host_key_changed,       // the cluster's host key differs from the one in known_hosts
  connection_lost,        // the link dropped while a command was under way: it may or may not have run
  timeout,                // a command did not finish in time
  command_failed,         // a remote command ran and reported failure
  slurm_unavailable,      // SLURM's controller did not answer (e.g. "Socket timed out")
  slurm_rate_limited,     // SLURM refused the call: "Rate limit exceeded"
  parse_error,            // output from the cluster was not what we understand
  io_error,               // a local file could not be read or written
};

// The stable snake_case name of a code, as shown in JSON and logs.
std::string_view to_string(ErrorCode code);

// The code named `text` (as to_string writes it), or nullopt.
std::optional<ErrorCode> parse_error_code(std::string_view text);

// A failure the outside world caused. `message` tells the user what happened and what to do next.
struct Error {
  ErrorCode code;
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthand for returning a failure: `return core::fail(ErrorCode::timeout, "...")`.
inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace sortie::core

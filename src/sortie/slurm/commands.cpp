#include "sortie/slurm/commands.hpp"

#include <fmt/format.h>

#include <array>

#include "sortie/slurm/fields.hpp"
#include "sortie/slurm/squeue.hpp"

namespace sortie::slurm {
namespace {

bool contains(std::string_view text, std::string_view word) {
  return text.find(word) != std::string_view::npos;
}

// stderr, trimmed and cut to a length that fits in one message.
std::string excerpt(std::string_view text) {
  text = detail::trim(text);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  constexpr std::size_t kLimit = 500;
  if (text.size() <= kLimit) return std::string(text);
  return fmt::format("{}...", text.substr(0, kLimit));
}

// The first word of `what`, the program: "scontrol show node" -> "scontrol".
std::string_view program(std::string_view what) {
  return what.substr(0, what.find(' '));
}

}  // namespace

remote::Command show_nodes() {
  return remote::Command{{"scontrol", "-d", "-o", "show", "node"}, {}};
}

remote::Command show_partitions() {
  return remote::Command{{"scontrol", "-o", "show", "partition"}, {}};
}

remote::Command pending_jobs() {
  return remote::Command{
      {"squeue", "-h", "-r", "-t", "PENDING", fmt::format("--Format={}", pending_jobs_format())},
      {}};
}

core::Result<void> check(const remote::Output& output, std::string_view what) {
  const std::string_view err = output.err;
  constexpr std::array kControllerDown{
      std::string_view{"Socket timed out on send/recv operation"},
      std::string_view{"Unable to contact slurm controller"},
      std::string_view{"Connection refused"},
  };
  for (const auto marker : kControllerDown) {
    if (contains(err, marker)) {
      return core::fail(
          core::ErrorCode::slurm_unavailable,
          fmt::format("SLURM's controller on this cluster did not answer {} ({}). It may be "
                      "down or overloaded; try again in a minute, and tell the cluster's admins "
                      "if it persists.",
                      what, excerpt(err)));
    }
  }
  if (contains(err, "Rate limit exceeded")) {
    return core::fail(core::ErrorCode::slurm_rate_limited,
                      fmt::format("SLURM refused {}: rate limit exceeded ({}). Wait a few "
                                  "seconds before asking again.",
                                  what, excerpt(err)));
  }
  if (output.exit_code == 127 || contains(err, "command not found")) {
    return core::fail(core::ErrorCode::not_found,
                      fmt::format("{} is not on PATH on the cluster: {} could not run ({}). Is "
                                  "SLURM installed there, or does PATH need setting in the "
                                  "cluster's configuration?",
                                  program(what), what, excerpt(err)));
  }
  if (output.exit_code != 0) {
    const std::string message = excerpt(err);
    return core::fail(core::ErrorCode::command_failed,
                      fmt::format("{} failed with exit status {}: {}", what, output.exit_code,
                                  message.empty() ? "(no error output)" : message));
  }
  return {};
}

}  // namespace sortie::slurm

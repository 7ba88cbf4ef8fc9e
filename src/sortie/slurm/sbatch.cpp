#include "sortie/slurm/sbatch.hpp"

#include <fmt/format.h>

#include <array>

#include "sortie/slurm/commands.hpp"
#include "sortie/slurm/fields.hpp"

namespace sortie::slurm {
namespace {

bool contains(std::string_view text, std::string_view word) {
  return text.find(word) != std::string_view::npos;
}

bool is_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// sbatch's error lines, without the "sbatch: error: " prefixes, on one line.
std::string errors_of(std::string_view err) {
  std::string message;
  detail::for_each_line(err, [&](std::size_t, std::string_view line) {
    line = detail::trim(line);
    constexpr std::string_view prefix = "sbatch: error: ";
    if (line.starts_with(prefix)) line.remove_prefix(prefix.size());
    if (line.empty()) return true;
    if (!message.empty()) message += "; ";
    message += line;
    return message.size() < 500;
  });
  return message.empty() ? std::string("(no error output)") : message;
}

struct Rejection {
  std::string_view marker;
  std::string_view advice;
};

constexpr std::array kRejections{
    Rejection{"Invalid partition name specified",
              "No such partition on this cluster: check the partition name (`sinfo -s` lists "
              "them) or leave it unset for the default."},
    Rejection{"Requested node configuration is not available",
              "No node this job may use can ever satisfy the request: lower the GPU count or "
              "type, memory, CPUs or node count, or pick another partition (`sortie gpus` shows "
              "what each partition has)."},
    Rejection{"Invalid generic resource (gres) specification",
              "The GPU request names a GRES or GPU type this cluster does not have: check the "
              "spelling (`sortie gpus` lists the types), e.g. gpu:a100:2."},
    Rejection{"Job violates accounting/QOS policy",
              "The job exceeds a limit of your account or QOS (jobs submitted, GPUs, time or "
              "size): wait for some of your jobs to finish, ask for less, or use another "
              "account/QOS."},
    Rejection{"Invalid account or account/partition combination specified",
              "Your user may not submit with this account to this partition: check the account "
              "(`sacctmgr show assoc user=$USER`)."},
    Rejection{"Invalid qos specification",
              "No such QOS, or you may not use it: check the QOS name (`sacctmgr show qos`)."},
    Rejection{"Requested time limit is invalid",
              "The time limit is missing or above the partition's maximum: lower it or pick a "
              "partition with a longer MaxTime."},
};

}  // namespace

core::Result<Submission> parse_sbatch_output(std::string_view out) {
  std::string_view last;
  detail::for_each_line(out, [&](std::size_t, std::string_view line) {
    line = detail::trim(line);
    if (!line.empty()) last = line;
    return true;
  });
  Submission submission;
  const auto semicolon = last.find(';');
  const std::string_view id = last.substr(0, semicolon);
  if (!is_digits(id)) {
    return core::fail(core::ErrorCode::parse_error,
                      fmt::format("sbatch --parsable printed no job id (expected '123' or "
                                  "'123;cluster', got '{}')",
                                  last.substr(0, 200)));
  }
  submission.job_id = std::string(id);
  if (semicolon != std::string_view::npos)
    submission.cluster = std::string(last.substr(semicolon + 1));
  return submission;
}

std::expected<Submission, SubmitError> read_sbatch(const remote::Output& output) {
  const std::string_view err = output.err;
  auto rejected = [](core::ErrorCode code, std::string message) {
    return std::unexpected(
        SubmitError{core::Error{code, std::move(message)}, Acceptance::rejected});
  };
  if (contains(err, "Socket timed out on send/recv operation")) {
    return std::unexpected(SubmitError{
        core::Error{core::ErrorCode::slurm_unavailable,
                    fmt::format("SLURM's controller did not answer sbatch in time ({}). The job "
                                "MAY have been accepted: sortie will look it up by its "
                                "submission key before submitting again.",
                                errors_of(err))},
        Acceptance::unknown});
  }
  if (output.exit_code != 0) {
    for (const auto& rejection : kRejections) {
      if (contains(err, rejection.marker)) {
        return rejected(
            core::ErrorCode::invalid_argument,
            fmt::format("SLURM rejected the job: {}. {}", errors_of(err), rejection.advice));
      }
    }
    if (contains(err, "Slurm temporarily unable to accept job")) {
      return rejected(core::ErrorCode::slurm_rate_limited,
                      fmt::format("SLURM is too busy to accept jobs right now ({}). Try again in "
                                  "a minute.",
                                  errors_of(err)));
    }
  }
  if (auto ok = check(output, "sbatch"); !ok) {
    return std::unexpected(SubmitError{ok.error(), Acceptance::rejected});
  }
  auto submission = parse_sbatch_output(output.out);
  if (!submission) {
    return std::unexpected(SubmitError{
        core::Error{core::ErrorCode::parse_error,
                    fmt::format("{}. sbatch exited 0, so the job MAY have been accepted: sortie "
                                "will look it up by its submission key.",
                                submission.error().message)},
        Acceptance::unknown});
  }
  return *submission;
}

SubmitError submit_error_from_remote(const core::Error& error) {
  const bool may_have_run =
      error.code == core::ErrorCode::connection_lost || error.code == core::ErrorCode::timeout;
  if (!may_have_run) return SubmitError{error, Acceptance::rejected};
  return SubmitError{
      core::Error{error.code,
                  fmt::format("{} The job MAY have been submitted: sortie will look it up by its "
                              "submission key before submitting again.",
                              error.message)},
      Acceptance::unknown};
}

}  // namespace sortie::slurm

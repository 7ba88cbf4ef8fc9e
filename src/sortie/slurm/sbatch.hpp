#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"

namespace sortie::slurm {

// What `sbatch --parsable` answered on success.
struct Submission {
  std::string job_id;   // "123"; for an array, the array's id (its tasks are "123_N")
  std::string cluster;  // "" unless sbatch printed "123;cluster" (e.g. with -M)

  friend bool operator==(const Submission&, const Submission&) = default;
};

// Whether a failed submission may nevertheless have created a job.
enum class Acceptance {
  rejected,  // SLURM certainly did not create the job: safe to fix and resubmit
  unknown,   // the answer was lost (controller timeout, link dropped, unreadable reply): the job
             // MAY exist, so look it up by its submission key before submitting again
};

// A failed submission: what went wrong, for the user, and whether the job may exist anyway.
struct SubmitError {
  core::Error error;
  Acceptance acceptance = Acceptance::rejected;

  bool ambiguous() const { return acceptance == Acceptance::unknown; }
};

// Parses `sbatch --parsable` standard output: "123" or "123;clustername", on the last non-empty
// line (anything before it is ignored). Fails with parse_error when there is no such line.
core::Result<Submission> parse_sbatch_output(std::string_view out);

// Reads one `sbatch --parsable` run. Warnings on stderr with exit status 0 are fine. Failures:
//  - "Invalid partition name specified", "Requested node configuration is not available",
//    "Invalid generic resource (gres) specification", "Job violates accounting/QOS policy",
//    "Invalid account ...", "Invalid qos specification", "Requested time limit is invalid":
//    invalid_argument, rejected, with what to change;
//  - "Socket timed out on send/recv operation" (and any other unanswered controller call):
//    slurm_unavailable, ambiguous: the job may have been accepted and must be reconciled;
//    "Unable to contact slurm controller" / "Connection refused": slurm_unavailable, rejected;
//  - "Rate limit exceeded" / "Slurm temporarily unable to accept job": slurm_rate_limited,
//    rejected;
//  - exit 127: not_found; any other non-zero exit: command_failed quoting stderr, rejected;
//  - exit 0 without a job id on stdout: parse_error, ambiguous.
std::expected<Submission, SubmitError> read_sbatch(const remote::Output& output);

// A Remote::run() failure of the sbatch command as a SubmitError: connection_lost and timeout
// are ambiguous (sbatch may have run); anything else (no link was made) is rejected.
SubmitError submit_error_from_remote(const core::Error& error);

}  // namespace sortie::slurm

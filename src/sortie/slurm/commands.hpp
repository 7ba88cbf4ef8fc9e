#pragma once

#include <string_view>

#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"

namespace sortie::slurm {

// `scontrol -d -o show node`: every node on one line each, with GresUsed; read by parse_nodes().
remote::Command show_nodes();

// `scontrol -o show partition`: every visible partition on one line each; read by
// parse_partitions().
remote::Command show_partitions();

// `squeue -h -r -t PENDING --Format=...`: every pending job, one array task per line, with what
// parse_pending_jobs() needs (partitions, node and task counts, tres-per-node/job/task).
remote::Command pending_jobs();

// Turns a SLURM command's Output into success or an error the user can act on; `what` names the
// command for the message (e.g. "scontrol show node"). Never lets a partial result through:
//  - "Socket timed out on send/recv operation", "Unable to contact slurm controller",
//    "Connection refused" on stderr, whatever the exit status: slurm_unavailable;
//  - "Rate limit exceeded": slurm_rate_limited;
//  - exit 127 or "command not found": not_found (the command is not on PATH on the cluster);
//  - any other non-zero exit: command_failed, quoting stderr.
core::Result<void> check(const remote::Output& output, std::string_view what);

}  // namespace sortie::slurm

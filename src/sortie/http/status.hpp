#pragma once

// The one table from sortie's error codes to HTTP statuses.

#include "sortie/core/error.hpp"

namespace sortie::http {

// 400 for the caller's input, 404 for what does not exist, 502 when the cluster or its SSH
// link failed, 503 when SLURM or the server's configuration is unavailable, 504 on timeouts,
// 429 when SLURM rate-limits, 500 only for this machine's own I/O failures.
int status_for(core::ErrorCode code);

}  // namespace sortie::http

#pragma once

#include "sortie/core/error.hpp"

namespace sortie::cli {

// The process exit status for an error: one table, documented in the README's CLI reference.
int exit_code_for(core::ErrorCode code);

}  // namespace sortie::cli

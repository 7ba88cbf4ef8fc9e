#pragma once

#include <string>
#include <string_view>

#include "sortie/remote/remote.hpp"

namespace sortie::slurm {

// `sinfo --version`: prints e.g. "slurm 22.05.8".
remote::Command version();

// The version number from `sinfo --version` output ("22.05.8"), or the trimmed text as is
// when it has an unexpected form.
std::string parse_version(std::string_view output);

}  // namespace sortie::slurm

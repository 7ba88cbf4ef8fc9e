#include "sortie/slurm/version.hpp"

namespace sortie::slurm {

remote::Command version() { return {{"sinfo", "--version"}, std::nullopt}; }

std::string parse_version(std::string_view output) {
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.remove_suffix(1);
  // "slurm 22.05.8" upstream, "slurm-wlm 22.05.8" from Debian's packages.
  const auto space = output.rfind(' ');
  if (space != std::string_view::npos && output.find('\n') == std::string_view::npos &&
      output.substr(0, space).starts_with("slurm") && space + 1 < output.size() &&
      output[space + 1] >= '0' && output[space + 1] <= '9')
    output.remove_prefix(space + 1);
  return std::string(output);
}

}  // namespace sortie::slurm

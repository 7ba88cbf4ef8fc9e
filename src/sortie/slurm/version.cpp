#include "sortie/slurm/version.hpp"

namespace sortie::slurm {

remote::Command version() { return {{"sinfo", "--version"}, std::nullopt}; }

std::string parse_version(std::string_view output) {
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.remove_suffix(1);
  constexpr std::string_view prefix = "slurm ";
  if (output.starts_with(prefix) && output.find('\n') == std::string_view::npos)
    output.remove_prefix(prefix.size());
  return std::string(output);
}

}  // namespace sortie::slurm

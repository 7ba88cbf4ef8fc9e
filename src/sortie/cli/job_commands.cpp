#include <CLI/CLI.hpp>

#include "sortie/cli/context.hpp"

namespace sortie::cli {

void add_job_commands(CLI::App&, Context&) {}

}  // namespace sortie::cli

#pragma once

namespace sortie::cli {

// Parses the command line, runs the command and returns the process exit status
// (0 on success; see exit_codes.hpp for failures). Writes results to stdout and one
// clear error line to stderr.
int run(int argc, char** argv);

}  // namespace sortie::cli

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sortie/core/error.hpp"

namespace sortie::remote {

// What a Command does.
enum class Action {
  program,           // runs argv, with `input` (if any) on its standard input
  write_text_file,   // creates or truncates the file argv[0] and writes `input` into it
  ensure_directory,  // makes the directory argv[0] and its parents unless it already exists
};

// One step of a batch. Usually a program to run on the cluster, given as arguments. Each
// argument reaches the remote shell through remote::quote() (see quote.hpp), so no value is
// ever spliced in unquoted.
//
// The two other actions exist because starting a process is the dominant cost of a warm
// exchange (tens of milliseconds on some machines): a long-lived shell does them with its own
// builtins, starting no process (ensure_directory runs `mkdir -p` only when the directory is
// missing). Their outcome is reported like a program's: exit status 0, or non-zero with the
// reason on standard error.
struct Command {
  std::vector<std::string> argv;
  // Bytes for the program's standard input. When absent, standard input is closed
  // (reads see end of file at once), so a program that waits for input cannot hang.
  // For write_text_file: the file's content, which must not contain a NUL byte.
  std::optional<std::string> input;
  Action action = Action::program;

  Command(std::vector<std::string> arguments, std::optional<std::string> standard_input = {})
      : argv(std::move(arguments)), input(std::move(standard_input)) {}

  // Writes `content` (text: no NUL byte) to `path`, replacing what was there; permission bits
  // of a new file follow the shell's umask.
  static Command write_text_file(std::string path, std::string content) {
    Command command({std::move(path)}, std::move(content));
    command.action = Action::write_text_file;
    return command;
  }

  // Makes sure `path` is a directory, creating it and its parents when missing.
  static Command ensure_directory(std::string path) {
    Command command({std::move(path)});
    command.action = Action::ensure_directory;
    return command;
  }
};

// What one command did.
struct Output {
  int exit_code = 0;  // the program's exit status; 128+N when killed by signal N
  std::string out;    // everything it wrote to standard output
  std::string err;    // everything it wrote to standard error
};

// Whether a batch goes on after a command exits non-zero.
enum class OnFailure { continue_batch, stop_batch };

// Runs commands on one cluster, or on this machine for `host: local`.
//
// Contract for every implementation (tests/unit/remote/ and tests/integration/ run the same
// conformance cases against each):
//  - run(): the commands run in order, in ONE exchange with the cluster (one round trip on a
//    warm connection). It returns one Output per command that ran: all of them with
//    OnFailure::continue_batch; with OnFailure::stop_batch, the outputs up to and including the
//    first non-zero exit. A non-zero exit is not an error of run(); it is reported in Output.
//  - Errors: connection_failed / authentication_failed / host_key_unknown / host_key_changed
//    when no link could be made (nothing ran); connection_lost when the link dropped mid-way
//    (the commands may or may not have run); timeout when the batch did not finish in time
//    (whatever was running is killed, and the next call gets a fresh shell).
//  - write_file() creates or replaces `path` with `content` and permission bits `mode`.
//  - read_file() returns at most `length` bytes starting at byte `offset`; fewer at end of
//    file, an empty string past it; not_found when the file does not exist.
//  - Implementations are safe to call from several threads at once.
class Remote {
 public:
  virtual ~Remote() = default;

  virtual core::Result<std::vector<Output>> run(const std::vector<Command>& commands,
                                                std::chrono::milliseconds timeout,
                                                OnFailure on_failure) = 0;

  virtual core::Result<void> write_file(const std::string& path, std::string_view content,
                                        unsigned mode) = 0;

  virtual core::Result<std::string> read_file(const std::string& path, std::uint64_t offset,
                                              std::uint64_t length) = 0;

  // Convenience: one command, one exchange.
  core::Result<Output> run_one(const Command& command, std::chrono::milliseconds timeout) {
    auto outputs = run({command}, timeout, OnFailure::continue_batch);
    if (!outputs) return std::unexpected(outputs.error());
    return std::move(outputs->front());
  }
};

}  // namespace sortie::remote

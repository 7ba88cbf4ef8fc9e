#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"

// How a batch of commands is written to a long-lived POSIX shell and how its output is split
// back into one Output per command. Pure: strings in, values out.
//
// Each program runs in a subshell with standard input from /dev/null, or from its `input`: text
// is first written with the printf builtin to the shell's private input file (render_sync makes
// it), and input holding a NUL byte is decoded from base64 in a here-document, so no byte of it
// can end the document early. write_text_file and ensure_directory run in the shell itself with
// builtins (remote.hpp says why).
// After each command the shell prints, on standard output, "\n<token>:o:<index>:<exit status>\n"
// and on standard error "\n<token>:e:<index>\n". The token is 128 random bits drawn afresh for
// every batch, so no output that the command could have produced before seeing the script can
// contain it. The leading "\n" lets a marker be found even after output without a final newline;
// the reader removes it again.
namespace sortie::remote {

// Which of a shell's output streams some bytes came from.
enum class Stream { out, err };

// 32 lowercase hex digits from std::random_device (the kernel's CSPRNG on Linux).
std::string random_token();

// Checks that every command can be sent: it has a program, and no argument or program contains a
// NUL byte. Fails with invalid_argument naming the command otherwise.
core::Result<void> validate_batch(const std::vector<Command>& commands);

// The script that runs `commands` in order and frames their output with `token`.
// With OnFailure::stop_batch, the script stops after the first command that exits non-zero.
// Fails as validate_batch() does.
core::Result<std::string> render_batch(const std::vector<Command>& commands, OnFailure on_failure,
                                       std::string_view token);

// The script a fresh shell is sent first: it prints a sync marker carrying the shell's process
// id on standard output and a sync marker on standard error, so everything a login shell printed
// before it (banners, conda noise) can be discarded. It also turns off `set -e`/`set -u` that a
// login profile may have set, which would make the shell exit on a failing command, and makes
// the shell's private input file ($__sortie_in, removed when the shell exits); a shell that
// cannot make it exits, and its error shows.
std::string render_sync(std::string_view token);

// Finds the sync markers of render_sync() in a fresh shell's output, discarding what precedes
// them. Feed it chunks in the order they arrived on each stream.
class SyncReader {
 public:
  explicit SyncReader(std::string token);

  // Consumes `bytes` from `stream`. Fails with parse_error when the marker is malformed.
  core::Result<void> feed(Stream stream, std::string_view bytes);

  // True once both markers were seen.
  bool complete() const;

  // The shell's process id as it printed it; set once complete().
  std::optional<long> shell_pid() const { return m_shell_pid; }

  // What the shell printed on standard error before the marker (or so far): start-up errors
  // worth showing when the shell dies before syncing. Capped at a few KiB.
  std::string error_text() const;

 private:
  std::string m_token;
  std::string m_out;
  std::string m_err;
  std::string m_error_text;
  bool m_out_done = false;
  bool m_err_done = false;
  std::optional<long> m_shell_pid;
};

// Splits the output of a batch rendered by render_batch() with the same token into Outputs.
// Chunks may end anywhere, including inside a marker; output may be binary and of any size.
class BatchReader {
 public:
  BatchReader(const std::string& token, std::size_t command_count, OnFailure on_failure);

  // Consumes `bytes` from `stream`. Fails with parse_error when a marker names an unexpected
  // command or carries no exit status (which the random token makes impossible unless the
  // shell itself misbehaves).
  core::Result<void> feed(Stream stream, std::string_view bytes);

  // True once every command that will run has both of its markers.
  bool complete() const;

  // The Outputs of the commands that ran; call once complete().
  std::vector<Output> take() { return std::move(m_outputs); }

 private:
  // One output stream's unconsumed bytes and how far they were already searched.
  struct Pending {
    std::string bytes;
    std::size_t searched = 0;
    std::size_t done = 0;  // markers found so far
  };

  core::Result<void> scan_out();
  core::Result<void> scan_err();
  std::size_t expected_count() const;

  std::string m_out_needle;
  std::string m_err_needle;
  std::size_t m_command_count;
  OnFailure m_on_failure;
  Pending m_out;
  Pending m_err;
  std::vector<Output> m_outputs;
  bool m_stopped = false;  // a command failed under stop_batch: no later command runs
};

}  // namespace sortie::remote

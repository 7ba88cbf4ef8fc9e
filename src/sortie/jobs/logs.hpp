#pragma once

// Reading the end of a job's log without fetching the whole file: its size first, then chunks
// read backwards until enough lines are in hand.

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"

namespace sortie::jobs {

// The last `lines` lines of the file at `path` on the cluster (all of it when it has fewer),
// read in chunks of `chunk` bytes from the end: one exchange for the size (`stat -c %s`), then
// one ranged read per chunk. not_found when the file does not exist (the job has not started,
// or wrote elsewhere).
core::Result<std::string> tail(remote::Remote& remote, const std::string& path, std::size_t lines,
                               std::chrono::milliseconds timeout, std::uint64_t chunk = 64u << 10);

// The end of a log: its last lines and the file's size when they were read, where following
// it goes on.
struct Tail {
  std::string text;
  std::uint64_t end = 0;
};

// As tail(), also giving the size the lines end at.
core::Result<Tail> tail_with_end(remote::Remote& remote, const std::string& path, std::size_t lines,
                                 std::chrono::milliseconds timeout,
                                 std::uint64_t chunk = 64u << 10);

// Waits `duration`, or less when `stop` is requested.
void interruptible_wait(std::chrono::milliseconds duration, std::stop_token stop);

struct FollowOptions {
  std::uint64_t offset = 0;        // the first byte to print
  std::uint64_t chunk = 1u << 20;  // bytes per ranged read
  std::chrono::milliseconds poll_interval{2'000};
  std::chrono::milliseconds first_retry_delay{1'000};  // doubles per failed try
  std::chrono::milliseconds max_retry_delay{30'000};
  std::chrono::milliseconds give_up_after{600'000};  // of failures without one success
  // How the follower waits; a parameter so tests do not sleep.
  std::function<void(std::chrono::milliseconds, std::stop_token)> wait = interruptible_wait;
};

// What following needs from its caller.
struct FollowHooks {
  std::function<void(std::string_view)> print;  // the log's new bytes, in order, each once
  // Whether the job has reached a final state (may ask the cluster). Asked only when a read
  // found nothing new.
  std::function<core::Result<bool>()> finished;
  // Told before each wait after a failure that is retried (may be empty).
  std::function<void(const core::Error&, std::chrono::milliseconds)> on_retry;
};

enum class FollowEnd {
  finished,  // the job reached a final state and its log stopped growing
  stopped,   // `stop` was requested (Ctrl-C)
};

// Prints the log at `path` from options.offset as it grows, with ranged reads
// (Remote::read_file) from the last offset printed, until the job is finished and a read after
// that finds nothing new, or until `stop` is requested. A log that does not exist yet (a
// pending job) is waited for. A dropped connection or timeout (connection_failed,
// connection_lost, timeout) is retried with doubling delays and resumes at the same offset, so
// no byte is printed twice or skipped; after give_up_after of failures without a success, the
// last error is returned. Other errors are returned at once.
core::Result<FollowEnd> follow(remote::Remote& remote, const std::string& path,
                               const FollowHooks& hooks, const FollowOptions& options,
                               std::stop_token stop);

// The last `lines` lines of `text` (a trailing line end does not start a new line).
std::string last_lines(std::string_view text, std::size_t lines);

}  // namespace sortie::jobs

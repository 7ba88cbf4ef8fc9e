#pragma once

// Reading the end of a job's log without fetching the whole file: its size first, then chunks
// read backwards until enough lines are in hand.

#include <chrono>
#include <cstdint>
#include <string>

#include "sortie/core/error.hpp"
#include "sortie/remote/remote.hpp"

namespace sortie::jobs {

// The last `lines` lines of the file at `path` on the cluster (all of it when it has fewer),
// read in chunks of `chunk` bytes from the end: one exchange for the size (`stat -c %s`), then
// one ranged read per chunk. not_found when the file does not exist (the job has not started,
// or wrote elsewhere).
core::Result<std::string> tail(remote::Remote& remote, const std::string& path, std::size_t lines,
                               std::chrono::milliseconds timeout, std::uint64_t chunk = 64u << 10);

// The last `lines` lines of `text` (a trailing line end does not start a new line).
std::string last_lines(std::string_view text, std::size_t lines);

}  // namespace sortie::jobs

#include "sortie/jobs/logs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace sortie::jobs {

std::string last_lines(std::string_view text, std::size_t lines) {
  if (lines == 0) return {};
  std::size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;
  std::size_t count = 0;
  std::size_t at = end;
  while (at > 0) {
    if (text[at - 1] == '\n' && ++count == lines) break;
    --at;
  }
  return std::string(text.substr(at));
}

core::Result<std::string> tail(remote::Remote& remote, const std::string& path, std::size_t lines,
                               std::chrono::milliseconds timeout, std::uint64_t chunk) {
  auto read = tail_with_end(remote, path, lines, timeout, chunk);
  if (!read) return std::unexpected(read.error());
  return std::move(read->text);
}

core::Result<Tail> tail_with_end(remote::Remote& remote, const std::string& path, std::size_t lines,
                                 std::chrono::milliseconds timeout, std::uint64_t chunk) {
  // The size first, so only the end of the file is read.
  auto size_output = remote.run_one({{"stat", "-c", "%s", path}, {}}, timeout);
  if (!size_output) return std::unexpected(size_output.error());
  if (size_output->exit_code != 0) {
    return core::fail(core::ErrorCode::not_found,
                      fmt::format("no log at {} on the cluster yet: {}", path, size_output->err));
  }
  std::string digits = size_output->out;
  while (!digits.empty() && (digits.back() == '\n' || digits.back() == '\r')) digits.pop_back();
  std::uint64_t size = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
  if (error != std::errc{} || end != digits.data() + digits.size()) {
    return core::fail(core::ErrorCode::parse_error,
                      fmt::format("stat printed '{}' for the size of {}", digits, path));
  }

  // Backwards in chunks until the text holds one more line end than lines wanted.
  std::string text;
  std::uint64_t offset = size;
  while (offset > 0) {
    const std::uint64_t length = std::min(chunk, offset);
    offset -= length;
    auto piece = remote.read_file(path, offset, length);
    if (!piece) return std::unexpected(piece.error());
    text.insert(0, *piece);
    auto breaks = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    if (!text.empty() && text.back() == '\n') --breaks;
    if (breaks >= lines) break;
  }
  return Tail{last_lines(text, lines), size};
}

void interruptible_wait(std::chrono::milliseconds duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any woken;
  std::unique_lock lock(mutex);
  woken.wait_for(lock, stop, duration, [] { return false; });
}

namespace {

bool is_retried(const core::Error& error) {
  return error.code == core::ErrorCode::connection_failed ||
         error.code == core::ErrorCode::connection_lost || error.code == core::ErrorCode::timeout;
}

// Consecutive failures of one follow: the delay before the next try, and when to give up.
class Backoff {
 public:
  explicit Backoff(const FollowOptions& options)
      : m_options(options), m_delay(options.first_retry_delay) {}

  void succeeded() {
    m_waited = std::chrono::milliseconds(0);
    m_delay = m_options.first_retry_delay;
  }

  // The delay before the next try, or nullopt when the failures have been waited on too long.
  std::optional<std::chrono::milliseconds> failed() {
    if (m_waited >= m_options.give_up_after) return std::nullopt;
    const auto delay = m_delay;
    m_waited += delay;
    m_delay = std::min(m_delay * 2, m_options.max_retry_delay);
    return delay;
  }

 private:
  const FollowOptions& m_options;
  std::chrono::milliseconds m_waited{0};  // since the last success
  std::chrono::milliseconds m_delay;
};

}  // namespace

core::Result<FollowEnd> follow(remote::Remote& remote, const std::string& path,
                               const FollowHooks& hooks, const FollowOptions& options,
                               std::stop_token stop) {
  std::uint64_t offset = options.offset;
  bool finished = false;  // the job was seen in a final state before the last read
  Backoff backoff(options);

  // On a retried failure: wait, then try the same step again; otherwise the error.
  auto retry = [&](const core::Error& error) -> core::Result<void> {
    if (!is_retried(error)) return std::unexpected(error);
    auto delay = backoff.failed();
    if (!delay) return std::unexpected(error);
    if (hooks.on_retry) hooks.on_retry(error, *delay);
    options.wait(*delay, stop);
    return {};
  };

  while (!stop.stop_requested()) {
    // Everything new since the last byte printed, in chunks; a failed read prints nothing.
    bool grew = false;
    bool failed = false;
    for (;;) {
      auto piece = remote.read_file(path, offset, options.chunk);
      if (!piece && piece.error().code == core::ErrorCode::not_found) break;  // not created yet
      if (!piece) {
        if (auto retried = retry(piece.error()); !retried) return std::unexpected(retried.error());
        failed = true;
        break;
      }
      backoff.succeeded();
      if (!piece->empty()) {
        hooks.print(*piece);
        offset += piece->size();
        grew = true;
      }
      if (piece->size() < options.chunk || stop.stop_requested()) break;
    }
    if (failed || stop.stop_requested()) continue;
    if (grew) {
      options.wait(options.poll_interval, stop);
      continue;
    }
    // Nothing new. Once the job was final before this read, the log is complete.
    if (finished) return FollowEnd::finished;
    auto done = hooks.finished();
    if (!done) {
      if (auto retried = retry(done.error()); !retried) return std::unexpected(retried.error());
      continue;
    }
    backoff.succeeded();
    if (*done) {
      // Read once more at once: bytes written just before the job ended are still to come.
      finished = true;
      continue;
    }
    options.wait(options.poll_interval, stop);
  }
  return FollowEnd::stopped;
}

}  // namespace sortie::jobs

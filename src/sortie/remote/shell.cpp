#include "sortie/remote/shell.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace sortie::remote {

core::Result<ShellSession> ShellSession::start(std::unique_ptr<ShellChannel> channel,
                                               Deadline deadline) {
  std::string token = random_token();
  SyncReader reader(token);
  auto sent = channel->write(render_sync(token), deadline);
  while (sent && !reader.complete()) {
    auto chunk = channel->read(deadline);
    if (!chunk) {
      sent = std::unexpected(chunk.error());
      break;
    }
    sent = reader.feed(chunk->stream, chunk->bytes);
  }
  if (!sent && sent.error().code == core::ErrorCode::connection_lost) {
    // A shell that exits at once may be gone before we read what it printed (writing the sync
    // text then fails first): collect what is left, briefly, so the user sees why.
    const Deadline drain = std::min(deadline, deadline_after(std::chrono::milliseconds(500)));
    while (true) {
      auto chunk = channel->read(drain);
      if (!chunk || !reader.feed(chunk->stream, chunk->bytes)) break;
    }
  }
  if (!sent) {
    channel->kill(std::nullopt);
    core::Error error = sent.error();
    if (error.code == core::ErrorCode::timeout) {
      error.message = "the shell did not start in time (a slow login profile?)";
    } else if (error.code == core::ErrorCode::connection_lost) {
      error.message = "the shell exited before it was ready";
      if (!reader.error_text().empty()) {
        error.message += fmt::format("; it printed: {}", reader.error_text());
      }
    }
    return std::unexpected(std::move(error));
  }
  return ShellSession(std::move(channel), reader.shell_pid());
}

core::Result<std::vector<Output>> ShellSession::run(const std::vector<Command>& commands,
                                                    Deadline deadline, OnFailure on_failure) {
  if (!m_channel) {
    return core::fail(core::ErrorCode::connection_lost, "the shell was already closed");
  }
  if (commands.empty()) return std::vector<Output>{};
  std::string token = random_token();
  auto script = render_batch(commands, on_failure, token);
  if (!script) return std::unexpected(script.error());

  BatchReader reader(token, commands.size(), on_failure);
  core::Result<void> status = m_channel->write(*script, deadline);
  while (status && !reader.complete()) {
    auto chunk = m_channel->read(deadline);
    if (!chunk) {
      status = std::unexpected(chunk.error());
      break;
    }
    status = reader.feed(chunk->stream, chunk->bytes);
  }
  if (!status) {
    kill();
    core::Error error = status.error();
    if (error.code == core::ErrorCode::timeout) {
      error.message = fmt::format(
          "`{}` did not finish in time; it was killed",
          commands.size() == 1 ? commands.front().argv.front() : std::string("the batch"));
    } else if (error.code == core::ErrorCode::connection_lost) {
      error.message =
          "the shell or the link to it went away while the commands ran; they may or may not "
          "have run";
    }
    return std::unexpected(std::move(error));
  }
  return reader.take();
}

void ShellSession::kill() {
  if (!m_channel) return;
  m_channel->kill(m_shell_pid);
  m_channel.reset();
}

}  // namespace sortie::remote

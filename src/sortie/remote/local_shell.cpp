#include "sortie/remote/local_shell.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace sortie::remote {

namespace {

core::Error lost() {
  return core::Error{core::ErrorCode::connection_lost, "the local shell exited"};
}

core::Error too_late() {
  return core::Error{core::ErrorCode::timeout, "the local shell did not answer in time"};
}

}  // namespace

core::Result<std::unique_ptr<LocalShellChannel>> LocalShellChannel::start(
    const std::vector<std::string>& argv) {
  auto process = Process::spawn(argv, StdinMode::pipe);
  if (!process) return std::unexpected(process.error());
  ::fcntl(process->stdin_pipe().get(), F_SETFL, O_NONBLOCK);
  return std::unique_ptr<LocalShellChannel>(new LocalShellChannel(std::move(*process)));
}

core::Result<void> LocalShellChannel::write(std::string_view bytes, Deadline deadline) {
  while (!bytes.empty()) {
    if (!m_process.stdin_pipe()) return std::unexpected(lost());
    pollfd fd{m_process.stdin_pipe().get(), POLLOUT, 0};
    int ready =
        ::poll(&fd, 1, static_cast<int>(std::min<long long>(milliseconds_left(deadline), 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return std::unexpected(too_late());
    long written = write_without_sigpipe(fd.fd, bytes);
    if (written < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return std::unexpected(lost());
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

core::Result<Chunk> LocalShellChannel::read(Deadline deadline) {
  std::array<char, 65536> buffer{};
  while (m_process.stdout_pipe() || m_process.stderr_pipe()) {
    std::array<pollfd, 2> fds{};
    std::array<Stream, 2> streams{};
    nfds_t count = 0;
    if (m_process.stdout_pipe()) {
      streams[count] = Stream::out;
      fds[count++] = pollfd{m_process.stdout_pipe().get(), POLLIN, 0};
    }
    if (m_process.stderr_pipe()) {
      streams[count] = Stream::err;
      fds[count++] = pollfd{m_process.stderr_pipe().get(), POLLIN, 0};
    }
    int ready = ::poll(fds.data(), count,
                       static_cast<int>(std::min<long long>(milliseconds_left(deadline), 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return std::unexpected(too_late());
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        // Drain the other stream before reporting the loss: its last words say why.
        (streams[i] == Stream::out ? m_process.stdout_pipe() : m_process.stderr_pipe()).reset();
        continue;
      }
      return Chunk{streams[i], std::string(buffer.data(), static_cast<std::size_t>(got))};
    }
  }
  return std::unexpected(lost());
}

bool LocalShellChannel::alive() {
  return m_process.stdin_pipe() && m_process.stdout_pipe() && m_process.stderr_pipe() &&
         m_process.running();
}

void LocalShellChannel::kill(std::optional<long> /*process_group*/) {
  // The shell leads its own process group, which holds every command it started.
  m_process.kill_group();
  m_process.stdin_pipe().reset();
  m_process.stdout_pipe().reset();
  m_process.stderr_pipe().reset();
}

}  // namespace sortie::remote

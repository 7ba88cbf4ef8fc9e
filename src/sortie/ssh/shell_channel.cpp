#include "sortie/ssh/shell_channel.hpp"

#include <fmt/format.h>
#include <poll.h>

#include <array>
#include <thread>

namespace sortie::ssh {

namespace {

core::Error lost(ssh_session session) {
  return core::Error{core::ErrorCode::connection_lost,
                     fmt::format("the SSH channel closed: {}", ssh_get_error(session))};
}

}  // namespace

core::Result<std::unique_ptr<SshShellChannel>> SshShellChannel::open(ssh_session session,
                                                                     const std::string& command) {
  if (!ssh_is_connected(session)) {
    return core::fail(core::ErrorCode::connection_lost, "the SSH connection is closed");
  }
  ChannelPtr channel(ssh_channel_new(session));
  if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK) {
    auto code = ssh_is_connected(session) ? core::ErrorCode::command_failed
                                          : core::ErrorCode::connection_lost;
    return core::fail(
        code, fmt::format("the server refused a session channel: {}", ssh_get_error(session)));
  }
  if (ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK) {
    auto code = ssh_is_connected(session) ? core::ErrorCode::command_failed
                                          : core::ErrorCode::connection_lost;
    return core::fail(
        code, fmt::format("the server refused to run `{}`: {}", command, ssh_get_error(session)));
  }
  return std::unique_ptr<SshShellChannel>(new SshShellChannel(session, std::move(channel)));
}

core::Result<void> SshShellChannel::write(std::string_view bytes, remote::Deadline deadline) {
  if (!m_channel) return std::unexpected(lost(m_session));
  // libssh writes block until the server's window admits the data; the shell reads its whole
  // batch before running it, so the window opens again promptly.
  while (!bytes.empty()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return core::fail(core::ErrorCode::timeout,
                        "the remote shell did not take its input in time");
    }
    auto piece = static_cast<std::uint32_t>(std::min<std::size_t>(bytes.size(), 1 << 20));
    int written = ssh_channel_write(m_channel.get(), bytes.data(), piece);
    if (written == SSH_ERROR || !ssh_channel_is_open(m_channel.get())) {
      return std::unexpected(lost(m_session));
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

core::Result<remote::Chunk> SshShellChannel::read(remote::Deadline deadline) {
  if (!m_channel) return std::unexpected(lost(m_session));
  std::array<char, 65536> buffer{};
  while (true) {
    bool ended = true;
    for (int turn = 0; turn < 2; ++turn) {
      bool is_err = (turn == 0) == m_prefer_err;
      int available = ssh_channel_poll(m_channel.get(), is_err ? 1 : 0);
      if (available == SSH_ERROR) return std::unexpected(lost(m_session));
      if (available != SSH_EOF) ended = false;
      if (available > 0) {
        int got =
            ssh_channel_read_nonblocking(m_channel.get(), buffer.data(),
                                         static_cast<std::uint32_t>(buffer.size()), is_err ? 1 : 0);
        if (got == SSH_ERROR) return std::unexpected(lost(m_session));
        if (got > 0) {
          m_prefer_err = !is_err;
          return remote::Chunk{is_err ? remote::Stream::err : remote::Stream::out,
                               std::string(buffer.data(), static_cast<std::size_t>(got))};
        }
      }
    }
    if (ended || !ssh_channel_is_open(m_channel.get())) return std::unexpected(lost(m_session));
    long long left = remote::milliseconds_left(deadline);
    if (left == 0) {
      return core::fail(core::ErrorCode::timeout, "the remote shell did not answer in time");
    }
    // Sleep on the socket. Capped, because libssh may already hold a complete packet that the
    // socket no longer shows.
    pollfd fd{ssh_get_fd(m_session), POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(std::min<long long>(left, 50)));
  }
}

bool SshShellChannel::alive() {
  if (!m_channel) return false;
  if (!ssh_is_connected(m_session) || !ssh_channel_is_open(m_channel.get())) return false;
  // Reads whatever arrived (an EOF, a close, a reset connection) without sending anything.
  int available = ssh_channel_poll(m_channel.get(), 0);
  return available != SSH_ERROR && available != SSH_EOF && ssh_is_connected(m_session) &&
         ssh_channel_is_open(m_channel.get()) && !ssh_channel_is_eof(m_channel.get());
}

void SshShellChannel::kill(std::optional<long> process_group) {
  if (!m_channel) return;
  if (process_group && *process_group > 1 && ssh_is_connected(m_session)) {
    ChannelPtr killer(ssh_channel_new(m_session));
    if (killer && ssh_channel_open_session(killer.get()) == SSH_OK) {
      std::string command =
          fmt::format("kill -KILL -- -{0} 2>/dev/null || kill -KILL {0}", *process_group);
      if (ssh_channel_request_exec(killer.get(), command.c_str()) == SSH_OK) {
        // Wait briefly for the kill to be done, so the next shell does not race the old one.
        std::array<char, 256> sink{};
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (std::chrono::steady_clock::now() < until && !ssh_channel_is_eof(killer.get())) {
          if (ssh_channel_read_timeout(killer.get(), sink.data(), sink.size(), 0, 100) ==
              SSH_ERROR) {
            break;
          }
        }
      }
    }
  }
  if (ssh_is_connected(m_session) && ssh_channel_is_open(m_channel.get())) {
    ssh_channel_request_send_signal(m_channel.get(), "KILL");
  }
  m_channel.reset();
}

}  // namespace sortie::ssh

#include "sortie/ssh/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>

#include <array>
#include <chrono>

#include "sortie/remote/framing.hpp"
#include "sortie/remote/quote.hpp"

namespace sortie::ssh {

namespace {

core::Error sftp_failure(ssh_session session, sftp_session sftp, std::string_view what,
                         const std::string& path) {
  if (!ssh_is_connected(session)) {
    return core::Error{core::ErrorCode::connection_lost,
                       fmt::format("the connection dropped while trying to {} {}", what, path)};
  }
  int status = sftp_get_error(sftp);
  std::string reason;
  auto code = core::ErrorCode::io_error;
  switch (status) {
    case SSH_FX_NO_SUCH_FILE:
    case SSH_FX_NO_SUCH_PATH:
      code = core::ErrorCode::not_found;
      reason = "no such file or directory";
      break;
    case SSH_FX_PERMISSION_DENIED:
      reason = "permission denied";
      break;
    case SSH_FX_FILE_ALREADY_EXISTS:
      reason = "the file already exists";
      break;
    default:
      reason = fmt::format("{} (SFTP status {})", ssh_get_error(session), status);
  }
  return core::Error{code, fmt::format("could not {} {} on the cluster: {}", what, path, reason)};
}

// Renames `from` over `to` on the cluster with `mv -f`, through an exec channel on `session`.
core::Result<void> rename_over(ssh_session session, const std::string& from,
                               const std::string& to) {
  ChannelPtr channel(ssh_channel_new(session));
  std::string command = "mv -f -- " + remote::quote(from) + " " + remote::quote(to);
  if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK ||
      ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK) {
    auto code =
        ssh_is_connected(session) ? core::ErrorCode::io_error : core::ErrorCode::connection_lost;
    return core::fail(
        code, fmt::format("could not replace {} on the cluster: {}", to, ssh_get_error(session)));
  }
  std::string errors;
  std::array<char, 4096> buffer{};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!ssh_channel_is_eof(channel.get())) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return core::fail(core::ErrorCode::timeout,
                        fmt::format("replacing {} on the cluster did not finish in time", to));
    }
    int got = ssh_channel_read_timeout(channel.get(), buffer.data(), buffer.size(), 1, 1000);
    if (got == SSH_ERROR) {
      return core::fail(core::ErrorCode::connection_lost,
                        fmt::format("the connection dropped while replacing {}", to));
    }
    if (got > 0) errors.append(buffer.data(), static_cast<std::size_t>(got));
    if (got == 0 && ssh_channel_poll(channel.get(), 0) == SSH_EOF) break;
  }
  int status = ssh_channel_get_exit_status(channel.get());
  if (status != 0) {
    return core::fail(
        core::ErrorCode::io_error,
        fmt::format("could not replace {} on the cluster: {}", to,
                    errors.empty() ? fmt::format("mv exited with {}", status) : errors));
  }
  return {};
}

}  // namespace

core::Result<SftpPtr> open_sftp(ssh_session session) {
  SftpPtr sftp(sftp_new(session));
  if (!sftp) {
    auto code = ssh_is_connected(session) ? core::ErrorCode::command_failed
                                          : core::ErrorCode::connection_lost;
    return core::fail(code,
                      fmt::format("could not open an SFTP channel: {}", ssh_get_error(session)));
  }
  if (sftp_init(sftp.get()) != SSH_OK) {
    return core::fail(core::ErrorCode::command_failed,
                      fmt::format("the cluster's sshd offers no SFTP: {}", ssh_get_error(session)));
  }
  return sftp;
}

core::Result<void> write_file(ssh_session session, sftp_session sftp, const std::string& path,
                              std::string_view content, unsigned mode) {
  std::string temporary = path + ".sortie-" + remote::random_token().substr(0, 12);
  SftpFilePtr file(sftp_open(sftp, temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
  if (!file) return std::unexpected(sftp_failure(session, sftp, "create", temporary));
  auto give_up = [&](std::string_view what) {
    core::Error error = sftp_failure(session, sftp, what, path);
    file.reset();
    if (ssh_is_connected(session)) sftp_unlink(sftp, temporary.c_str());
    return std::unexpected(std::move(error));
  };
  while (!content.empty()) {
    // One SFTP write request per piece; 32 KiB is what every server accepts.
    std::size_t piece = std::min<std::size_t>(content.size(), 32768);
    ssize_t written = sftp_write(file.get(), content.data(), piece);
    if (written <= 0) return give_up("write");
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  // chmod after creating: the remote umask must not strip bits the caller asked for.
  if (sftp_chmod(sftp, temporary.c_str(), static_cast<mode_t>(mode)) != SSH_OK) {
    return give_up("set the mode of");
  }
  if (sftp_close(file.release()) != SSH_OK) return give_up("finish writing");
  if (sftp_rename(sftp, temporary.c_str(), path.c_str()) == SSH_OK) return {};
  // SFTP v3 rename (all libssh 0.10 speaks) refuses to replace an existing file, and libssh
  // does not expose posix-rename@openssh.com: let the cluster's mv(1) do the atomic rename(2).
  if (auto moved = rename_over(session, temporary, path); !moved) {
    if (ssh_is_connected(session)) sftp_unlink(sftp, temporary.c_str());
    return std::unexpected(moved.error());
  }
  return {};
}

core::Result<std::string> read_file(ssh_session session, sftp_session sftp, const std::string& path,
                                    std::uint64_t offset, std::uint64_t length) {
  SftpFilePtr file(sftp_open(sftp, path.c_str(), O_RDONLY, 0));
  if (!file) return std::unexpected(sftp_failure(session, sftp, "open", path));
  if (offset > 0 && sftp_seek64(file.get(), offset) != 0) {
    return std::unexpected(sftp_failure(session, sftp, "seek in", path));
  }
  std::string content;
  std::array<char, 65536> buffer{};
  while (content.size() < length) {
    std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - content.size()));
    ssize_t got = sftp_read(file.get(), buffer.data(), want);
    if (got < 0) return std::unexpected(sftp_failure(session, sftp, "read", path));
    if (got == 0) break;
    content.append(buffer.data(), static_cast<std::size_t>(got));
  }
  return content;
}

}  // namespace sortie::ssh

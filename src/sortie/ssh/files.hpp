#pragma once

// Reading and writing remote files over SFTP. Internal to ssh/.

#include <cstdint>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"
#include "sortie/ssh/handles.hpp"

namespace sortie::ssh {

// An initialised SFTP session on `session`. Fails with command_failed when the server offers no
// SFTP subsystem, connection_lost when the session is dead.
core::Result<SftpPtr> open_sftp(ssh_session session);

// Writes `content` to a temporary file beside `path`, sets `mode`, and renames it over `path`
// (an SFTP rename when `path` is new, else `mv -f` on the cluster: both atomic). Relative
// paths are relative to the remote home directory. Fails with not_found (directory missing),
// io_error (permission, disk full, ...), connection_lost.
core::Result<void> write_file(ssh_session session, sftp_session sftp, const std::string& path,
                              std::string_view content, unsigned mode);

// Up to `length` bytes of `path` from byte `offset`; empty past the end. Fails with not_found,
// io_error, connection_lost.
core::Result<std::string> read_file(ssh_session session, sftp_session sftp, const std::string& path,
                                    std::uint64_t offset, std::uint64_t length);

}  // namespace sortie::ssh

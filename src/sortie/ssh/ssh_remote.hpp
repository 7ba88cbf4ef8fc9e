#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "sortie/remote/remote.hpp"
#include "sortie/ssh/target.hpp"

namespace sortie::ssh {

class ConnectionPool;  // ssh_remote.cpp

// The Remote for a cluster reached over SSH.
//
// Keeps up to Target::max_connections authenticated sessions (opened lazily, on first need).
// Each session carries one long-lived login shell (`exec bash -l` through the user's login
// shell, so .bash_profile / conda / module set-up runs once per connection, not per command)
// that runs batches framed by remote/framing.hpp; SFTP is opened on it on first file access.
// A session is used by one call at a time (libssh sessions are not thread-safe); a call that
// finds all of them busy waits for one until its deadline.
//
// Failure handling:
//  - a pooled session found dead before anything was sent is replaced, retrying the connection
//    after 0.2 s, 0.5 s and 1 s, within the call's timeout;
//  - once any byte of a batch was sent, a drop is connection_lost and the batch is never re-run
//    (a repeated sbatch would submit the job twice); file operations, being idempotent, are
//    retried once on a fresh connection;
//  - on timeout the shell's process group is killed and the next call starts a fresh shell on
//    the same session;
//  - where no long-lived shell can be started (no bash, or the server refuses), each batch runs
//    through its own exec channel (`sh` reading the same framed script).
//
// write_file() and read_file() take paths as SFTP sees them: absolute, or relative to the
// remote home directory (no `~` expansion).
class SshRemote final : public remote::Remote {
 public:
  // Connects nothing yet. `file_timeout` bounds write_file() and read_file(), which take none.
  explicit SshRemote(Target target,
                     std::chrono::milliseconds file_timeout = std::chrono::seconds(120));
  ~SshRemote() override;
  SshRemote(const SshRemote&) = delete;
  SshRemote& operator=(const SshRemote&) = delete;

  core::Result<std::vector<remote::Output>> run(const std::vector<remote::Command>& commands,
                                                std::chrono::milliseconds timeout,
                                                remote::OnFailure on_failure) override;

  core::Result<void> write_file(const std::string& path, std::string_view content,
                                unsigned mode) override;

  core::Result<std::string> read_file(const std::string& path, std::uint64_t offset,
                                      std::uint64_t length) override;

  // "user@host:port" as the Target and ~/.ssh/config resolve it (e.g.
  // "researcher@127.0.0.1:46822"), without connecting. Fails with config_invalid when the
  // config file cannot be read.
  core::Result<std::string> describe() const;

  // Sessions currently open (idle or in use): for tests and `sortie clusters test`.
  std::size_t open_connections() const;

 private:
  std::unique_ptr<ConnectionPool> m_pool;
};

}  // namespace sortie::ssh

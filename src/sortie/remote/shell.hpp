#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/remote/deadline.hpp"
#include "sortie/remote/framing.hpp"
#include "sortie/remote/remote.hpp"

namespace sortie::remote {

// Some bytes a shell wrote.
struct Chunk {
  Stream stream;
  std::string bytes;
};

// A running POSIX shell reading commands from its standard input: a channel over SSH, or a
// local subprocess. Not thread-safe: one owner at a time.
class ShellChannel {
 public:
  virtual ~ShellChannel() = default;

  // Sends all of `bytes` to the shell's standard input. Fails with connection_lost when the
  // shell or the link is gone, timeout when `deadline` passes first.
  virtual core::Result<void> write(std::string_view bytes, Deadline deadline) = 0;

  // Returns the next bytes the shell wrote to standard output or standard error, waiting until
  // `deadline`. Fails with timeout at the deadline, connection_lost at end of file or on a
  // broken link.
  virtual core::Result<Chunk> read(Deadline deadline) = 0;

  // True when, as far as can be told without sending anything, the shell still runs and the
  // link to it is up.
  virtual bool alive() = 0;

  // Ends the shell and every process it started. `process_group` is the shell's process group
  // as the shell reported it at start-up, when known. The channel is unusable afterwards.
  virtual void kill(std::optional<long> process_group) = 0;
};

// Runs batches of commands through one long-lived shell, framed by framing.hpp: one write and
// one stream of reads per batch. Not thread-safe: one owner at a time (see SshRemote's pool).
class ShellSession {
 public:
  // Takes over `channel`, sends the start-up sync and discards what the shell printed before
  // it (a login shell's banners). Fails with timeout (the channel is killed) or connection_lost
  // (the shell exited at once; the message carries what it printed on standard error).
  static core::Result<ShellSession> start(std::unique_ptr<ShellChannel> channel, Deadline deadline);

  // Runs `commands` as Remote::run() promises. On timeout the shell and whatever it was running
  // are killed and the session becomes unusable; on connection_lost likewise. A non-zero exit
  // is not an error.
  core::Result<std::vector<Output>> run(const std::vector<Command>& commands, Deadline deadline,
                                        OnFailure on_failure);

  // False once a run failed: the owner must replace this session.
  bool usable() const { return m_channel != nullptr; }

  // True when the session is usable and its shell still runs (checked without sending).
  bool alive() { return m_channel && m_channel->alive(); }

  // The shell's process id as it reported it at start-up.
  std::optional<long> shell_pid() const { return m_shell_pid; }

  // Kills the shell (and what it runs) now; the session becomes unusable.
  void kill();

 private:
  ShellSession(std::unique_ptr<ShellChannel> channel, std::optional<long> shell_pid)
      : m_channel(std::move(channel)), m_shell_pid(shell_pid) {}

  std::unique_ptr<ShellChannel> m_channel;
  std::optional<long> m_shell_pid;
};

}  // namespace sortie::remote

#pragma once

// A remote::ShellChannel over one SSH exec channel. Internal to ssh/.

#include <memory>
#include <string>

#include "sortie/remote/shell.hpp"
#include "sortie/ssh/handles.hpp"

namespace sortie::ssh {

class SshShellChannel final : public remote::ShellChannel {
 public:
  // Opens a channel on `session` (which must outlive the channel) running `command` through the
  // user's login shell, as sshd does for `ssh host command`. Fails with connection_lost when
  // the session is dead, command_failed when the server refuses the channel or the command.
  static core::Result<std::unique_ptr<SshShellChannel>> open(ssh_session session,
                                                             const std::string& command);

  core::Result<void> write(std::string_view bytes, remote::Deadline deadline) override;
  core::Result<remote::Chunk> read(remote::Deadline deadline) override;
  bool alive() override;
  // Kills the shell's process group through a second channel on the same session (sshd makes
  // the shell a session leader, so its pid is the group of every command it runs), then closes
  // this channel.
  void kill(std::optional<long> process_group) override;

 private:
  SshShellChannel(ssh_session session, ChannelPtr channel)
      : m_session(session), m_channel(std::move(channel)) {}

  ssh_session m_session;
  ChannelPtr m_channel;
  bool m_prefer_err = false;  // alternate streams so neither starves the other
};

}  // namespace sortie::ssh

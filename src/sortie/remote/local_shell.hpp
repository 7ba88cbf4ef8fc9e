#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/remote/process.hpp"
#include "sortie/remote/shell.hpp"

namespace sortie::remote {

// A ShellChannel over a shell running as a child process on this machine (by default
// `bash -l`), talking through pipes. Used to test ShellSession against a real shell, and usable
// wherever a local long-lived shell is wanted.
class LocalShellChannel final : public ShellChannel {
 public:
  // Starts `argv` (a POSIX shell reading commands from standard input) in its own process group.
  // Fails with not_found when the program does not exist.
  static core::Result<std::unique_ptr<LocalShellChannel>> start(
      const std::vector<std::string>& argv = {"bash", "-l"});

  core::Result<void> write(std::string_view bytes, Deadline deadline) override;
  core::Result<Chunk> read(Deadline deadline) override;
  bool alive() override;
  void kill(std::optional<long> process_group) override;

  // The shell's process id.
  long pid() const { return m_process.pid(); }

 private:
  explicit LocalShellChannel(Process process) : m_process(std::move(process)) {}

  Process m_process;
};

}  // namespace sortie::remote

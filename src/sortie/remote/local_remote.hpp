#pragma once

#include "sortie/remote/remote.hpp"

namespace sortie::remote {

// The Remote for `host: local`: sortie runs on the cluster's login node itself, so commands are
// started directly as child processes (no shell in between; argv is passed as is) with this
// process's environment, and files are read and written with POSIX file I/O.
// Stateless, so safe to use from any number of threads.
class LocalRemote final : public Remote {
 public:
  // Runs each command as a child process in its own process group, one after another, within
  // one deadline for the whole batch. A program that does not exist yields exit code 127 with a
  // message on stderr, as a shell would. On timeout the running process group is killed.
  core::Result<std::vector<Output>> run(const std::vector<Command>& commands,
                                        std::chrono::milliseconds timeout,
                                        OnFailure on_failure) override;

  // Writes a temporary file next to `path` and renames it over `path`, so readers see the old
  // or the new content, never a mix. Fails with io_error naming the path and the reason.
  core::Result<void> write_file(const std::string& path, std::string_view content,
                                unsigned mode) override;

  core::Result<std::string> read_file(const std::string& path, std::uint64_t offset,
                                      std::uint64_t length) override;
};

}  // namespace sortie::remote

#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/remote/deadline.hpp"
#include "sortie/remote/remote.hpp"

// Child processes on this machine, for LocalRemote and LocalShellChannel.
namespace sortie::remote {

// An owned file descriptor, closed on destruction.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { reset(); }

  int get() const { return m_fd; }
  explicit operator bool() const { return m_fd >= 0; }
  // Closes the descriptor now.
  void reset();

 private:
  int m_fd = -1;
};

// Whether a child's standard input is a pipe we write to, or /dev/null.
enum class StdinMode { null_device, pipe };

// A running child in its own process group, with pipes to its stdout and stderr (and stdin with
// StdinMode::pipe). Destroying a Process that was not waited for kills its whole group with
// SIGKILL and reaps it, so no child outlives its owner.
class Process {
 public:
  // Starts argv[0] (searched in PATH) with `argv`. Fails with not_found when the program does
  // not exist or cannot be executed, io_error when pipes or the spawn fail otherwise.
  static core::Result<Process> spawn(const std::vector<std::string>& argv, StdinMode stdin_mode);

  Process(Process&& other) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const { return m_pid; }
  FileDescriptor& stdin_pipe() { return m_stdin; }
  FileDescriptor& stdout_pipe() { return m_stdout; }
  FileDescriptor& stderr_pipe() { return m_stderr; }

  // Sends SIGKILL to the process group (the child and whatever it started that stayed in it).
  void kill_group();

  // True while the child has not exited (reaps it when it has).
  bool running();

  // Waits until the child exits or `deadline` passes. Returns its exit code (128+N when killed
  // by signal N), or nullopt at the deadline.
  std::optional<int> wait_until(Deadline deadline);

 private:
  Process() = default;

  pid_t m_pid = -1;
  std::optional<int> m_exit_code;
  FileDescriptor m_stdin;
  FileDescriptor m_stdout;
  FileDescriptor m_stderr;
};

// Writes `bytes` to `fd` without letting a closed reader raise SIGPIPE in this process.
// Returns the number written (may be short for a non-blocking fd), or -1 with errno set.
long write_without_sigpipe(int fd, std::string_view bytes);

// Runs `command` to completion: feeds its input, collects stdout and stderr, and returns its
// Output. Fails with timeout at `deadline` (the process group is killed first), not_found when
// the program does not exist.
core::Result<Output> run_process(const Command& command, Deadline deadline);

}  // namespace sortie::remote

#include "sortie/remote/process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

extern char** environ;

namespace sortie::remote {

namespace {

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

int milliseconds_until(Deadline deadline) {
  return static_cast<int>(std::min<long long>(milliseconds_left(deadline), 1 << 30));
}

struct SpawnActions {
  posix_spawn_file_actions_t actions;
  SpawnActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
};

struct SpawnAttributes {
  posix_spawnattr_t attributes;
  SpawnAttributes() { posix_spawnattr_init(&attributes); }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

core::Result<std::array<FileDescriptor, 2>> make_pipe() {
  std::array<int, 2> fds{};
  // Close-on-exec, so a child started by another thread cannot hold our pipe ends open.
  if (pipe2(fds.data(), O_CLOEXEC) != 0) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("could not create a pipe: {}", std::strerror(errno)));
  }
  return std::array<FileDescriptor, 2>{FileDescriptor(fds[0]), FileDescriptor(fds[1])};
}

}  // namespace

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    reset();
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

void FileDescriptor::reset() {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

long write_without_sigpipe(int fd, std::string_view bytes) {
  sigset_t pipe_only;
  sigset_t previous;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t pending;
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  ssize_t written = ::write(fd, bytes.data(), bytes.size());
  int saved_errno = errno;
  if (written < 0 && saved_errno == EPIPE && !was_pending) {
    // Consume the SIGPIPE this write raised while it was blocked, so it never fires.
    timespec zero{};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = saved_errno;
  return written;
}

core::Result<Process> Process::spawn(const std::vector<std::string>& argv, StdinMode stdin_mode) {
  assert(!argv.empty());
  Process process;
  auto out = make_pipe();
  if (!out) return std::unexpected(out.error());
  auto err = make_pipe();
  if (!err) return std::unexpected(err.error());
  std::array<FileDescriptor, 2> in;
  SpawnActions actions;
  if (stdin_mode == StdinMode::pipe) {
    auto pipe = make_pipe();
    if (!pipe) return std::unexpected(pipe.error());
    in = std::move(*pipe);
    posix_spawn_file_actions_adddup2(&actions.actions, in[0].get(), 0);
  } else {
    posix_spawn_file_actions_addopen(&actions.actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions.actions, (*out)[1].get(), 1);
  posix_spawn_file_actions_adddup2(&actions.actions, (*err)[1].get(), 2);

  SpawnAttributes attributes;
  // Its own process group, so a timeout can kill everything the command started.
  posix_spawnattr_setpgroup(&attributes.attributes, 0);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes.attributes, &default_signals);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes.attributes, &no_signals);
  posix_spawnattr_setflags(&attributes.attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> arguments;
  arguments.reserve(argv.size() + 1);
  for (const auto& word : argv) arguments.push_back(const_cast<char*>(word.c_str()));
  arguments.push_back(nullptr);

  pid_t pid = -1;
  int error = posix_spawnp(&pid, arguments[0], &actions.actions, &attributes.attributes,
                           arguments.data(), environ);
  if (error != 0) {
    auto code = error == ENOENT || error == EACCES || error == ENOEXEC ? core::ErrorCode::not_found
                                                                       : core::ErrorCode::io_error;
    return core::fail(code, fmt::format("could not run `{}`: {}", argv[0], std::strerror(error)));
  }
  process.m_pid = pid;
  process.m_stdout = std::move((*out)[0]);
  process.m_stderr = std::move((*err)[0]);
  if (stdin_mode == StdinMode::pipe) process.m_stdin = std::move(in[1]);
  return process;
}

Process::Process(Process&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)),
      m_exit_code(other.m_exit_code),
      m_stdin(std::move(other.m_stdin)),
      m_stdout(std::move(other.m_stdout)),
      m_stderr(std::move(other.m_stderr)) {}

Process::~Process() {
  if (m_pid > 0 && !m_exit_code) {
    kill_group();
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void Process::kill_group() {
  if (m_pid > 0 && !m_exit_code) ::kill(-m_pid, SIGKILL);
}

bool Process::running() {
  if (m_pid <= 0 || m_exit_code) return false;
  int status = 0;
  pid_t reaped = ::waitpid(m_pid, &status, WNOHANG);
  if (reaped == m_pid) {
    m_exit_code = exit_code_of(status);
    return false;
  }
  return reaped == 0;
}

std::optional<int> Process::wait_until(Deadline deadline) {
  // Polling with a growing pause: children almost always exit right after closing their output.
  auto pause = std::chrono::microseconds(20);
  while (true) {
    if (!running()) return m_exit_code.value_or(255);
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10'000));
  }
}

core::Result<Output> run_process(const Command& command, Deadline deadline) {
  bool has_input = command.input && !command.input->empty();
  auto process = Process::spawn(command.argv, has_input ? StdinMode::pipe : StdinMode::null_device);
  if (!process) {
    if (process.error().code == core::ErrorCode::not_found) {
      // The same answer a shell gives, so LocalRemote and SshRemote agree.
      return Output{127, "", process.error().message + "\n"};
    }
    return std::unexpected(process.error());
  }
  Output output;
  std::string_view input = has_input ? std::string_view(*command.input) : std::string_view();
  if (has_input) ::fcntl(process->stdin_pipe().get(), F_SETFL, O_NONBLOCK);

  std::array<char, 65536> buffer{};
  while (process->stdout_pipe() || process->stderr_pipe()) {
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    auto watch = [&](FileDescriptor& fd, short events) {
      if (fd) fds[count++] = pollfd{fd.get(), events, 0};
    };
    watch(process->stdout_pipe(), POLLIN);
    watch(process->stderr_pipe(), POLLIN);
    watch(process->stdin_pipe(), POLLOUT);
    int ready = ::poll(fds.data(), count, milliseconds_until(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0 && std::chrono::steady_clock::now() >= deadline) {
      process->kill_group();
      return core::fail(core::ErrorCode::timeout,
                        fmt::format("`{}` did not finish in time and was killed", command.argv[0]));
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == process->stdin_pipe().get()) {
        long written = write_without_sigpipe(fds[i].fd, input);
        if (written > 0) input.remove_prefix(static_cast<std::size_t>(written));
        // The program stopped reading (or all input is written): close so it sees end of file.
        if ((written < 0 && errno != EAGAIN) || input.empty()) process->stdin_pipe().reset();
        continue;
      }
      bool is_out = fds[i].fd == process->stdout_pipe().get();
      ssize_t got = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        (is_out ? process->stdout_pipe() : process->stderr_pipe()).reset();
        continue;
      }
      (is_out ? output.out : output.err).append(buffer.data(), static_cast<std::size_t>(got));
    }
  }
  process->stdin_pipe().reset();
  auto exit_code = process->wait_until(deadline);
  if (!exit_code) {
    process->kill_group();
    return core::fail(core::ErrorCode::timeout,
                      fmt::format("`{}` did not finish in time and was killed", command.argv[0]));
  }
  output.exit_code = *exit_code;
  return output;
}

}  // namespace sortie::remote

#include "sortie/remote/local_remote.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sortie/remote/deadline.hpp"
#include "sortie/remote/framing.hpp"
#include "sortie/remote/process.hpp"

namespace sortie::remote {

namespace {

core::Error io_failure(std::string_view what, const std::string& path, int error) {
  return core::Error{error == ENOENT ? core::ErrorCode::not_found : core::ErrorCode::io_error,
                     fmt::format("could not {} {}: {}", what, path, std::strerror(error))};
}

// What a shell's builtins would do for a file or directory action, done here; failures are
// reported in the Output, as the shell would.
Output act_here(const Command& command) {
  const std::string& path = command.argv.front();
  Output output;
  auto failed = [&](std::string_view what, int error) {
    output.exit_code = 1;
    output.err = fmt::format("sortie: {} {}: {}\n", what, path, std::strerror(error));
    return output;
  };
  if (command.action == Action::ensure_directory) {
    std::error_code error;
    std::filesystem::create_directories(path, error);
    if (error) return failed("cannot create directory", error.value());
    if (!std::filesystem::is_directory(path)) return failed("cannot create directory", ENOTDIR);
    return output;
  }
  FileDescriptor file(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  if (!file) return failed("cannot write", errno);
  std::string_view content = command.input ? std::string_view(*command.input) : "";
  while (!content.empty()) {
    ssize_t written = ::write(file.get(), content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return failed("cannot write", errno);
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return output;
}

}  // namespace

core::Result<std::vector<Output>> LocalRemote::run(const std::vector<Command>& commands,
                                                   std::chrono::milliseconds timeout,
                                                   OnFailure on_failure) {
  Deadline deadline = deadline_after(timeout);
  if (auto valid = validate_batch(commands); !valid) return std::unexpected(valid.error());
  std::vector<Output> outputs;
  for (const auto& command : commands) {
    auto output = command.action == Action::program ? run_process(command, deadline)
                                                    : core::Result<Output>(act_here(command));
    if (!output) return std::unexpected(output.error());
    outputs.push_back(std::move(*output));
    if (on_failure == OnFailure::stop_batch && outputs.back().exit_code != 0) break;
  }
  return outputs;
}

core::Result<void> LocalRemote::write_file(const std::string& path, std::string_view content,
                                           unsigned mode) {
  std::string temporary = path + ".sortie-" + random_token().substr(0, 12);
  FileDescriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!file) return std::unexpected(io_failure("create", temporary, errno));
  auto give_up = [&](std::string_view what, int error) {
    ::unlink(temporary.c_str());
    return std::unexpected(io_failure(what, path, error));
  };
  while (!content.empty()) {
    ssize_t written = ::write(file.get(), content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return give_up("write", errno);
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  // fchmod, not the open mode: the umask must not strip bits the caller asked for.
  if (::fchmod(file.get(), static_cast<mode_t>(mode)) != 0)
    return give_up("set the mode of", errno);
  if (::fsync(file.get()) != 0) return give_up("flush", errno);
  file.reset();
  if (::rename(temporary.c_str(), path.c_str()) != 0) return give_up("replace", errno);
  return {};
}

core::Result<std::string> LocalRemote::read_file(const std::string& path, std::uint64_t offset,
                                                 std::uint64_t length) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file) return std::unexpected(io_failure("open", path, errno));
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) return std::unexpected(io_failure("inspect", path, errno));
  if (S_ISDIR(info.st_mode)) {
    return core::fail(core::ErrorCode::io_error, fmt::format("{} is a directory", path));
  }
  std::string content;
  std::uint64_t size = static_cast<std::uint64_t>(info.st_size);
  if (S_ISREG(info.st_mode) && offset < size) content.reserve(std::min(length, size - offset));
  std::array<char, 65536> buffer{};
  while (content.size() < length) {
    std::uint64_t want = std::min<std::uint64_t>(buffer.size(), length - content.size());
    ssize_t got =
        ::pread(file.get(), buffer.data(), want, static_cast<off_t>(offset + content.size()));
    if (got < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_failure("read", path, errno));
    }
    if (got == 0) break;
    content.append(buffer.data(), static_cast<std::size_t>(got));
  }
  return content;
}

}  // namespace sortie::remote

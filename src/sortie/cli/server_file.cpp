#include "sortie/cli/server_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

namespace sortie::cli {
namespace {

struct Recorded {
  std::string url;
  long pid = 0;
  std::string secret;  // "-": none
};

std::optional<Recorded> read(const std::string& path) {
  std::ifstream file(path);
  Recorded recorded;
  if (!(file >> recorded.url >> recorded.pid)) return std::nullopt;
  if (!(file >> recorded.secret)) recorded.secret = "-";
  return recorded;
}

}  // namespace

bool ServerFile::write(const std::string& url, const std::optional<std::string>& secret) {
  const std::string partial = m_path + ".partial";
  std::remove(partial.c_str());
  // Made 0600 from the start (O_EXCL: not a file or link someone else left there).
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        S_IRUSR | S_IWUSR);
  if (fd < 0) return false;
  const std::string text = url + "\n" + std::to_string(getpid()) + "\n" + secret.value_or("-") +
                           "\n";
  const bool written = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0 &&
                       ::write(fd, text.data(), text.size()) ==
                           static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) {
    std::remove(partial.c_str());
    return false;
  }
  m_written = std::rename(partial.c_str(), m_path.c_str()) == 0;
  return m_written;
}

void ServerFile::remove() {
  if (!m_written) return;
  auto recorded = read(m_path);
  if (recorded && recorded->pid == getpid()) std::remove(m_path.c_str());
  m_written = false;
}

std::optional<RunningServer> running_server(const std::string& database_file) {
  auto recorded = read(database_file + ".server");
  if (!recorded || recorded->pid <= 0) return std::nullopt;
  if (kill(static_cast<pid_t>(recorded->pid), 0) != 0 && errno == ESRCH) return std::nullopt;
  RunningServer server{recorded->url, std::nullopt};
  if (recorded->secret != "-") server.secret = recorded->secret;
  return server;
}

}  // namespace sortie::cli

#include "sortie/cli/server_file.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

namespace sortie::cli {
namespace {

struct Recorded {
  std::string url;
  long pid = 0;
};

std::optional<Recorded> read(const std::string& path) {
  std::ifstream file(path);
  Recorded recorded;
  if (!(file >> recorded.url >> recorded.pid)) return std::nullopt;
  return recorded;
}

}  // namespace

void ServerFile::write(const std::string& url) {
  const std::string partial = m_path + ".partial";
  {
    std::ofstream file(partial, std::ios::trunc);
    file << url << "\n" << getpid() << "\n";
    if (!file) return;
  }
  m_written = std::rename(partial.c_str(), m_path.c_str()) == 0;
}

void ServerFile::remove() {
  if (!m_written) return;
  auto recorded = read(m_path);
  if (recorded && recorded->pid == getpid()) std::remove(m_path.c_str());
  m_written = false;
}

std::optional<std::string> running_server(const std::string& database_file) {
  auto recorded = read(database_file + ".server");
  if (!recorded || recorded->pid <= 0) return std::nullopt;
  if (kill(static_cast<pid_t>(recorded->pid), 0) != 0 && errno == ESRCH) return std::nullopt;
  return recorded->url;
}

}  // namespace sortie::cli

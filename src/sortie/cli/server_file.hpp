#pragma once

// How the CLI finds a `sortie serve` running on the same database: serve writes
// `<database>.server` (its URL, process id and local secret; mode 0600, so only the user reads
// the secret) while it listens on loopback, and removes it when it stops. A file left by a
// killed server names a process that no longer exists and is ignored.

#include <optional>
#include <string>

namespace sortie::cli {

// The version of this build (also the server's /api/health).
inline constexpr std::string_view kVersion = "0.4.0";

class ServerFile {
 public:
  explicit ServerFile(const std::string& database_file) : m_path(database_file + ".server") {}

  // Records `url`, this process's id and `secret` (when the server has one) in a file only this
  // user can read. false when it cannot be written (the CLI then works without the server).
  bool write(const std::string& url, const std::optional<std::string>& secret);
  // Removes the file if it is still this process's.
  void remove();

 private:
  std::string m_path;
  bool m_written = false;
};

struct RunningServer {
  std::string url;
  std::optional<std::string> secret;  // to send as Authorization: Bearer
};

// The live server of `database_file`, or nullopt when none runs (or its file cannot be read,
// as for another user).
std::optional<RunningServer> running_server(const std::string& database_file);

}  // namespace sortie::cli

#pragma once

// How the CLI finds a `sortie serve` running on the same database: serve writes
// `<database>.server` (its URL and process id) while it listens on loopback, and removes it
// when it stops. A file left by a killed server names a process that no longer exists and is
// ignored.

#include <optional>
#include <string>

namespace sortie::cli {

// The version of this build (also the server's /api/health).
inline constexpr std::string_view kVersion = "0.4.0";

class ServerFile {
 public:
  explicit ServerFile(const std::string& database_file) : m_path(database_file + ".server") {}

  // Records `url` and this process's id.
  void write(const std::string& url);
  // Removes the file if it is still this process's.
  void remove();

 private:
  std::string m_path;
  bool m_written = false;
};

// The URL of the live server of `database_file`, or nullopt when none runs.
std::optional<std::string> running_server(const std::string& database_file);

}  // namespace sortie::cli

#include "sortie/ssh/trust.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "sortie/remote/quote.hpp"
#include "sortie/ssh/connect.hpp"

namespace sortie::ssh {

namespace {

std::string expand_home(const std::string& path) {
  if (!path.starts_with("~/")) return path;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + path.substr(1);
}

// True when the host field of known_hosts `line` names `host` (a plain, comma-separated list).
bool names_host(std::string_view line, std::string_view host) {
  if (line.empty() || line.front() == '#' || line.front() == '|') return false;
  if (line.front() == '@') return false;  // @cert-authority / @revoked: not ours to touch
  std::string_view hosts = line.substr(0, line.find_first_of(" \t"));
  for (std::size_t start = 0; start <= hosts.size();) {
    std::size_t comma = hosts.find(',', start);
    if (comma == std::string_view::npos) comma = hosts.size();
    if (hosts.substr(start, comma - start) == host) return true;
    start = comma + 1;
  }
  return false;
}

core::Result<void> record(const std::string& file, const std::string& entry, Replace replace) {
  std::string host = entry.substr(0, entry.find(' '));
  std::vector<std::string> lines;
  {
    std::ifstream input(file);
    for (std::string line; std::getline(input, line);) {
      if (replace == Replace::yes && names_host(line, host)) continue;
      lines.push_back(line);
    }
  }
  std::error_code ignored;
  auto directory = std::filesystem::path(file).parent_path();
  if (!directory.empty() && !std::filesystem::exists(directory, ignored)) {
    std::filesystem::create_directories(directory, ignored);
    std::filesystem::permissions(directory, std::filesystem::perms::owner_all, ignored);
  }
  // Written beside the file and renamed over it, so a crash never leaves half a known_hosts.
  std::string temporary = file + ".sortie-tmp";
  {
    std::ofstream output(temporary, std::ios::trunc);
    if (!output) {
      return core::fail(core::ErrorCode::io_error,
                        fmt::format("could not write {}: {}", temporary, std::strerror(errno)));
    }
    for (const auto& line : lines) output << line << '\n';
    output << entry;
    if (!entry.ends_with('\n')) output << '\n';
    if (!output.flush()) {
      return core::fail(core::ErrorCode::io_error,
                        fmt::format("could not write {}: {}", temporary, std::strerror(errno)));
    }
  }
  std::filesystem::permissions(
      temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ignored);
  std::filesystem::rename(temporary, file, ignored);
  if (ignored) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("could not replace {}: {}", file, ignored.message()));
  }
  return {};
}

}  // namespace

core::Result<TrustedKey> trust(const Target& target, Replace replace,
                               std::chrono::milliseconds timeout) {
  auto session = connect(target, remote::deadline_after(timeout), HostKeyCheck::skip, Login::no);
  if (!session) return std::unexpected(session.error());
  auto key = server_key(session->get());
  if (!key) return std::unexpected(key.error());
  TrustedKey trusted{key->fingerprint, key->type, expand_home(known_hosts_file(session->get())),
                     false};
  switch (ssh_session_is_known_server(session->get())) {
    case SSH_KNOWN_HOSTS_OK:
      return trusted;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      if (replace == Replace::no) {
        return core::fail(
            core::ErrorCode::host_key_changed,
            fmt::format(
                "{} already records a different host key for {} ({}); the server now "
                "presents {} {}. Only if the cluster's admins confirm the change, "
                "replace it: sortie clusters trust {} --replace",
                trusted.known_hosts_file, target.cluster_name, describe(session->get()), key->type,
                key->fingerprint,
                remote::quote(target.cluster_name.empty() ? target.host : target.cluster_name)));
      }
      break;
    default:
      break;
  }
  if (key->known_hosts_entry.empty()) {
    return core::fail(core::ErrorCode::connection_failed,
                      "could not format the server's key for known_hosts");
  }
  if (auto written = record(trusted.known_hosts_file, key->known_hosts_entry, replace); !written) {
    return std::unexpected(written.error());
  }
  trusted.added = true;
  return trusted;
}

}  // namespace sortie::ssh

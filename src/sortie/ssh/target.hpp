#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace sortie::ssh {

// Where and how to reach one cluster over SSH. Fields left empty come from ~/.ssh/config (or
// `ssh_config_file`), then from OpenSSH's defaults; fields set here override the config file.
struct Target {
  std::string host;                 // a host name, address or ~/.ssh/config alias
  std::optional<std::string> user;  // default: User from the config, else local user
  std::optional<int> port;          // default: Port from the config, else 22
  std::optional<std::string>
      identity_file;  // a private key; default: agent, then config/default keys
  // A jump host, `[user@]host[:port]` (OpenSSH's ProxyJump; a comma-separated list for several
  // hops). Reached with the OpenSSH client (`ssh -W`), with the same identity file, known_hosts
  // file and config file as the target.
  std::optional<std::string> proxy_jump;
  std::optional<std::string>
      known_hosts_file;  // default: the config's UserKnownHostsFile, else ~/.ssh/known_hosts
  std::optional<std::string> ssh_config_file;  // default: ~/.ssh/config (and /etc/ssh/ssh_config)
  std::string cluster_name;                    // the cluster's name in sortie, for messages
  std::size_t max_connections = 2;             // authenticated sessions kept open at most
};

}  // namespace sortie::ssh

#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"

namespace sortie::config {

// One entry of clusters.yaml's `clusters:` list.
struct Cluster {
  std::string name;  // unique; letters, digits, '-', '_', '.'
  // `user@login.cluster.edu`, `login.cluster.edu`, an alias from ~/.ssh/config, or `local`
  // to run on this machine (the login node itself) without SSH.
  std::string host;
  std::optional<int> port;                  // SSH port; default from ~/.ssh/config, else 22
  std::optional<std::string> ssh_key_path;  // private key; default: agent, then ~/.ssh keys
  std::optional<std::string> proxy_jump;    // `[user@]jump.host[:port]`
  std::optional<std::string> known_hosts;   // default ~/.ssh/known_hosts
  std::string workspace = "~/sortie";       // where jobs' files live on the cluster
  std::vector<std::string> allowed_partitions;  // empty: all partitions
  std::vector<std::string> allowed_gpu_types;   // empty: all GPU types
  // `template:` the cluster's own sbatch template, a file on this machine: `~` expanded and a
  // relative path taken from clusters.yaml's folder, so this is absolute when clusters.yaml's
  // path is. A project's template beats it; it beats the built-in one.
  std::optional<std::string> template_path;

  bool is_local() const { return host == "local"; }
  // The part of `host` before '@', if any.
  std::optional<std::string> user() const;
  // `host` without a `user@` prefix.
  std::string hostname() const;
};

struct Clusters {
  std::filesystem::path file;  // where they were read from, for messages
  std::vector<Cluster> clusters;

  // The cluster called `name`, or not_found listing the configured names.
  core::Result<const Cluster*> find(std::string_view name) const;
};

// Parses clusters.yaml text. `file_name` is used in messages and to resolve relative
// `template:` paths (against its folder). Every problem is a
// config_invalid error naming the file, line and key: unknown keys, wrong types, missing
// `name`/`host`, duplicate names, and a document past config/yaml_bounds.hpp (a "billion
// laughs" of aliases, an alias inside its own anchor).
core::Result<Clusters> parse_clusters(std::string_view text, const std::filesystem::path& file_name);

// Reads and parses `file`. A missing file is not_found with a hint on how to create one.
core::Result<Clusters> load_clusters(const std::filesystem::path& file);

// ~/.config/sortie/clusters.yaml, honouring XDG_CONFIG_HOME.
std::filesystem::path default_clusters_file();

// Replaces a leading `~/` with $HOME for paths on this machine.
std::string expand_home(std::string_view path);

}  // namespace sortie::config

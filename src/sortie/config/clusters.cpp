#include "sortie/config/clusters.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "sortie/config/yaml_bounds.hpp"

namespace sortie::config {
namespace {

using core::ErrorCode;

constexpr std::array k_known_keys = {
    "name",       "host",       "port",       "ssh_key_path",       "proxy_jump",
    "known_hosts", "workspace", "allowed_partitions", "allowed_gpu_types", "template",
};

std::string known_keys_list() {
  std::string list;
  for (const char* key : k_known_keys) {
    if (!list.empty()) list += ", ";
    list += key;
  }
  return list;
}

// The absolute folder holding `file`, against which relative paths in it are read.
std::filesystem::path folder_of(const std::filesystem::path& file) {
  std::error_code error;
  auto absolute = std::filesystem::absolute(file, error);
  return error ? file.parent_path() : absolute.parent_path();
}

// yaml-cpp marks are 0-based.
int line_of(const YAML::Node& node) { return node.Mark().line + 1; }

class Reader {
 public:
  explicit Reader(const std::filesystem::path& file)
      : m_file(file.string()), m_folder(folder_of(file)) {}

  std::unexpected<core::Error> error_at(const YAML::Node& node, std::string_view what) const {
    return core::fail(ErrorCode::config_invalid,
                      fmt::format("{}:{}: {}", m_file, line_of(node), what));
  }

  core::Result<std::string> string(const YAML::Node& node, std::string_view key) const {
    if (!node.IsScalar())
      return error_at(node, fmt::format("'{}' must be a string", key));
    return node.Scalar();
  }

  core::Result<std::vector<std::string>> string_list(const YAML::Node& node,
                                                     std::string_view key) const {
    if (node.IsNull()) return std::vector<std::string>{};
    if (!node.IsSequence())
      return error_at(node, fmt::format("'{}' must be a list of strings, e.g. [a, b]", key));
    std::vector<std::string> values;
    for (const auto& item : node) {
      if (!item.IsScalar() || item.Scalar().empty())
        return error_at(item, fmt::format("'{}' must be a list of non-empty strings", key));
      values.push_back(item.Scalar());
    }
    return values;
  }

  core::Result<int> port(const YAML::Node& node) const {
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      int value = 0;
      bool digits = !text.empty() && text.size() <= 5 &&
                    std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (digits) value = std::stoi(text);
      if (digits && value >= 1 && value <= 65535) return value;
    }
    return error_at(node, "'port' must be a whole number from 1 to 65535");
  }

  core::Result<Cluster> cluster(const YAML::Node& node) const {
    if (!node.IsMap())
      return error_at(node, "each entry of 'clusters' must be a mapping with at least 'name' and 'host'");
    Cluster cluster;
    bool has_name = false;
    bool has_host = false;
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      const std::string key = key_node.IsScalar() ? key_node.Scalar() : std::string{};
      auto assign_string = [&](std::string& target) -> core::Result<void> {
        auto text = string(value, key);
        if (!text) return std::unexpected(text.error());
        if (text->empty()) return error_at(value, fmt::format("'{}' must not be empty", key));
        target = *text;
        return {};
      };
      auto assign_optional = [&](std::optional<std::string>& target) -> core::Result<void> {
        std::string text;
        auto ok = assign_string(text);
        if (!ok) return ok;
        target = text;
        return {};
      };
      core::Result<void> ok;
      if (key == "name") {
        ok = assign_string(cluster.name);
        has_name = true;
      } else if (key == "host") {
        ok = assign_string(cluster.host);
        has_host = true;
      } else if (key == "port") {
        auto port_value = port(value);
        if (!port_value) return std::unexpected(port_value.error());
        cluster.port = *port_value;
      } else if (key == "ssh_key_path") {
        ok = assign_optional(cluster.ssh_key_path);
      } else if (key == "proxy_jump") {
        ok = assign_optional(cluster.proxy_jump);
      } else if (key == "known_hosts") {
        ok = assign_optional(cluster.known_hosts);
      } else if (key == "workspace") {
        ok = assign_string(cluster.workspace);
      } else if (key == "template") {
        std::string path;
        ok = assign_string(path);
        if (ok) cluster.template_path = local_path(path);
      } else if (key == "allowed_partitions" || key == "allowed_gpu_types") {
        auto list = string_list(value, key);
        if (!list) return std::unexpected(list.error());
        (key == "allowed_partitions" ? cluster.allowed_partitions : cluster.allowed_gpu_types) =
            std::move(*list);
      } else {
        return error_at(key_node, fmt::format("unknown key '{}' (known keys: {})", key,
                                              known_keys_list()));
      }
      if (!ok) return std::unexpected(ok.error());
    }
    if (!has_name) return error_at(node, "cluster entry has no 'name'");
    if (!has_host)
      return error_at(node, fmt::format("cluster '{}' has no 'host' (user@login.host, an "
                                        "~/.ssh/config alias, or 'local')",
                                        cluster.name));
    bool valid_name = std::all_of(cluster.name.begin(), cluster.name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.';
    });
    if (!valid_name)
      return error_at(node["name"], fmt::format("cluster name '{}' may use only letters, digits, "
                                                "'-', '_' and '.'",
                                                cluster.name));
    if (cluster.host.find_first_of(" \t\n'\"`$;&|<>") != std::string::npos)
      return error_at(node["host"], fmt::format("host '{}' is not a host name", cluster.host));
    return cluster;
  }

 private:
  // A path on this machine as clusters.yaml names it: `~` expanded, relative to its folder.
  std::string local_path(std::string_view text) const {
    std::filesystem::path path = expand_home(text);
    if (path.is_relative()) path = m_folder / path;
    return path.lexically_normal().string();
  }

  std::string m_file;
  std::filesystem::path m_folder;
};

}  // namespace

std::optional<std::string> Cluster::user() const {
  auto at = host.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  return host.substr(0, at);
}

std::string Cluster::hostname() const {
  auto at = host.rfind('@');
  return at == std::string::npos ? host : host.substr(at + 1);
}

core::Result<const Cluster*> Clusters::find(std::string_view name) const {
  for (const auto& cluster : clusters)
    if (cluster.name == name) return &cluster;
  std::string names;
  for (const auto& cluster : clusters) names += (names.empty() ? "" : ", ") + cluster.name;
  return core::fail(ErrorCode::not_found,
                    fmt::format("no cluster named '{}' in {} (configured: {})", name,
                                file.string(), names.empty() ? "none" : names));
}

core::Result<Clusters> parse_clusters(std::string_view text, const std::filesystem::path& file_name) {
  const std::string file = file_name.string();
  Reader reader(file_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return core::fail(ErrorCode::config_invalid,
                      fmt::format("{}:{}: not valid YAML: {}", file, e.mark.line + 1, e.msg));
  }
  if (auto bounded = check_yaml_bounds(root, file); !bounded)
    return std::unexpected(bounded.error());
  Clusters result;
  result.file = file_name;
  if (root.IsNull()) return result;
  if (!root.IsMap())
    return reader.error_at(root, "expected a mapping with a 'clusters:' list at the top");
  std::set<std::string> names;
  for (const auto& entry : root) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string{};
    if (key != "clusters")
      return reader.error_at(entry.first,
                             fmt::format("unknown top-level key '{}' (expected 'clusters')", key));
    const YAML::Node& list = entry.second;
    if (list.IsNull()) continue;
    if (!list.IsSequence())
      return reader.error_at(list, "'clusters' must be a list of clusters (entries start with '- ')");
    for (const auto& item : list) {
      auto cluster = reader.cluster(item);
      if (!cluster) return std::unexpected(cluster.error());
      if (!names.insert(cluster->name).second)
        return reader.error_at(item, fmt::format("cluster name '{}' is used twice", cluster->name));
      result.clusters.push_back(std::move(*cluster));
    }
  }
  return result;
}

core::Result<Clusters> load_clusters(const std::filesystem::path& file) {
  std::ifstream stream(file);
  if (!stream) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
      return core::fail(ErrorCode::not_found,
                        fmt::format("{} does not exist: create it with a 'clusters:' list (see the "
                                    "README's Configuration section), or pass --config FILE",
                                    file.string()));
    return core::fail(ErrorCode::io_error, fmt::format("cannot read {}", file.string()));
  }
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return parse_clusters(buffer.str(), file);
}

std::filesystem::path default_clusters_file() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) return std::filesystem::path(xdg) / "sortie" / "clusters.yaml";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".config" / "sortie" /
         "clusters.yaml";
}

std::string expand_home(std::string_view path) {
  if (path == "~" || path.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    if (home && *home) return std::string(home) + std::string(path.substr(1));
  }
  return std::string(path);
}

}  // namespace sortie::config

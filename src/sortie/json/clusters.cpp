#include "sortie/json/clusters.hpp"

#include <nlohmann/json.hpp>

namespace sortie::json {
namespace {

template <class T>
nlohmann::json optional(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

std::string to_json(const config::Clusters& clusters) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& cluster : clusters.clusters) {
    list.push_back({
        {"name", cluster.name},
        {"host", cluster.host},
        {"local", cluster.is_local()},
        {"port", optional(cluster.port)},
        {"ssh_key_path", optional(cluster.ssh_key_path)},
        {"proxy_jump", optional(cluster.proxy_jump)},
        {"known_hosts", optional(cluster.known_hosts)},
        {"workspace", cluster.workspace},
        {"allowed_partitions", cluster.allowed_partitions},
        {"allowed_gpu_types", cluster.allowed_gpu_types},
    });
  }
  nlohmann::json document = {{"file", clusters.file.string()}, {"clusters", list}};
  return document.dump(2);
}

}  // namespace sortie::json

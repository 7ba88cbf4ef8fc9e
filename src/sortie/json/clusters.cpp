#include "sortie/json/clusters.hpp"

#include <nlohmann/json.hpp>

namespace sortie::json {
namespace {

template <class T>
nlohmann::json optional(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json cluster_list(const config::Clusters& clusters) {
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
  return list;
}

}  // namespace

std::string to_json(const config::Clusters& clusters) {
  nlohmann::json document = {{"file", clusters.file.string()}, {"clusters", cluster_list(clusters)}};
  return document.dump(2);
}

std::string clusters_array(const config::Clusters& clusters) {
  return cluster_list(clusters).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sortie::json

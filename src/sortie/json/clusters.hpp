#pragma once

#include <string>

#include "sortie/config/clusters.hpp"

namespace sortie::json {

// clusters.yaml as JSON: {"file", "clusters": [{"name", "host", "local", "port",
// "ssh_key_path", "proxy_jump", "known_hosts", "workspace", "allowed_partitions",
// "allowed_gpu_types"}]}; absent optional fields are null.
std::string to_json(const config::Clusters& clusters);

// The list alone, compact: [{"name", ...}] as above (the API's GET /api/clusters).
std::string clusters_array(const config::Clusters& clusters);

}  // namespace sortie::json

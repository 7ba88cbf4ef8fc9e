#include "sortie/clusters/connect.hpp"

#include "sortie/remote/local_remote.hpp"
#include "sortie/ssh/ssh_remote.hpp"

namespace sortie::clusters {

ssh::Target ssh_target(const config::Cluster& cluster) {
  ssh::Target target;
  target.cluster_name = cluster.name;
  target.host = cluster.hostname();
  target.user = cluster.user();
  target.port = cluster.port;
  if (cluster.ssh_key_path) target.identity_file = config::expand_home(*cluster.ssh_key_path);
  target.proxy_jump = cluster.proxy_jump;
  if (cluster.known_hosts) target.known_hosts_file = config::expand_home(*cluster.known_hosts);
  return target;
}

std::unique_ptr<remote::Remote> open_remote(const config::Cluster& cluster) {
  if (cluster.is_local()) return std::make_unique<remote::LocalRemote>();
  return std::make_unique<ssh::SshRemote>(ssh_target(cluster));
}

}  // namespace sortie::clusters

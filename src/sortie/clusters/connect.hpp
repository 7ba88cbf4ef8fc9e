#pragma once

#include <memory>

#include "sortie/config/clusters.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/ssh/target.hpp"

namespace sortie::clusters {

// How to reach `cluster` over SSH: clusters.yaml's fields, with `~/` expanded on this machine.
ssh::Target ssh_target(const config::Cluster& cluster);

// A Remote for `cluster`: local processes for `host: local`, else a pooled SSH connection.
// Connecting is lazy: the first call made through it reports connection errors.
std::unique_ptr<remote::Remote> open_remote(const config::Cluster& cluster);

}  // namespace sortie::clusters

#pragma once

#include <cstdlib>
#include <string>

// Where the sandbox cluster started by `make sandbox` (sandbox/up.sh) can be reached.
// Integration tests fail, saying so, when it is not running: `make test` starts it.
namespace sortie::testing {

struct Sandbox {
  std::string dir;          // state directory: configs, logs, keys
  std::string host = "127.0.0.1";
  int ssh_port = 46822;
  std::string user = "researcher";
  std::string key;          // private key accepted for `user`
  std::string known_hosts;  // holds the sandbox sshd's host key
  std::string slurm_conf;   // SLURM_CONF for SLURM commands run locally as root
  std::string clusters_yaml;  // a clusters.yaml naming the sandbox cluster "sandbox"
};

inline Sandbox sandbox() {
  Sandbox s;
  const char* dir = std::getenv("SORTIE_SANDBOX_DIR");
  s.dir = dir && *dir ? dir : "/var/tmp/sortie-sandbox";
  s.key = s.dir + "/ssh/id_ed25519";
  s.known_hosts = s.dir + "/ssh/known_hosts";
  s.slurm_conf = s.dir + "/etc/slurm.conf";
  s.clusters_yaml = s.dir + "/clusters.yaml";
  return s;
}

}  // namespace sortie::testing

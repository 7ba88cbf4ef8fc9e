#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

// Where the sandbox clusters started by `make sandbox` (sandbox/up.sh) can be reached: one on
// SLURM 22.05 (this machine's packages) and one on SLURM 24.11 (Debian 13's, in a chroot).
// Integration tests fail, saying so, when they are not running: `make test` starts them.
namespace sortie::testing {

struct Sandbox {
  std::string slurm;  // the SLURM series: "22.05" or "24.11"
  std::string dir;    // state directory: configs, logs, keys
  std::string host = "127.0.0.1";
  int ssh_port = 46822;
  std::string user = "researcher";
  std::string key;            // private key accepted for `user`
  std::string known_hosts;    // holds the sandbox sshd's host key
  std::string slurm_conf;     // SLURM_CONF of the sandbox's SLURM
  std::string clusters_yaml;  // a clusters.yaml naming the sandbox cluster "sandbox"
  // A program that runs its arguments as the cluster's admin (root) where this sandbox's SLURM
  // lives, with its SLURM_CONF: `{admin, "squeue", "-h"}`. The 24.11 sandbox's commands only
  // talk to its own controller (SLURM refuses clients two major versions older).
  std::string admin;
};

// The SLURM series of the sandboxes `make test` brings up, oldest first.
inline const std::vector<std::string>& slurm_versions() {
  static const std::vector<std::string> versions = {"22.05", "24.11"};
  return versions;
}

// The sandbox of SLURM series `slurm` (see sandbox/lib.sh for the same paths and ports).
inline Sandbox sandbox_of(std::string_view slurm) {
  Sandbox s;
  s.slurm = std::string(slurm);
  const char* dir = std::getenv("SORTIE_SANDBOX_DIR");
  s.dir = dir && *dir ? dir : "/var/tmp/sortie-sandbox";
  while (s.dir.size() > 1 && s.dir.back() == '/') s.dir.pop_back();
  if (slurm != "22.05") {
    s.dir += "-" + s.slurm;
    s.ssh_port += 1000;
  }
  s.key = s.dir + "/ssh/id_ed25519";
  s.known_hosts = s.dir + "/ssh/known_hosts";
  s.slurm_conf = s.dir + "/etc/slurm.conf";
  s.clusters_yaml = s.dir + "/clusters.yaml";
  s.admin = s.dir + "/bin/admin";
  return s;
}

// The series `sandbox()` answers with; set by SandboxVersion for the test that runs.
inline std::string& current_slurm() {
  static std::string current = "22.05";
  return current;
}

// The sandbox this test runs against: the one of its parameter in a suite instantiated with
// SORTIE_ON_EACH_SANDBOX, the 22.05 one elsewhere.
inline Sandbox sandbox() {
  return sandbox_of(current_slurm());
}

// A fixture parameterised by SLURM series: while it lives, sandbox() is that series' sandbox.
// Derive from it (first) and instantiate the suite with SORTIE_ON_EACH_SANDBOX(Suite).
class SandboxVersion : public ::testing::WithParamInterface<std::string> {
 public:
  SandboxVersion() { current_slurm() = GetParam(); }
  ~SandboxVersion() override { current_slurm() = "22.05"; }
  SandboxVersion(const SandboxVersion&) = delete;
  SandboxVersion& operator=(const SandboxVersion&) = delete;
};

// "slurm_24_11" for the test names.
inline std::string slurm_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = "slurm_" + info.param;
  for (auto& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

}  // namespace sortie::testing

// Runs every TEST_P of `Suite` once against each sandbox: Suite.Test/slurm_22_05, .../slurm_24_11.
#define SORTIE_ON_EACH_SANDBOX(Suite)                                                         \
  INSTANTIATE_TEST_SUITE_P(, Suite, ::testing::ValuesIn(::sortie::testing::slurm_versions()), \
                           ::sortie::testing::slurm_test_name)

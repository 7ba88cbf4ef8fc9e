#pragma once

#include <chrono>
#include <string>

#include "sortie/core/error.hpp"
#include "sortie/ssh/target.hpp"

namespace sortie::ssh {

// Whether trust() may replace a host key already recorded for the host.
enum class Replace { no, yes };

// What trust() found and did.
struct TrustedKey {
  std::string fingerprint;       // "SHA256:..." as ssh-keygen -l shows it
  std::string key_type;          // "ssh-ed25519", ...
  std::string known_hosts_file;  // the file checked and, if needed, written
  bool added = false;            // false when the key was already trusted
};

// Connects to `target` (no login), reads the server's host key and records it in the
// Target's known_hosts file (created with mode 0600 if missing), so later connections accept
// it. When the file already holds this key, nothing is written. When it holds a different key
// for the host, fails with host_key_changed unless `replace` is Replace::yes, in which case the
// old plain-text entries for that host are removed first (hashed entries are left alone; they no
// longer match and are ignored). Fails with connection_failed when the host cannot be reached,
// io_error when the file cannot be written.
core::Result<TrustedKey> trust(const Target& target, Replace replace,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace sortie::ssh

#pragma once

// Making one authenticated libssh session for a Target. Internal to ssh/.

#include <string>

#include "sortie/core/error.hpp"
#include "sortie/remote/deadline.hpp"
#include "sortie/ssh/handles.hpp"
#include "sortie/ssh/target.hpp"

namespace sortie::ssh {

// Whether connect() verifies the server's host key. Only trust() skips it, to read the key.
enum class HostKeyCheck { verify, skip };

// Whether connect() logs in after the handshake.
enum class Login { yes, no };

// The server's host key as OpenSSH would show it.
struct ServerKey {
  std::string fingerprint;        // "SHA256:..." (unpadded base64, like ssh-keygen -l)
  std::string type;               // "ssh-ed25519", "ecdsa-sha2-nistp256", ...
  std::string known_hosts_entry;  // the line to add to known_hosts for this host and port
};

// A session with every option set (config file parsed, Target overrides applied) but not
// connected. Fails with config_invalid when the config file cannot be parsed or an option is
// rejected, invalid_argument for a malformed proxy_jump.
core::Result<SessionPtr> configure(const Target& target);

// "user@host:port" as the options of `session` resolve them.
std::string describe(ssh_session session);

// The known_hosts file `session` checks against.
std::string known_hosts_file(ssh_session session);

// A connected session: TCP (or ProxyJump), handshake, host key verified (unless skipped), and
// logged in with Login::yes. Errors say what failed and what to do: connection_failed,
// host_key_unknown, host_key_changed (both with the server's fingerprint and the trust
// command), authentication_failed.
core::Result<SessionPtr> connect(const Target& target, remote::Deadline deadline,
                                 HostKeyCheck host_key_check, Login login);

// The host key the connected `session` received.
core::Result<ServerKey> server_key(ssh_session session);

// The `ssh -W` command line libssh runs to reach `target` through `proxy_jump`, every value
// passed through remote::quote(). %h and %p are left for libssh to fill in. Fails with
// invalid_argument when `proxy_jump` is not `[user@]host[:port][,...]`.
core::Result<std::string> proxy_command(const Target& target, const std::string& proxy_jump);

}  // namespace sortie::ssh

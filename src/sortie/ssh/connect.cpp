#include "sortie/ssh/connect.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sortie/remote/quote.hpp"

namespace sortie::ssh {

namespace {

using core::ErrorCode;

std::string cluster_label(const Target& target) {
  return target.cluster_name.empty() ? target.host
                                     : fmt::format("cluster '{}'", target.cluster_name);
}

std::string trust_command(const Target& target) {
  return fmt::format(
      "sortie clusters trust {}",
      remote::quote(target.cluster_name.empty() ? target.host : target.cluster_name));
}

std::string option_text(ssh_session session, ssh_options_e option) {
  char* value = nullptr;
  if (ssh_options_get(session, option, &value) != SSH_OK || value == nullptr) return {};
  CStringPtr owned(value);
  return owned.get();
}

// Splits `[user@]host[:port]` (host may be `[v6 address]`).
struct JumpHost {
  std::string user;
  std::string host;
  std::string port;
};

std::optional<JumpHost> parse_jump_host(std::string_view text) {
  JumpHost jump;
  if (auto at = text.rfind('@'); at != std::string_view::npos) {
    jump.user = text.substr(0, at);
    text.remove_prefix(at + 1);
    if (jump.user.empty()) return std::nullopt;
  }
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    jump.host = text.substr(1, close - 1);
    text.remove_prefix(close + 1);
    if (!text.empty()) {
      if (!text.starts_with(':')) return std::nullopt;
      jump.port = text.substr(1);
    }
  } else if (auto colon = text.find(':'); colon != std::string_view::npos) {
    jump.host = text.substr(0, colon);
    jump.port = text.substr(colon + 1);
  } else {
    jump.host = text;
  }
  if (jump.host.empty()) return std::nullopt;
  if (!jump.port.empty()) {
    int port = 0;
    auto [end, error] =
        std::from_chars(jump.port.data(), jump.port.data() + jump.port.size(), port);
    if (error != std::errc() || end != jump.port.data() + jump.port.size() || port <= 0 ||
        port > 65535) {
      return std::nullopt;
    }
  }
  return jump;
}

core::Error connect_error(const Target& target, ssh_session session, std::string_view reason) {
  std::string where = describe(session);
  std::string proxy = option_text(session, SSH_OPTIONS_PROXYCOMMAND);
  std::string text(reason);
  std::string advice;
  if (text.find("refused") != std::string::npos) {
    unsigned port = 0;
    ssh_options_get_port(session, &port);
    advice = fmt::format(
        "nothing accepts SSH connections on port {} there: check the port (Port in "
        "~/.ssh/config or `port` in clusters.yaml) and that the cluster's sshd is running",
        port);
  } else if (text.find("resolve") != std::string::npos) {
    advice = "check the host name (HostName in ~/.ssh/config or `host` in clusters.yaml)";
  } else if (text.find("imeout") != std::string::npos ||
             text.find("timed out") != std::string::npos) {
    advice =
        "the host did not answer in time: check that it is reachable from here (VPN, "
        "firewall, ProxyJump)";
  } else {
    advice = "check that the cluster is reachable from here: `ssh " + remote::quote(target.host) +
             " true` should work";
  }
  if (!proxy.empty()) advice += fmt::format(" (connecting through ProxyCommand `{}`)", proxy);
  return core::Error{ErrorCode::connection_failed,
                     fmt::format("could not connect to {} ({}): {}; {}", cluster_label(target),
                                 where, text, advice)};
}

core::Result<void> verify_host_key(const Target& target, ssh_session session) {
  auto key = server_key(session);
  if (!key) return std::unexpected(key.error());
  std::string file = known_hosts_file(session);
  switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK:
      return {};
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      return core::fail(
          ErrorCode::host_key_changed,
          fmt::format("the host key of {} ({}) is not the one recorded in {}: someone may be "
                      "intercepting the connection, or the cluster's key was replaced. The "
                      "server presented {} {}. Ask the cluster's admins whether the key changed; "
                      "if it did, replace the old one with: {} --replace",
                      cluster_label(target), describe(session), file, key->type, key->fingerprint,
                      trust_command(target)));
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      return core::fail(
          ErrorCode::host_key_unknown,
          fmt::format("the host key of {} ({}) is not in {}, so sortie cannot tell it is the "
                      "real cluster. The server presented {} {}. If that matches the "
                      "fingerprint your cluster documents, trust it with: {}",
                      cluster_label(target), describe(session), file, key->type, key->fingerprint,
                      trust_command(target)));
    case SSH_KNOWN_HOSTS_ERROR:
      break;
  }
  return core::fail(ErrorCode::connection_failed,
                    fmt::format("could not check the host key of {} against {}: {}",
                                cluster_label(target), file, ssh_get_error(session)));
}

core::Error refused(const Target& target, ssh_session session, std::string_view what) {
  std::string user = option_text(session, SSH_OPTIONS_USER);
  return core::Error{
      ErrorCode::authentication_failed,
      fmt::format(
          "{} ({}) refused {} for user '{}'. Check the user name (User in ~/.ssh/config "
          "or `user` in clusters.yaml) and that the matching public key is in "
          "~/.ssh/authorized_keys on the cluster{}",
          cluster_label(target), describe(session), what, user,
          target.identity_file ? "" : "; with ssh-agent, `ssh-add -l` lists the keys offered")};
}

core::Result<void> authenticate(const Target& target, ssh_session session) {
  if (target.identity_file) {
    const std::string& path = *target.identity_file;
    if (::access(path.c_str(), R_OK) != 0) {
      return core::fail(ErrorCode::authentication_failed,
                        fmt::format("cannot read the identity file {} for {}: {}. Check "
                                    "`ssh_key_path` in clusters.yaml",
                                    path, cluster_label(target), std::strerror(errno)));
    }
    ssh_key raw_key = nullptr;
    int imported = ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr, &raw_key);
    KeyPtr key(raw_key);
    if (imported != SSH_OK) {
      // Most likely protected by a passphrase, which sortie never asks for: the agent may
      // hold the decrypted key.
      if (std::getenv("SSH_AUTH_SOCK") != nullptr &&
          ssh_userauth_agent(session, nullptr) == SSH_AUTH_SUCCESS) {
        return {};
      }
      return core::fail(ErrorCode::authentication_failed,
                        fmt::format("cannot use the identity file {} for {}: it is protected by "
                                    "a passphrase or is not a private key, and ssh-agent does "
                                    "not hold it. Add it to the agent with `ssh-add {}`",
                                    path, cluster_label(target), remote::quote(path)));
    }
    int result = ssh_userauth_publickey(session, nullptr, key.get());
    if (result == SSH_AUTH_SUCCESS) return {};
    if (result == SSH_AUTH_PARTIAL) {
      return core::fail(ErrorCode::authentication_failed,
                        fmt::format("{} accepted the key but wants a further login step (e.g. "
                                    "two-factor), which sortie cannot answer",
                                    cluster_label(target)));
    }
    if (result == SSH_AUTH_ERROR) {
      return std::unexpected(connect_error(target, session, ssh_get_error(session)));
    }
    return std::unexpected(refused(target, session, fmt::format("the key {}", path)));
  }
  int result = ssh_userauth_publickey_auto(session, nullptr, nullptr);
  if (result == SSH_AUTH_SUCCESS) return {};
  if (result == SSH_AUTH_ERROR) {
    return std::unexpected(connect_error(target, session, ssh_get_error(session)));
  }
  if (result == SSH_AUTH_PARTIAL) {
    return core::fail(ErrorCode::authentication_failed,
                      fmt::format("{} accepted the key but wants a further login step (e.g. "
                                  "two-factor), which sortie cannot answer",
                                  cluster_label(target)));
  }
  return std::unexpected(
      refused(target, session, "every key offered (ssh-agent, IdentityFile, ~/.ssh/id_*)"));
}

}  // namespace

core::Result<std::string> proxy_command(const Target& target, const std::string& proxy_jump) {
  std::vector<std::string_view> hops;
  for (std::size_t start = 0; start <= proxy_jump.size();) {
    std::size_t comma = proxy_jump.find(',', start);
    if (comma == std::string::npos) comma = proxy_jump.size();
    hops.push_back(std::string_view(proxy_jump).substr(start, comma - start));
    start = comma + 1;
  }
  for (auto hop : hops) {
    if (!parse_jump_host(hop)) {
      return core::fail(ErrorCode::invalid_argument,
                        fmt::format("proxy_jump `{}` of {} is not `[user@]host[:port]`", proxy_jump,
                                    cluster_label(target)));
    }
  }
  // The last hop is the one that opens the forwarded connection; earlier hops go to -J.
  JumpHost last = *parse_jump_host(hops.back());
  std::vector<std::string> argv = {"ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"};
  if (target.ssh_config_file) argv.insert(argv.end(), {"-F", *target.ssh_config_file});
  if (target.identity_file) argv.insert(argv.end(), {"-i", *target.identity_file});
  if (target.known_hosts_file) {
    argv.insert(argv.end(), {"-o", "UserKnownHostsFile=" + *target.known_hosts_file});
  }
  if (hops.size() > 1) {
    argv.insert(argv.end(), {"-J", proxy_jump.substr(0, proxy_jump.rfind(','))});
  }
  if (!last.user.empty()) argv.insert(argv.end(), {"-l", last.user});
  if (!last.port.empty()) argv.insert(argv.end(), {"-p", last.port});
  argv.insert(argv.end(), {"-W", "[%h]:%p", "--", last.host});
  return remote::join(argv);
}

core::Result<SessionPtr> configure(const Target& target) {
  SessionPtr session(ssh_new());
  if (!session) return core::fail(ErrorCode::connection_failed, "could not create an SSH session");
  auto set = [&](ssh_options_e option, const void* value,
                 std::string_view what) -> core::Result<void> {
    if (ssh_options_set(session.get(), option, value) == SSH_OK) return {};
    return core::fail(ErrorCode::config_invalid,
                      fmt::format("invalid {} for {}: {}", what, cluster_label(target),
                                  ssh_get_error(session.get())));
  };
  if (auto done = set(SSH_OPTIONS_HOST, target.host.c_str(), "host"); !done) {
    return std::unexpected(done.error());
  }
  // The config file first, so that what the Target sets explicitly overrides it.
  const char* config = target.ssh_config_file ? target.ssh_config_file->c_str() : nullptr;
  if (ssh_options_parse_config(session.get(), config) != SSH_OK) {
    return core::fail(ErrorCode::config_invalid,
                      fmt::format("could not read the SSH config {}: {}",
                                  config ? config : "~/.ssh/config", ssh_get_error(session.get())));
  }
  if (target.user) {
    if (auto done = set(SSH_OPTIONS_USER, target.user->c_str(), "user"); !done) {
      return std::unexpected(done.error());
    }
  }
  if (target.port) {
    int port = *target.port;
    if (auto done = set(SSH_OPTIONS_PORT, &port, "port"); !done)
      return std::unexpected(done.error());
  }
  if (target.identity_file) {
    if (auto done = set(SSH_OPTIONS_IDENTITY, target.identity_file->c_str(), "identity file");
        !done) {
      return std::unexpected(done.error());
    }
  }
  if (target.known_hosts_file) {
    if (auto done =
            set(SSH_OPTIONS_KNOWNHOSTS, target.known_hosts_file->c_str(), "known_hosts file");
        !done) {
      return std::unexpected(done.error());
    }
  }
  if (target.proxy_jump) {
    auto command = proxy_command(target, *target.proxy_jump);
    if (!command) return std::unexpected(command.error());
    if (auto done = set(SSH_OPTIONS_PROXYCOMMAND, command->c_str(), "proxy_jump"); !done) {
      return std::unexpected(done.error());
    }
  }
  // Commands and their markers are small packets: do not let Nagle hold them back.
  int no_delay = 1;
  if (auto done = set(SSH_OPTIONS_NODELAY, &no_delay, "TCP option"); !done) {
    return std::unexpected(done.error());
  }
  return session;
}

std::string describe(ssh_session session) {
  unsigned port = 22;
  ssh_options_get_port(session, &port);
  std::string user = option_text(session, SSH_OPTIONS_USER);
  std::string host = option_text(session, SSH_OPTIONS_HOST);
  return user.empty() ? fmt::format("{}:{}", host, port)
                      : fmt::format("{}@{}:{}", user, host, port);
}

std::string known_hosts_file(ssh_session session) {
  std::string file = option_text(session, SSH_OPTIONS_KNOWNHOSTS);
  return file.empty() ? "~/.ssh/known_hosts" : file;
}

core::Result<ServerKey> server_key(ssh_session session) {
  ssh_key raw_key = nullptr;
  if (ssh_get_server_publickey(session, &raw_key) != SSH_OK) {
    return core::fail(ErrorCode::connection_failed,
                      fmt::format("the server sent no host key: {}", ssh_get_error(session)));
  }
  KeyPtr key(raw_key);
  unsigned char* raw_hash = nullptr;
  std::size_t hash_length = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &raw_hash, &hash_length) != 0) {
    return core::fail(ErrorCode::connection_failed, "could not hash the server's host key");
  }
  HashPtr hash(raw_hash);
  CStringPtr fingerprint(
      ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash.get(), hash_length));
  ServerKey server;
  server.fingerprint = fingerprint ? fingerprint.get() : "";
  const char* type = ssh_key_type_to_char(ssh_key_type(key.get()));
  server.type = type ? type : "unknown";
  char* entry = nullptr;
  if (ssh_session_export_known_hosts_entry(session, &entry) == SSH_OK && entry != nullptr) {
    CStringPtr owned(entry);
    server.known_hosts_entry = owned.get();
  }
  return server;
}

core::Result<SessionPtr> connect(const Target& target, remote::Deadline deadline,
                                 HostKeyCheck host_key_check, Login login) {
  auto session = configure(target);
  if (!session) return std::unexpected(session.error());
  long seconds =
      std::max<long>(1, static_cast<long>((remote::milliseconds_left(deadline) + 999) / 1000));
  ssh_options_set(session->get(), SSH_OPTIONS_TIMEOUT, &seconds);
  if (ssh_connect(session->get()) != SSH_OK) {
    return std::unexpected(connect_error(target, session->get(), ssh_get_error(session->get())));
  }
  if (host_key_check == HostKeyCheck::verify) {
    if (auto verified = verify_host_key(target, session->get()); !verified) {
      return std::unexpected(verified.error());
    }
  }
  if (login == Login::yes) {
    if (auto authenticated = authenticate(target, session->get()); !authenticated) {
      return std::unexpected(authenticated.error());
    }
  }
  return std::move(*session);
}

}  // namespace sortie::ssh

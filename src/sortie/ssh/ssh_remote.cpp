#include "sortie/ssh/ssh_remote.hpp"

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "sortie/remote/framing.hpp"
#include "sortie/remote/shell.hpp"
#include "sortie/ssh/connect.hpp"
#include "sortie/ssh/files.hpp"
#include "sortie/ssh/shell_channel.hpp"

namespace sortie::ssh {

namespace {

using core::ErrorCode;
using remote::Deadline;

// Run through the user's login shell by sshd; replaces it with a bash login shell, which reads
// /etc/profile and ~/.bash_profile (conda, modules, SLURM_CONF) once for the connection.
constexpr const char* long_lived_shell = "exec bash -l";
// For a channel per batch, where no long-lived shell can be kept.
constexpr const char* batch_shell = "exec sh";

constexpr std::chrono::milliseconds reconnect_delays[] = {std::chrono::milliseconds(200),
                                                          std::chrono::milliseconds(500),
                                                          std::chrono::milliseconds(1000)};

// One authenticated session and what runs on it. Used by one caller at a time.
struct Connection {
  SessionPtr session;
  std::optional<remote::ShellSession> shell;
  SftpPtr sftp;
  bool shell_unavailable = false;  // starting a shell failed: use a channel per batch

  // Frees what runs on the session before the session itself: libssh's sftp_free() and channel
  // frees touch their session. (Move-assigning a Connection would free the session first.)
  void close() {
    sftp.reset();
    shell.reset();
    session.reset();
    shell_unavailable = false;
  }
};

}  // namespace

// The connections to one cluster: see SshRemote.
class ConnectionPool {
 public:
  ConnectionPool(Target target, std::chrono::milliseconds file_timeout)
      : m_target(std::move(target)), m_file_timeout(file_timeout) {
    if (m_target.max_connections == 0) m_target.max_connections = 1;
  }

  // A connection lent to one caller; returned to the pool when the lease ends, unless
  // discarded.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection, bool reused)
        : m_pool(&pool), m_connection(std::move(connection)), m_reused(reused) {}
    Lease(Lease&& other) noexcept
        : m_pool(other.m_pool),
          m_connection(std::move(other.m_connection)),
          m_reused(other.m_reused) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (m_connection) m_pool->give_back(std::move(m_connection));
    }

    Connection& operator*() { return *m_connection; }
    Connection* operator->() { return m_connection.get(); }
    bool reused() const { return m_reused; }

    // Closes the connection instead of returning it: it is broken.
    void discard() {
      m_connection.reset();
      m_pool->forget();
    }

   private:
    ConnectionPool* m_pool;
    std::unique_ptr<Connection> m_connection;
    bool m_reused;
  };

  const Target& target() const { return m_target; }
  std::chrono::milliseconds file_timeout() const { return m_file_timeout; }

  std::string label() const {
    return m_target.cluster_name.empty() ? m_target.host
                                         : fmt::format("cluster '{}'", m_target.cluster_name);
  }

  // An idle connection, or a new one while fewer than max_connections exist, or the first one
  // returned before `deadline`.
  core::Result<Lease> acquire(Deadline deadline) {
    std::unique_lock lock(m_mutex);
    while (true) {
      if (!m_idle.empty()) {
        auto connection = std::move(m_idle.back());
        m_idle.pop_back();
        return Lease(*this, std::move(connection), true);
      }
      if (m_open < m_target.max_connections) {
        ++m_open;
        lock.unlock();
        auto connection = std::make_unique<Connection>();
        auto session = connect(m_target, deadline, HostKeyCheck::verify, Login::yes);
        if (!session) {
          forget();
          return std::unexpected(session.error());
        }
        connection->session = std::move(*session);
        return Lease(*this, std::move(connection), false);
      }
      if (m_returned.wait_until(lock, deadline) == std::cv_status::timeout && m_idle.empty() &&
          m_open >= m_target.max_connections) {
        return core::fail(ErrorCode::timeout,
                          fmt::format("all {} connections to {} stayed busy until the deadline",
                                      m_target.max_connections, label()));
      }
    }
  }

  // Replaces the session of `connection` after it was found dead before use, retrying with
  // backoff within `deadline`. Only connection_failed is retried: a refused key or host key
  // will not get better.
  core::Result<void> reconnect(Connection& connection, Deadline deadline) {
    connection.close();
    core::Error last{ErrorCode::connection_failed, ""};
    for (std::size_t attempt = 0; attempt <= std::size(reconnect_delays); ++attempt) {
      if (attempt > 0) {
        auto delay = reconnect_delays[attempt - 1];
        if (std::chrono::steady_clock::now() + delay >= deadline) break;
        std::this_thread::sleep_for(delay);
      }
      auto session = connect(m_target, deadline, HostKeyCheck::verify, Login::yes);
      if (session) {
        connection.session = std::move(*session);
        return {};
      }
      last = session.error();
      if (last.code != ErrorCode::connection_failed) break;
    }
    last.message = fmt::format("the connection to {} dropped and could not be made again: {}",
                               label(), last.message);
    return std::unexpected(std::move(last));
  }

  std::size_t open_connections() const {
    std::lock_guard lock(m_mutex);
    return m_open;
  }

 private:
  void give_back(std::unique_ptr<Connection> connection) {
    {
      std::lock_guard lock(m_mutex);
      m_idle.push_back(std::move(connection));
    }
    m_returned.notify_one();
  }

  void forget() {
    {
      std::lock_guard lock(m_mutex);
      --m_open;
    }
    m_returned.notify_one();
  }

  Target m_target;
  std::chrono::milliseconds m_file_timeout;
  mutable std::mutex m_mutex;
  std::condition_variable m_returned;
  std::vector<std::unique_ptr<Connection>> m_idle;
  std::size_t m_open = 0;  // idle + lent + being connected
};

namespace {

// True when `connection` can be used without reconnecting, judged without sending anything.
// A shell that died on a live session is dropped here (a fresh one is started on use).
bool usable(Connection& connection) {
  if (connection.shell && !connection.shell->alive()) connection.shell.reset();
  return connection.session && ssh_is_connected(connection.session.get());
}

core::Error labelled(const std::string& label, core::Error error) {
  error.message = fmt::format("{}: {}", label, error.message);
  return error;
}

core::Result<remote::ShellSession> start_shell(Connection& connection, const char* command,
                                               Deadline deadline) {
  auto channel = SshShellChannel::open(connection.session.get(), command);
  if (!channel) return std::unexpected(channel.error());
  return remote::ShellSession::start(std::move(*channel), deadline);
}

}  // namespace

SshRemote::SshRemote(Target target, std::chrono::milliseconds file_timeout)
    : m_pool(std::make_unique<ConnectionPool>(std::move(target), file_timeout)) {}

SshRemote::~SshRemote() = default;

std::size_t SshRemote::open_connections() const {
  return m_pool->open_connections();
}

core::Result<std::string> SshRemote::describe() const {
  auto session = configure(m_pool->target());
  if (!session) return std::unexpected(session.error());
  return ssh::describe(session->get());
}

core::Result<std::vector<remote::Output>> SshRemote::run(
    const std::vector<remote::Command>& commands, std::chrono::milliseconds timeout,
    remote::OnFailure on_failure) {
  if (auto valid = remote::validate_batch(commands); !valid) return std::unexpected(valid.error());
  if (commands.empty()) return std::vector<remote::Output>{};
  Deadline deadline = remote::deadline_after(timeout);
  auto lease = m_pool->acquire(deadline);
  if (!lease) return std::unexpected(lease.error());
  Connection& connection = **lease;

  // A pooled session may have died while idle (server restart, network change): nothing was
  // sent yet, so replacing it is safe.
  if (lease->reused() && !usable(connection)) {
    if (auto again = m_pool->reconnect(connection, deadline); !again) {
      lease->discard();
      return std::unexpected(again.error());
    }
  }

  // Start the long-lived shell on first use. Still nothing of the batch is sent, so a session
  // that turns out dead here may be replaced once.
  for (int attempt = 0; !connection.shell && !connection.shell_unavailable; ++attempt) {
    auto shell = start_shell(connection, long_lived_shell, deadline);
    if (shell) {
      connection.shell = std::move(*shell);
      break;
    }
    if (shell.error().code == ErrorCode::timeout) {
      return std::unexpected(labelled(m_pool->label(), shell.error()));
    }
    if (ssh_is_connected(connection.session.get())) {
      connection.shell_unavailable = true;
    } else if (attempt > 0) {
      lease->discard();
      return std::unexpected(labelled(m_pool->label(), shell.error()));
    } else if (auto again = m_pool->reconnect(connection, deadline); !again) {
      lease->discard();
      return std::unexpected(again.error());
    }
  }

  if (connection.shell) {
    auto outputs = connection.shell->run(commands, deadline, on_failure);
    if (outputs) return outputs;
    connection.shell.reset();
    if (!ssh_is_connected(connection.session.get())) lease->discard();
    return std::unexpected(labelled(m_pool->label(), outputs.error()));
  }

  // No long-lived shell here: one exec channel for this batch, same framing.
  auto shell = start_shell(connection, batch_shell, deadline);
  if (!shell) {
    if (!ssh_is_connected(connection.session.get())) lease->discard();
    return std::unexpected(labelled(m_pool->label(), shell.error()));
  }
  auto outputs = shell->run(commands, deadline, on_failure);
  shell->kill();
  if (!outputs && !ssh_is_connected(connection.session.get())) lease->discard();
  if (!outputs) return std::unexpected(labelled(m_pool->label(), outputs.error()));
  return outputs;
}

namespace {

// Runs an idempotent SFTP operation, reconnecting and retrying once when the connection turns
// out dead.
template <class Operation>
auto with_sftp(ConnectionPool& pool, Operation operation)
    -> decltype(operation(std::declval<ssh_session>(), std::declval<sftp_session>())) {
  Deadline deadline = remote::deadline_after(pool.file_timeout());
  auto lease = pool.acquire(deadline);
  if (!lease) return std::unexpected(lease.error());
  Connection& connection = **lease;
  for (int attempt = 0;; ++attempt) {
    if ((attempt > 0 || lease->reused()) && !usable(connection)) {
      if (auto again = pool.reconnect(connection, deadline); !again) {
        lease->discard();
        return std::unexpected(again.error());
      }
    }
    if (!connection.sftp) {
      auto sftp = open_sftp(connection.session.get());
      if (sftp) {
        connection.sftp = std::move(*sftp);
      } else if (sftp.error().code != ErrorCode::connection_lost || attempt > 0) {
        return std::unexpected(labelled(pool.label(), sftp.error()));
      } else {
        continue;
      }
    }
    auto result = operation(connection.session.get(), connection.sftp.get());
    if (result || result.error().code != ErrorCode::connection_lost || attempt > 0) {
      if (!result && !ssh_is_connected(connection.session.get())) lease->discard();
      if (!result) return std::unexpected(labelled(pool.label(), result.error()));
      return result;
    }
    connection.sftp.reset();
  }
}

}  // namespace

core::Result<void> SshRemote::write_file(const std::string& path, std::string_view content,
                                         unsigned mode) {
  return with_sftp(*m_pool, [&](ssh_session session, sftp_session sftp) {
    return ssh::write_file(session, sftp, path, content, mode);
  });
}

core::Result<std::string> SshRemote::read_file(const std::string& path, std::uint64_t offset,
                                               std::uint64_t length) {
  return with_sftp(*m_pool, [&](ssh_session session, sftp_session sftp) {
    return ssh::read_file(session, sftp, path, offset, length);
  });
}

}  // namespace sortie::ssh

#pragma once

// One connection to sortie's SQLite database.
//
// Threads: a Database is used by one thread at a time. The connection is opened in SQLite's
// multi-thread mode (SQLITE_OPEN_NOMUTEX) and caches its prepared statements, so neither the
// connection nor the cache is locked. A server holds one Database per worker thread (each is
// cheap: one file handle and a few dozen prepared statements); several processes and threads
// share the file safely through SQLite's own locking (WAL: readers never block the writer).
//
// Writes go in short IMMEDIATE transactions (`transaction`), which take the write lock up
// front, so two writers wait for each other (up to the busy timeout) instead of failing late.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "sortie/core/error.hpp"
#include "sortie/store/statement.hpp"

namespace sortie::store {

// Whether `open` brings the schema up to date.
enum class Migrate { to_latest, no };

struct OpenOptions {
  // How long a statement waits for another connection's write lock before failing with
  // "the database ... is locked by another sortie process; try again".
  std::chrono::milliseconds busy_timeout{5000};
  Migrate migrate = Migrate::to_latest;
};

class Database {
 public:
  // Opens (creating it with mode 0600, and its parent directory, if missing) the database at
  // `path`, switches it to WAL, and applies pending migrations unless told not to.
  // Fails with a message naming `path` when the directory or file cannot be created
  // (io_error), when the file is not a SQLite database or not sortie's (io_error), when it was
  // made by a newer sortie (io_error; the file is left untouched), or when another process
  // holds the lock longer than the busy timeout (timeout).
  static core::Result<Database> open(const std::filesystem::path& path,
                                     const OpenOptions& options = {});

  // `~/.local/share/sortie/sortie.db` under `home`.
  static std::filesystem::path default_path(const std::filesystem::path& home);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  const std::filesystem::path& path() const { return m_path; }

  // The schema version recorded in the file (SQLite's user_version); 0 for a new file.
  core::Result<int> schema_version();

  // Runs `body` inside a write transaction and returns what it returned. `body` returns a
  // core::Result; the transaction commits when it holds a value and rolls back when it holds an
  // error (or throws). The outermost transaction is BEGIN IMMEDIATE; nested calls use
  // savepoints, so an inner failure undoes only the inner work. Fails with `timeout` when the
  // write lock is not had within the busy timeout.
  template <class Body>
  auto transaction(Body&& body) -> std::invoke_result_t<Body&> {
    return run_in_transaction(TransactionKind::write, body);
  }

  // Runs `body`, which only reads, on one consistent snapshot of the database (BEGIN DEFERRED;
  // WAL lets it proceed while another connection writes). Inside another transaction it simply
  // runs `body`. Several reads in one snapshot also cost one lock round instead of one each.
  template <class Body>
  auto read_transaction(Body&& body) -> std::invoke_result_t<Body&> {
    if (m_transaction_depth > 0) return body();
    return run_in_transaction(TransactionKind::read, body);
  }

  // Runs SQL text (one or more statements, no parameters, no rows wanted). For migrations and
  // pragmas; typed queries go through `prepare`.
  core::Result<void> execute(std::string_view sql);

  // A use of the prepared statement for `sql`. Statements are prepared once per connection and
  // cached by their text; a statement still in use (a nested query with the same text) gets a
  // fresh, uncached one. Fails (io_error) when `sql` does not compile.
  core::Result<Statement> prepare(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  std::int64_t changes() const;

  // Rows changed by INSERT/UPDATE/DELETE on this connection since it was opened (SQLite's
  // total_changes, rolled-back changes included): equal readings mean this connection wrote
  // nothing in between.
  std::int64_t total_changes() const;

  // SQLite's `PRAGMA data_version`: differs between two readings when another connection (of
  // this or another process) committed in between; this connection's own commits leave it as
  // it was. Fails (io_error) when the pragma cannot run.
  core::Result<std::int64_t> data_version();

  // The rowid of the last INSERT on this connection.
  std::int64_t last_insert_id() const;

  // True while a transaction (from `transaction`) is open on this connection.
  bool in_transaction() const { return m_transaction_depth > 0; }

 private:
  // Lets the cache be searched by string_view without building a std::string.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  struct CachedStatement {
    StatementPtr statement;
    bool in_use = false;
  };

  Database(std::filesystem::path path, ConnectionPtr connection);

  enum class TransactionKind { write, read };

  template <class Body>
  auto run_in_transaction(TransactionKind kind, Body& body) -> std::invoke_result_t<Body&> {
    if (auto begun = begin(kind); !begun) return std::unexpected(begun.error());
    struct Guard {
      Database* database;
      bool done = false;
      ~Guard() {
        if (!done) database->roll_back();
      }
    } guard{this};
    auto result = body();
    guard.done = true;
    if (!result) {
      roll_back();
      return result;
    }
    if (auto committed = commit(); !committed) return std::unexpected(committed.error());
    return result;
  }

  core::Result<void> use_write_ahead_log(std::chrono::milliseconds busy_timeout);
  core::Result<void> begin(TransactionKind kind);
  core::Result<void> commit();
  void roll_back();

  std::filesystem::path m_path;
  ConnectionPtr m_connection;
  // Declared after the connection so statements are finalized before it closes.
  std::unordered_map<std::string, std::unique_ptr<CachedStatement>, TextHash, std::equal_to<>>
      m_statements;
  int m_transaction_depth = 0;
};

}  // namespace sortie::store

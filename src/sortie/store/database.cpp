#include "sortie/store/database.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <limits>
#include <system_error>
#include <thread>

#include "sortie/store/migrations.hpp"

namespace sortie::store {
namespace {

core::Result<void> create_missing_file(const std::filesystem::path& path) {
  std::error_code error;
  if (path.has_parent_path() && !std::filesystem::exists(path.parent_path(), error)) {
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) {
      return core::fail(core::ErrorCode::io_error,
                        fmt::format("cannot create the directory {} for the database: {}",
                                    path.parent_path().string(), error.message()));
    }
  }
  // Created here rather than by SQLite so the file (and the -wal and -shm files SQLite gives
  // the same mode) is private to the user from the first byte.
  const int descriptor = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (descriptor >= 0) {
    ::close(descriptor);
    return {};
  }
  if (errno == EEXIST) return {};
  return core::fail(core::ErrorCode::io_error, fmt::format("cannot create the database {}: {}",
                                                           path.string(), std::strerror(errno)));
}

struct Header {
  std::int64_t application_id = 0;
  std::int64_t version = 0;
  std::int64_t tables = 0;
};

// Reads the header fields in one statement, so one snapshot (another process may be migrating
// the file right now); maps "file is not a database" to a message naming the file.
core::Result<Header> read_header(sqlite3* connection, const std::filesystem::path& path) {
  sqlite3_stmt* raw = nullptr;
  int result = sqlite3_prepare_v2(connection,
                                  "SELECT (SELECT application_id FROM pragma_application_id), "
                                  "(SELECT user_version FROM pragma_user_version), "
                                  "(SELECT count(*) FROM sqlite_schema)",
                                  -1, &raw, nullptr);
  StatementPtr statement(raw);
  if (result == SQLITE_OK) {
    result = sqlite3_step(statement.get());
    if (result == SQLITE_ROW) {
      return Header{sqlite3_column_int64(statement.get(), 0),
                    sqlite3_column_int64(statement.get(), 1),
                    sqlite3_column_int64(statement.get(), 2)};
    }
  }
  if ((result & 0xff) == SQLITE_NOTADB) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("{} is not a SQLite database, so not a sortie database; move "
                                  "it aside or choose another file with --db",
                                  path.string()));
  }
  return std::unexpected(sqlite_error(connection, result, "reading the database header"));
}

// Refuses files that are not sortie's or are newer than this binary, before anything writes.
core::Result<void> check_file(sqlite3* connection, const std::filesystem::path& path) {
  auto header = read_header(connection, path);
  if (!header) return std::unexpected(header.error());
  const auto application_id = header->application_id;
  const auto version = header->version;
  const bool ours = application_id == k_application_id;
  const bool empty = application_id == 0 && version == 0 && header->tables == 0;
  if (!ours && !empty) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("{} is a SQLite database of another program, not sortie's; "
                                  "choose another file with --db",
                                  path.string()));
  }
  if (version > latest_schema_version()) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("the database {} was written by a newer sortie (schema version "
                                  "{}; this sortie knows up to {}); upgrade sortie to use it",
                                  path.string(), version, latest_schema_version()));
  }
  return {};
}

}  // namespace

core::Result<Database> Database::open(const std::filesystem::path& path,
                                      const OpenOptions& options) {
  if (auto created = create_missing_file(path); !created) return std::unexpected(created.error());

  sqlite3* raw = nullptr;
  const int result =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  ConnectionPtr connection(raw);  // SQLite returns a handle to close even when opening fails
  if (result != SQLITE_OK) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("cannot open the database {}: {}", path.string(),
                                  raw ? sqlite3_errmsg(raw) : sqlite3_errstr(result)));
  }
  sqlite3_extended_result_codes(connection.get(), 1);
  const auto timeout =
      std::min<std::int64_t>(options.busy_timeout.count(), std::numeric_limits<int>::max());
  sqlite3_busy_timeout(connection.get(), static_cast<int>(timeout));

  if (auto checked = check_file(connection.get(), path); !checked) {
    return std::unexpected(checked.error());
  }

  Database database(path, std::move(connection));
  if (auto wal = database.use_write_ahead_log(options.busy_timeout); !wal) {
    return std::unexpected(wal.error());
  }
  // synchronous=FULL: the SUBMITTING record must be on disk before sbatch runs, or a power
  // cut could leave a SLURM job sortie never heard of. temp_store=MEMORY keeps the statement
  // journals of nested transactions off the disk.
  auto configured = database.execute(
      "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;");
  if (!configured) return std::unexpected(configured.error());

  if (options.migrate == Migrate::to_latest) {
    if (auto migrated = migrate(database); !migrated) return std::unexpected(migrated.error());
  }
  return database;
}

core::Result<void> Database::use_write_ahead_log(std::chrono::milliseconds busy_timeout) {
  // Switching a new file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once
  // instead of calling the busy handler, so a process opening the file while another sets it
  // up retries here for as long as the busy timeout allows.
  const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
  for (;;) {
    auto statement = prepare("PRAGMA journal_mode = WAL");
    if (!statement) return std::unexpected(statement.error());
    auto row = statement->step();
    if (row && *row && statement->text(0) == "wal") return {};
    if (row) {
      return core::fail(core::ErrorCode::io_error,
                        fmt::format("the database {} cannot use write-ahead logging (is it on a "
                                    "network file system?); choose a local file with --db",
                                    m_path.string()));
    }
    if (row.error().code != core::ErrorCode::timeout ||
        std::chrono::steady_clock::now() >= deadline) {
      return std::unexpected(row.error());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::filesystem::path Database::default_path(const std::filesystem::path& home) {
  return home / ".local" / "share" / "sortie" / "sortie.db";
}

Database::Database(std::filesystem::path path, ConnectionPtr connection)
    : m_path(std::move(path)), m_connection(std::move(connection)) {}

Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

core::Result<int> Database::schema_version() {
  auto statement = prepare("PRAGMA user_version");
  if (!statement) return std::unexpected(statement.error());
  auto row = statement->step();
  if (!row) return std::unexpected(row.error());
  return statement->small_integer(0);
}

core::Result<void> Database::execute(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int result = sqlite3_exec(m_connection.get(), text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);  // sqlite3_errmsg reports the same text
  if (result != SQLITE_OK) {
    return std::unexpected(
        sqlite_error(m_connection.get(), result, fmt::format("running \"{}\"", sql.substr(0, 60))));
  }
  return {};
}

core::Result<Statement> Database::prepare(std::string_view sql) {
  auto found = m_statements.find(sql);
  if (found != m_statements.end() && !found->second->in_use) {
    return Statement(found->second->statement.get(), nullptr, &found->second->in_use);
  }
  const bool cache = found == m_statements.end();
  sqlite3_stmt* raw = nullptr;
  const int result =
      sqlite3_prepare_v3(m_connection.get(), sql.data(), static_cast<int>(sql.size()),
                         cache ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  StatementPtr statement(raw);
  if (result != SQLITE_OK) {
    return std::unexpected(sqlite_error(m_connection.get(), result,
                                        fmt::format("preparing \"{}\"", sql.substr(0, 60))));
  }
  if (!cache) return Statement(raw, std::move(statement), nullptr);
  auto entry = std::make_unique<CachedStatement>(CachedStatement{std::move(statement), false});
  auto* cached = entry.get();
  m_statements.emplace(std::string(sql), std::move(entry));
  return Statement(cached->statement.get(), nullptr, &cached->in_use);
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(m_connection.get());
}

std::int64_t Database::total_changes() const {
  return sqlite3_total_changes64(m_connection.get());
}

core::Result<std::int64_t> Database::data_version() {
  auto pragma = prepare("PRAGMA data_version");
  if (!pragma) return std::unexpected(pragma.error());
  auto row = pragma->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return core::fail(core::ErrorCode::io_error, "PRAGMA data_version returned no row");
  return pragma->integer(0);
}

std::int64_t Database::last_insert_id() const {
  return sqlite3_last_insert_rowid(m_connection.get());
}

core::Result<void> Database::begin(TransactionKind kind) {
  const auto sql = m_transaction_depth == 0
                       ? std::string(kind == TransactionKind::write ? "BEGIN IMMEDIATE" : "BEGIN")
                       : fmt::format("SAVEPOINT nested_{}", m_transaction_depth);
  if (auto begun = execute(sql); !begun) return begun;
  ++m_transaction_depth;
  return {};
}

core::Result<void> Database::commit() {
  assert(m_transaction_depth > 0);
  const int depth = m_transaction_depth - 1;
  const auto sql = depth == 0 ? std::string("COMMIT") : fmt::format("RELEASE nested_{}", depth);
  if (auto committed = execute(sql); !committed) {
    roll_back();
    return committed;
  }
  m_transaction_depth = depth;
  return {};
}

void Database::roll_back() {
  assert(m_transaction_depth > 0);
  const int depth = m_transaction_depth - 1;
  m_transaction_depth = depth;
  // Nothing useful can be done when a rollback fails; SQLite then has already rolled back.
  if (depth == 0) {
    (void)execute("ROLLBACK");
  } else {
    (void)execute(fmt::format("ROLLBACK TO nested_{0}; RELEASE nested_{0}", depth));
  }
}

}  // namespace sortie::store

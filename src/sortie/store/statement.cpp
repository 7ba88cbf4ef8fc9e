#include "sortie/store/statement.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cassert>
#include <limits>
#include <utility>

namespace sortie::store {

void ConnectionDeleter::operator()(sqlite3* connection) const {
  // sqlite3_close_v2 defers the close until every statement is finalized instead of failing.
  sqlite3_close_v2(connection);
}

void StatementDeleter::operator()(sqlite3_stmt* statement) const {
  sqlite3_finalize(statement);
}

core::Error sqlite_error(sqlite3* connection, int result_code, std::string_view what) {
  const char* file = connection ? sqlite3_db_filename(connection, "main") : nullptr;
  const std::string path = file && *file ? file : "(unknown)";
  const int primary = result_code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return core::Error{core::ErrorCode::timeout,
                       fmt::format("the database {} is locked by another sortie process; try "
                                   "again (while {})",
                                   path, what)};
  }
  const char* message = connection ? sqlite3_errmsg(connection) : sqlite3_errstr(result_code);
  return core::Error{core::ErrorCode::io_error,
                     fmt::format("database {}: {} failed: {}", path, what, message)};
}

Statement::Statement(sqlite3_stmt* statement, StatementPtr owned, bool* in_use)
    : m_statement(statement), m_owned(std::move(owned)), m_in_use(in_use) {
  if (m_in_use) *m_in_use = true;
}

Statement::Statement(Statement&& other) noexcept
    : m_statement(std::exchange(other.m_statement, nullptr)),
      m_owned(std::move(other.m_owned)),
      m_in_use(std::exchange(other.m_in_use, nullptr)) {}

Statement::~Statement() {
  if (!m_statement) return;
  sqlite3_reset(m_statement);
  sqlite3_clear_bindings(m_statement);
  if (m_in_use) *m_in_use = false;
}

Statement& Statement::bind(int index, std::int64_t value) {
  [[maybe_unused]] int result = sqlite3_bind_int64(m_statement, index, value);
  assert(result == SQLITE_OK);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  [[maybe_unused]] int result = sqlite3_bind_text64(m_statement, index, value.data(), value.size(),
                                                    SQLITE_TRANSIENT, SQLITE_UTF8);
  assert(result == SQLITE_OK);
  return *this;
}

Statement& Statement::bind_null(int index) {
  [[maybe_unused]] int result = sqlite3_bind_null(m_statement, index);
  assert(result == SQLITE_OK);
  return *this;
}

core::Result<bool> Statement::step() {
  const int result = sqlite3_step(m_statement);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  const std::string_view sql = sqlite3_sql(m_statement);
  return std::unexpected(sqlite_error(sqlite3_db_handle(m_statement), result,
                                      fmt::format("running \"{}\"", sql.substr(0, 60))));
}

core::Result<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
  }
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(m_statement, column);
}

int Statement::small_integer(int column) const {
  const auto value = integer(column);
  assert(value >= std::numeric_limits<int>::min() && value <= std::numeric_limits<int>::max());
  return static_cast<int>(value);
}

std::string Statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(m_statement, column);
  const auto size = sqlite3_column_bytes(m_statement, column);
  if (!bytes) return {};
  return std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
}

std::optional<std::int64_t> Statement::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

std::optional<int> Statement::optional_small_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return small_integer(column);
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

}  // namespace sortie::store

#pragma once

// RAII owners for SQLite handles and the prepared-statement wrapper the store's queries use.
// Internal to store/: only this folder talks SQL. sqlite3.h stays in the .cpp files, so code
// that includes store headers does not see SQLite.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace sortie::store {

struct ConnectionDeleter {
  void operator()(sqlite3* connection) const;
};
using ConnectionPtr = std::unique_ptr<sqlite3, ConnectionDeleter>;

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const;
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// The error for a failed SQLite call on `connection`: SQLITE_BUSY/LOCKED (after the busy
// timeout) become `timeout` with "the database ... is locked by another sortie process; try
// again"; anything else is `io_error` naming the database file, `what` we were doing, and
// SQLite's message.
core::Error sqlite_error(sqlite3* connection, int result_code, std::string_view what);

// One use of a prepared statement: bind parameters (1-based), step through rows, read columns
// (0-based). Destroying it resets the statement and clears its bindings, so a cached statement
// is ready for its next use. Text is bound by copy.
class Statement {
 public:
  // Uses `statement`; when `owned`, finalizes it on destruction (an uncached statement).
  // `in_use` is the cache's flag for the statement, set while this use lasts (null if uncached).
  Statement(sqlite3_stmt* statement, StatementPtr owned, bool* in_use);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) = delete;  // say 0 or 1: bools hide in overloads
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index);

  // Binds the value, or NULL when unset.
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    if (value) return bind(index, *value);
    return bind_null(index);
  }

  // Advances to the next row: true when a row is available, false when the statement is done.
  core::Result<bool> step();

  // Runs a statement that returns no rows to completion.
  core::Result<void> run();

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  int small_integer(int column) const;  // asserts the value fits an int
  std::string text(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  std::optional<int> optional_small_integer(int column) const;
  std::optional<std::string> optional_text(int column) const;

 private:
  sqlite3_stmt* m_statement;
  StatementPtr m_owned;
  bool* m_in_use;
};

}  // namespace sortie::store

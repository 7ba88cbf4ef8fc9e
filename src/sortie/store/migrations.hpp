#pragma once

// The numbered schema migrations. A database's SQLite user_version is the number of the last
// migration applied to it; a database made by an older sortie upgrades in place at `open`.
// Migrations are only ever appended: a released one is never edited.

#include <optional>
#include <span>
#include <string_view>

#include "sortie/core/error.hpp"

namespace sortie::store {

class Database;

struct Migration {
  int version;               // 1, 2, 3, ... in order
  std::string_view summary;  // one line, for logs
  std::string_view sql;
};

// Every migration, oldest first.
std::span<const Migration> migrations();

// The version of the newest migration this binary knows.
int latest_schema_version();

// sortie's SQLite application_id ("sort"), set by the first migration; a file with another
// application_id is refused.
inline constexpr int k_application_id = 0x736f7274;

// Applies, each in its own IMMEDIATE transaction, the migrations above the database's version
// up to `up_to` (default: the latest). Re-reads the version inside each transaction, so two
// processes migrating at once apply each migration once. Fails (io_error) when the database is
// newer than this binary, leaving it untouched, or when a migration fails (that migration is
// rolled back; earlier ones stay applied).
core::Result<void> migrate(Database& database, std::optional<int> up_to = std::nullopt);

}  // namespace sortie::store

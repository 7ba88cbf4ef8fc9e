// Store: API tokens (hashes only) and the stream of job events for live updates.
#include <fmt/format.h>

#include "sortie/store/columns.hpp"
#include "sortie/store/store.hpp"

namespace sortie::store {

core::Result<void> Store::create_token(std::string_view name, std::string_view hash) {
  return m_database.transaction([&]() -> core::Result<void> {
    auto clash = m_database.prepare("SELECT 1 FROM api_tokens WHERE name = ?");
    if (!clash) return std::unexpected(clash.error());
    clash->bind(1, name);
    auto row = clash->step();
    if (!row) return std::unexpected(row.error());
    if (*row) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("a token named \"{}\" exists already; choose another name, or "
                                    "revoke it first with `sortie tokens revoke {}`",
                                    name, name));
    }
    auto insert =
        m_database.prepare("INSERT INTO api_tokens (name, hash, created_at) VALUES (?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->bind(1, name).bind(2, hash).bind(3, to_column(m_clock()));
    return insert->run();
  });
}

core::Result<std::optional<std::string>> Store::token_name(std::string_view hash) {
  auto select = m_database.prepare("SELECT name FROM api_tokens WHERE hash = ?");
  if (!select) return std::unexpected(select.error());
  select->bind(1, hash);
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<std::string>{};
  return std::optional(select->text(0));
}

core::Result<std::vector<ApiToken>> Store::tokens() {
  auto select = m_database.prepare("SELECT name, created_at FROM api_tokens ORDER BY name");
  if (!select) return std::unexpected(select.error());
  std::vector<ApiToken> tokens;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return tokens;
    tokens.push_back({select->text(0), timestamp_from_column(select->integer(1))});
  }
}

core::Result<bool> Store::delete_token(std::string_view name) {
  auto remove = m_database.prepare("DELETE FROM api_tokens WHERE name = ?");
  if (!remove) return std::unexpected(remove.error());
  remove->bind(1, name);
  if (auto ran = remove->run(); !ran) return std::unexpected(ran.error());
  return m_database.changes() > 0;
}

}  // namespace sortie::store

#include "sortie/api/auth.hpp"

#include <fmt/format.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "sortie/git/sha256.hpp"

namespace sortie::api {
namespace {

core::Result<std::string> random_hex(std::size_t bytes) {
  std::array<unsigned char, 64> buffer{};
  std::size_t filled = 0;
  while (filled < bytes) {
    const auto got = getrandom(buffer.data() + filled, bytes - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return core::fail(core::ErrorCode::io_error,
                        fmt::format("cannot read random bytes: {}", std::strerror(errno)));
    }
    filled += static_cast<std::size_t>(got);
  }
  std::string hex;
  for (std::size_t i = 0; i < bytes; ++i) hex += fmt::format("{:02x}", buffer[i]);
  return hex;
}

}  // namespace

core::Result<std::string> new_token() {
  auto hex = random_hex(20);
  if (!hex) return std::unexpected(hex.error());
  return "sortie_" + *hex;
}

std::string token_hash(std::string_view token) { return git::sha256_hex(token); }

core::Result<std::string> new_local_secret() { return random_hex(32); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // volatile: the compiler may not stop at the first difference.
  volatile unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference = static_cast<unsigned char>(difference |
                                            (static_cast<unsigned char>(a[i]) ^
                                             static_cast<unsigned char>(b[i])));
  }
  return difference == 0;
}

core::Result<std::string> Sessions::open(SessionOwner owner) {
  auto id = random_hex(32);
  if (!id) return std::unexpected(id.error());
  std::lock_guard lock(m_mutex);
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(m_sessions, [&](const auto& entry) { return entry.second.expires <= now; });
  m_sessions[*id] = {std::move(owner), now + m_lifetime};
  return *id;
}

std::optional<SessionOwner> Sessions::who(std::string_view id) {
  std::lock_guard lock(m_mutex);
  auto found = m_sessions.find(id);
  if (found == m_sessions.end()) return std::nullopt;
  if (found->second.expires <= std::chrono::steady_clock::now()) {
    m_sessions.erase(found);
    return std::nullopt;
  }
  return found->second.owner;
}

void Sessions::close(std::string_view id) {
  std::lock_guard lock(m_mutex);
  if (auto found = m_sessions.find(id); found != m_sessions.end()) m_sessions.erase(found);
}

}  // namespace sortie::api

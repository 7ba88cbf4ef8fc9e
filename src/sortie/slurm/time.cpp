#include "sortie/slurm/time.hpp"

#include <fmt/format.h>

#include <array>

#include "sortie/slurm/fields.hpp"

namespace sortie::slurm {

core::Result<std::optional<std::chrono::minutes>> parse_time_limit(std::string_view text) {
  text = detail::trim(text);
  if (text == "UNLIMITED" || text == "INFINITE" || text == "NONE" || text == "N/A") {
    return std::optional<std::chrono::minutes>{};
  }
  auto bad = [&] {
    return core::fail(core::ErrorCode::parse_error,
                      fmt::format("'{}' is not a SLURM time (expected e.g. 30, 01:00:00 or "
                                  "1-00:00:00)",
                                  text));
  };
  std::int64_t days = 0;
  bool has_days = false;
  std::string_view clock = text;
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    const auto parsed = detail::parse_count(text.substr(0, dash));
    if (!parsed) return bad();
    days = *parsed;
    has_days = true;
    clock = text.substr(dash + 1);
  }
  std::array<std::int64_t, 3> parts{};
  std::size_t count = 0;
  while (true) {
    const auto colon = clock.find(':');
    if (count == parts.size()) return bad();
    const auto parsed = detail::parse_count(clock.substr(0, colon));
    if (!parsed) return bad();
    parts[count++] = *parsed;
    if (colon == std::string_view::npos) break;
    clock.remove_prefix(colon + 1);
  }
  std::int64_t hours = 0;
  std::int64_t minutes = 0;
  std::int64_t seconds = 0;
  if (has_days) {
    // D-HH, D-HH:MM, D-HH:MM:SS
    hours = parts[0];
    minutes = count > 1 ? parts[1] : 0;
    seconds = count > 2 ? parts[2] : 0;
  } else if (count == 1) {
    minutes = parts[0];
  } else if (count == 2) {
    minutes = parts[0];
    seconds = parts[1];
  } else {
    hours = parts[0];
    minutes = parts[1];
    seconds = parts[2];
  }
  if (days > 1'000'000 || hours > 1'000'000 || minutes > 100'000'000 || seconds > 100'000'000) {
    return bad();
  }
  const std::int64_t total = days * 24 * 60 + hours * 60 + minutes + (seconds + 59) / 60;
  return std::optional<std::chrono::minutes>{std::chrono::minutes{total}};
}

std::string format_time_limit(std::optional<std::chrono::minutes> limit) {
  if (!limit) return "UNLIMITED";
  const auto total = limit->count();
  const auto days = total / (std::chrono::minutes::rep{24} * 60);
  const auto hours = (total / 60) % 24;
  const auto minutes = total % 60;
  if (days > 0) return fmt::format("{}-{:02}:{:02}:00", days, hours, minutes);
  return fmt::format("{:02}:{:02}:00", hours, minutes);
}

}  // namespace sortie::slurm

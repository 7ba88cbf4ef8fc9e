#pragma once

// Conversions between the store's C++ values and their column encodings. Internal to store/.

#include <cstdint>
#include <optional>

#include "sortie/store/model.hpp"

namespace sortie::store {

inline std::int64_t to_column(Timestamp time) {
  return time.time_since_epoch().count();
}

inline Timestamp timestamp_from_column(std::int64_t seconds) {
  return Timestamp{std::chrono::seconds{seconds}};
}

inline std::optional<std::int64_t> to_column(const std::optional<Timestamp>& time) {
  if (!time) return std::nullopt;
  return to_column(*time);
}

inline std::optional<Timestamp> timestamp_from_column(const std::optional<std::int64_t>& seconds) {
  if (!seconds) return std::nullopt;
  return timestamp_from_column(*seconds);
}

}  // namespace sortie::store

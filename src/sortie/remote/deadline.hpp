#pragma once

#include <chrono>

namespace sortie::remote {

// A point in time by which an operation must be done; measured on the steady clock.
using Deadline = std::chrono::steady_clock::time_point;

// The deadline `timeout` from now.
inline Deadline deadline_after(std::chrono::milliseconds timeout) {
  return std::chrono::steady_clock::now() + timeout;
}

// Whole milliseconds left until `deadline` (0 once it passed), rounded up.
inline long long milliseconds_left(Deadline deadline) {
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? left.count() : 0;
}

}  // namespace sortie::remote

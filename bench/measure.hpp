#pragma once

// Timing helpers shared by the bench/*_bench.cpp executables.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sortie::bench {

// Wall-clock figures of one operation, in milliseconds.
struct Figures {
  std::string name;
  std::size_t runs = 0;
  double median_ms = 0;
  double p90_ms = 0;
};

// Times `operation` `runs` times; returns nullopt (after saying why) if any run fails.
inline std::optional<Figures> measure(const std::string& name, std::size_t runs,
                                      const std::function<bool()>& operation) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> samples;
  for (std::size_t run = 0; run < runs; ++run) {
    auto started = Clock::now();
    if (!operation()) {
      std::fprintf(stderr, "%s: run %zu failed\n", name.c_str(), run);
      return std::nullopt;
    }
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
  }
  std::sort(samples.begin(), samples.end());
  return Figures{name, runs, samples[samples.size() / 2], samples[samples.size() * 9 / 10]};
}

}  // namespace sortie::bench

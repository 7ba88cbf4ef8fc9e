#include "sortie/jobs/monitor.hpp"

#include <gtest/gtest.h>

namespace sortie::jobs {
namespace {

using namespace std::chrono_literals;

const SteadyTime t0 = SteadyTime() + std::chrono::hours(1);

TEST(Pacer, TicksAtOnceThenAtTheFastestIntervalAfterAChange) {
  Pacer pacer;
  EXPECT_LE(pacer.next_tick(), t0);
  pacer.after_tick(t0, 2, TickOutcome::changed);
  EXPECT_EQ(pacer.next_tick(), t0 + 3s);
}

TEST(Pacer, WaitsLongerWhileNothingChangesUpToTheSlowest) {
  Pacer pacer;
  SteadyTime at = t0;
  std::chrono::milliseconds previous{0};
  for (int tick = 0; tick < 30; ++tick) {
    pacer.after_tick(at, 1, TickOutcome::quiet);
    EXPECT_GE(pacer.interval(), previous);
    previous = pacer.interval();
    at = pacer.next_tick();
  }
  EXPECT_EQ(pacer.interval(), 60s);
  pacer.after_tick(at, 1, TickOutcome::changed);
  EXPECT_EQ(pacer.interval(), 3s);
}

TEST(Pacer, BacksOffWhileTicksFailAndAHurryDoesNotCutTheBackoff) {
  Pacer pacer;
  SteadyTime at = t0;
  for (int tick = 0; tick < 12; ++tick) {
    pacer.after_tick(at, 0, TickOutcome::failed);
    at = pacer.next_tick();
  }
  EXPECT_EQ(pacer.interval(), 300s);
  pacer.hurry(at - 10s);
  EXPECT_EQ(pacer.interval(), 300s);
  pacer.after_tick(at, 1, TickOutcome::quiet);
  EXPECT_LT(pacer.interval(), 300s);
}

TEST(Pacer, HurryMakesTheNextTickDueNow) {
  Pacer pacer;
  SteadyTime at = t0;
  for (int tick = 0; tick < 10; ++tick) {
    pacer.after_tick(at, 1, TickOutcome::quiet);
    at = pacer.next_tick();
  }
  const SteadyTime now = at - 20s;
  pacer.hurry(now);
  EXPECT_LE(pacer.next_tick(), now);
  EXPECT_EQ(pacer.interval(), 3s);
}

TEST(Pacer, NeverAllowsMoreThanTheCapInAnyMinuteHoweverOftenItIsHurried) {
  PacingOptions options;
  options.slurm_calls_per_minute = 12;
  Pacer pacer(options);
  std::vector<std::pair<SteadyTime, int>> ticks;
  SteadyTime now = t0;
  while (now < t0 + 30min) {
    pacer.hurry(now);
    if (pacer.next_tick() <= now) {
      const int calls = std::min(pacer.budget(now), 5);  // every tick wants all it may make
      if (calls > 0) {
        ticks.emplace_back(now, calls);
        pacer.after_tick(now, calls, TickOutcome::changed);
      }
    }
    now += 250ms;
  }
  int most = 0;
  for (std::size_t first = 0; first < ticks.size(); ++first) {
    int sum = 0;
    for (std::size_t i = first; i < ticks.size() && ticks[i].first < ticks[first].first + 1min;
         ++i) {
      sum += ticks[i].second;
    }
    most = std::max(most, sum);
  }
  EXPECT_EQ(most, 12);
  // And the cap is used, not starved: about 12 calls a minute over the half hour.
  int total = 0;
  for (const auto& tick : ticks) total += tick.second;
  EXPECT_GE(total, 12 * 29);
}

TEST(Pacer, GivesATickNoMoreCallsThanTheCapLeaves) {
  PacingOptions options;
  options.slurm_calls_per_minute = 7;
  Pacer pacer(options);
  EXPECT_EQ(pacer.budget(t0), 5);
  pacer.after_tick(t0, 5, TickOutcome::changed);
  EXPECT_EQ(pacer.budget(t0 + 3s), 2);
  pacer.after_tick(t0 + 3s, 2, TickOutcome::changed);
  EXPECT_EQ(pacer.budget(t0 + 6s), 0);
  EXPECT_EQ(pacer.next_tick(), t0 + 60s);
  EXPECT_EQ(pacer.budget(t0 + 60s + 1ms), 5);
}

}  // namespace
}  // namespace sortie::jobs

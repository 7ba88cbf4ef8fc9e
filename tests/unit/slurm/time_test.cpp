#include "sortie/slurm/time.hpp"

#include <gtest/gtest.h>

namespace sortie::slurm {
namespace {

using std::chrono::minutes;

TEST(FormatTimeLimit, WritesLimitsAsSlurmDoes) {
  EXPECT_EQ(format_time_limit(minutes(10)), "00:10:00");
  EXPECT_EQ(format_time_limit(minutes(60)), "01:00:00");
  EXPECT_EQ(format_time_limit(minutes(24 * 60)), "1-00:00:00");
  EXPECT_EQ(format_time_limit(minutes(7 * 24 * 60 + 90)), "7-01:30:00");
  EXPECT_EQ(format_time_limit(std::nullopt), "UNLIMITED");
}

TEST(FormatTimeLimit, RoundTripsThroughTheParser) {
  for (int value : {0, 1, 59, 61, 1439, 1440, 1441, 10081}) {
    auto parsed = parse_time_limit(format_time_limit(minutes(value)));
    ASSERT_TRUE(parsed);
    ASSERT_TRUE(*parsed);
    EXPECT_EQ(**parsed, minutes(value));
  }
}

}  // namespace
}  // namespace sortie::slurm

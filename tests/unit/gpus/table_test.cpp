#include "sortie/gpus/table.hpp"

#include <gtest/gtest.h>

namespace sortie::gpus {
namespace {

Availability sample() {
  Availability availability;
  availability.cluster = "sandbox";
  availability.queried_at = std::chrono::sys_days{std::chrono::November / 29 / 2026} +
                            std::chrono::hours{8} + std::chrono::minutes{40};
  availability.pending_untyped = 3;
  availability.gpu_types = {
      TypeAvailability{"h100", 16, 3, 11, 0, 2, 4, {{"h100-1", 8}, {"h100-2", 3}}},
      TypeAvailability{"l40", 2, 0, 0, 2, 0, 0, {}},
  };
  availability.partitions = {
      PartitionAvailability{"long", 0, {availability.gpu_types[0]}},
  };
  return availability;
}

TEST(GpuTable, FormatsIsoUtcTime) {
  EXPECT_EQ(iso8601_utc(sample().queried_at), "2026-11-29T08:40:00Z");
  EXPECT_EQ(iso8601_utc(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00Z");
}

TEST(GpuTable, RendersHeaderClusterTableAndPartitions) {
  const std::string table = render_table(sample());
  EXPECT_EQ(table,
            "GPUs on sandbox at 2026-11-29T08:40:00Z\n"
            "\n"
            "TYPE  TOTAL   USED   FREE  PWR-DOWN  UNAVAIL  PENDING  NODES-WITH-FREE\n"
            "h100     16      3     11         0        2        4  h100-1:8 h100-2:3\n"
            "l40       2      0      0         2        0        0  -\n"
            "pending GPUs of any type: 3\n"
            "\n"
            "partition long\n"
            "  TYPE  TOTAL   USED   FREE  PWR-DOWN  UNAVAIL  PENDING  NODES-WITH-FREE\n"
            "  h100     16      3     11         0        2        4  h100-1:8 h100-2:3\n");
}

TEST(GpuTable, SaysSoWhenThereAreNoGpus) {
  Availability empty;
  empty.cluster = "cpu-only";
  EXPECT_NE(render_table(empty).find("no GPUs"), std::string::npos);
}

}  // namespace
}  // namespace sortie::gpus

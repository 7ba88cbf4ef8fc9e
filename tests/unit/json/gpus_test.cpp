#include "sortie/json/gpus.hpp"

#include <gtest/gtest.h>

namespace sortie::json {
namespace {

gpus::Availability sample() {
  gpus::Availability availability;
  availability.cluster = "sandbox";
  availability.queried_at = std::chrono::sys_days{std::chrono::November / 29 / 2026} +
                            std::chrono::hours{8} + std::chrono::minutes{40};
  availability.pending_untyped = 3;
  availability.gpu_types = {
      gpus::TypeAvailability{"h100", 16, 3, 11, 2, 0, 4, {{"h100-1", 8}, {"h100-2", 3}}},
  };
  availability.partitions = {
      gpus::PartitionAvailability{"long", 1, {availability.gpu_types[0]}},
  };
  return availability;
}

TEST(GpusJson, RendersTheDocumentedShapeInOrder) {
  EXPECT_EQ(to_json(sample()), R"({
  "cluster": "sandbox",
  "queried_at": "2026-11-29T08:40:00Z",
  "pending_untyped": 3,
  "gpu_types": [
    {
      "type": "h100",
      "total": 16,
      "used": 3,
      "free": 11,
      "powered_down": 2,
      "unavailable": 0,
      "pending": 4,
      "nodes": [
        {
          "name": "h100-1",
          "free": 8
        },
        {
          "name": "h100-2",
          "free": 3
        }
      ]
    }
  ],
  "partitions": [
    {
      "name": "long",
      "pending_untyped": 1,
      "gpu_types": [
        {
          "type": "h100",
          "total": 16,
          "used": 3,
          "free": 11,
          "powered_down": 2,
          "unavailable": 0,
          "pending": 4,
          "nodes": [
            {
              "name": "h100-1",
              "free": 8
            },
            {
              "name": "h100-2",
              "free": 3
            }
          ]
        }
      ]
    }
  ]
})");
}

TEST(GpusJson, RendersEmptyListsAsArrays) {
  gpus::Availability empty;
  empty.cluster = "x";
  const std::string text = to_json(empty);
  EXPECT_NE(text.find("\"gpu_types\": []"), std::string::npos) << text;
  EXPECT_NE(text.find("\"partitions\": []"), std::string::npos) << text;
}

TEST(GpusJson, NeverThrowsOnInvalidUtf8) {
  gpus::Availability odd;
  odd.cluster = "bad\xff name";
  EXPECT_NO_THROW((void)to_json(odd));
}

}  // namespace
}  // namespace sortie::json

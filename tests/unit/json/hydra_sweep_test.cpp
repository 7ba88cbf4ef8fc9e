#include "sortie/json/hydra_sweep.hpp"

#include <gtest/gtest.h>

namespace sortie::json {
namespace {

TEST(HydraSweepJson, ListsEachJobWithItsIndexAndOverrides) {
  SweepPreviewReport report;
  report.config_dir = "examples/tiny-train/conf";
  report.config_name = "config";
  report.mode = hydra::SweepMode::paired;
  report.jobs = {{"lr=0.1", "model=large"}, {"lr=0.01", "model=small"}};
  EXPECT_EQ(to_json(report), R"({
  "config_dir": "examples/tiny-train/conf",
  "config_name": "config",
  "mode": "paired",
  "job_count": 2,
  "jobs": [
    {
      "index": 0,
      "overrides": [
        "lr=0.1",
        "model=large"
      ]
    },
    {
      "index": 1,
      "overrides": [
        "lr=0.01",
        "model=small"
      ]
    }
  ]
})");
}

TEST(HydraSweepJson, WritesNullForAnAppWithoutAPrimaryConfig) {
  SweepPreviewReport report;
  report.config_dir = "conf";
  report.jobs = {{}};
  EXPECT_EQ(to_json(report), R"({
  "config_dir": "conf",
  "config_name": null,
  "mode": "cartesian",
  "job_count": 1,
  "jobs": [
    {
      "index": 0,
      "overrides": []
    }
  ]
})");
}

}  // namespace
}  // namespace sortie::json

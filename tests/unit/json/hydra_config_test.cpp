#include "sortie/json/hydra_config.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "sortie/config/yaml_values.hpp"

namespace sortie::json {
namespace {

hydra::Value yaml(std::string_view text) {
  auto parsed = config::parse_yaml_value(text, "test.yaml");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed.value_or(hydra::Value{nullptr});
}

TEST(HydraConfigJson, WritesIntsAsIntegersAndFloatsWithAPointOrExponent) {
  EXPECT_EQ(to_json(yaml("{count: 3, ratio: 1.0, small: 1e-3, huge: 1e300, name: x, none: ~, "
                         "flag: on, items: [1, 2.5]}")),
            R"({
  "count": 3,
  "ratio": 1.0,
  "small": 0.001,
  "huge": 1e+300,
  "name": "x",
  "none": null,
  "flag": true,
  "items": [
    1,
    2.5
  ]
})");
}

TEST(HydraConfigJson, WritesNonFiniteFloatsAsTaggedObjects) {
  hydra::DictValue dict;
  dict.entries.emplace_back("up", hydra::Value{std::numeric_limits<double>::infinity()});
  dict.entries.emplace_back("down", hydra::Value{-std::numeric_limits<double>::infinity()});
  dict.entries.emplace_back("nan", hydra::Value{std::numeric_limits<double>::quiet_NaN()});
  EXPECT_EQ(to_json(hydra::Value{dict}), R"({
  "up": {
    "float": "inf"
  },
  "down": {
    "float": "-inf"
  },
  "nan": {
    "float": "nan"
  }
})");
}

TEST(HydraConfigJson, KeepsKeyOrderAndInterpolationsAsStrings) {
  EXPECT_EQ(to_json(yaml("zeta: ${alpha}\nalpha: 1\n")), R"({
  "zeta": "${alpha}",
  "alpha": 1
})");
}

TEST(HydraConfigJson, WritesACompositionWithChoicesAndDefaults) {
  hydra::Composition composition;
  composition.config = yaml("db: {driver: mysql}");
  composition.choices = {{"db", "mysql"}, {"logger", std::nullopt}};
  composition.defaults = {{"db/mysql", "config", "db", false, false},
                          {"config", std::nullopt, "", true, true}};
  composition.hydra_overrides = {"hydra.run.dir=out"};
  EXPECT_EQ(to_json(composition), R"({
  "config": {
    "db": {
      "driver": "mysql"
    }
  },
  "choices": {
    "db": "mysql",
    "logger": null
  },
  "defaults": [
    {
      "config_path": "db/mysql",
      "package": "db",
      "parent": "config",
      "is_self": false,
      "primary": false
    },
    {
      "config_path": "config",
      "package": "",
      "parent": null,
      "is_self": true,
      "primary": true
    }
  ],
  "hydra_overrides": [
    "hydra.run.dir=out"
  ],
  "warnings": []
})");
}

TEST(HydraConfigJson, WritesTheTreeWithTheChoices) {
  hydra::ConfigTree tree{{"config"}, {{"db", {"mysql", "pg"}}, {"server", {}}}};
  EXPECT_EQ(to_json(tree, {{"db", "pg"}}), R"({
  "primary_configs": [
    "config"
  ],
  "groups": [
    {
      "path": "db",
      "options": [
        "mysql",
        "pg"
      ]
    },
    {
      "path": "server",
      "options": []
    }
  ],
  "choices": {
    "db": "pg"
  }
})");
}

}  // namespace
}  // namespace sortie::json

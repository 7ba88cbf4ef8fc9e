#include "sortie/config/yaml_bounds.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "sortie/config/clusters.hpp"
#include "sortie/config/yaml_values.hpp"

namespace sortie::config {
namespace {

using ::testing::HasSubstr;

// Nine anchored lists, each of nine aliases of the one before: 9^9 (387 million) nodes once
// expanded, a few hundred bytes as written.
std::string billion_laughs(std::string_view indent = "") {
  std::string text = fmt::format("{}l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", indent);
  for (int level = 1; level <= 9; ++level) {
    std::string aliases;
    for (int i = 0; i < 9; ++i) aliases += fmt::format("{}*l{}", i ? ", " : "", level - 1);
    text += fmt::format("{}l{}: &l{} [{}]\n", indent, level, level, aliases);
  }
  return text;
}

TEST(YamlBounds, RefusesABillionLaughsInAHydraConfigNamingTheFileQuickly) {
  const auto start = std::chrono::steady_clock::now();
  auto value = parse_yaml_value(billion_laughs(), "conf/laughs.yaml");
  ASSERT_FALSE(value.has_value());
  EXPECT_EQ(value.error().code, core::ErrorCode::config_invalid);
  EXPECT_THAT(value.error().message, HasSubstr("conf/laughs.yaml:"));
  EXPECT_THAT(value.error().message,
              HasSubstr(fmt::format("more than {} nodes once its aliases are followed",
                                    k_max_yaml_nodes)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(YamlBounds, RefusesABillionLaughsInClustersYamlNamingTheFile) {
  auto clusters = parse_clusters("clusters: []\nlaughs:\n" + billion_laughs("  "),
                                 "/home/alice/.config/sortie/clusters.yaml");
  ASSERT_FALSE(clusters.has_value());
  EXPECT_THAT(clusters.error().message, HasSubstr("/home/alice/.config/sortie/clusters.yaml:"));
  EXPECT_THAT(clusters.error().message, HasSubstr("aliases are followed"));
}

TEST(YamlBounds, RefusesAnAliasInsideItsOwnAnchorWithItsLine) {
  for (const char* text : {"a: 1\nb: &b [1, *b]\n", "a: 1\nb: &b {c: *b}\n",
                           "a: 1\nb: &b\n  c:\n    d: [*b]\n"}) {
    auto value = parse_yaml_value(text, "conf/self.yaml");
    ASSERT_FALSE(value.has_value()) << text;
    EXPECT_THAT(value.error().message, HasSubstr("conf/self.yaml:2:")) << text;
    EXPECT_THAT(value.error().message, HasSubstr("contains an alias of itself")) << text;
  }
  auto clusters = parse_clusters("clusters: &c\n  - name: a\n    host: h\n    extra: *c\n",
                                 "clusters.yaml");
  ASSERT_FALSE(clusters.has_value());
  EXPECT_THAT(clusters.error().message, HasSubstr("clusters.yaml:1:"));
  EXPECT_THAT(clusters.error().message, HasSubstr("contains an alias of itself"));
}

TEST(YamlBounds, RefusesNestingDeeperThanTheLimit) {
  const std::string deep = std::string(k_max_yaml_depth + 1, '[') + "1" +
                           std::string(k_max_yaml_depth + 1, ']');
  auto value = parse_yaml_value(deep, "conf/deep.yaml");
  ASSERT_FALSE(value.has_value());
  EXPECT_THAT(value.error().message, HasSubstr(fmt::format("more than {} deep", k_max_yaml_depth)));
  const std::string at_limit =
      std::string(k_max_yaml_depth, '[') + "1" + std::string(k_max_yaml_depth, ']');
  EXPECT_TRUE(parse_yaml_value(at_limit, "conf/deep.yaml").has_value());
}

TEST(YamlBounds, RefusesAHundredThousandDeepDocumentWithoutCrashing) {
  auto value = parse_yaml_value(std::string(100'000, '[') + std::string(100'000, ']'), "deep.yaml");
  ASSERT_FALSE(value.has_value());
  EXPECT_THAT(value.error().message, HasSubstr("deep.yaml:"));
}

TEST(YamlBounds, KeepsOrdinaryAliasesAndMergeKeys) {
  auto value = parse_yaml_value(
      "base: &base {lr: 0.1, layers: [1, 2]}\nrun:\n  <<: *base\n  seed: 1\nother: *base\n",
      "conf/config.yaml");
  ASSERT_TRUE(value.has_value()) << value.error().message;
  EXPECT_TRUE(check_yaml_bounds(YAML::Load("a: &a [1, 2]\nb: [*a, *a]\n"), "x.yaml").has_value());
}

}  // namespace
}  // namespace sortie::config

#include "sortie/config/yaml_values.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sortie::config {
namespace {

using hydra::DictValue;
using hydra::ListValue;
using hydra::Value;
using ::testing::HasSubstr;

// The value of `key: <scalar>` parsed from one line.
Value scalar(const std::string& text) {
  auto parsed = parse_yaml_value("key: " + text + "\n", "test.yaml");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return std::get<DictValue>(parsed->data).entries.at(0).second;
}

TEST(YamlValues, ReadsYaml11BooleansInEveryCommonCase) {
  for (const char* word : {"yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})
    EXPECT_EQ(scalar(word), Value{true}) << word;
  for (const char* word : {"no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})
    EXPECT_EQ(scalar(word), Value{false}) << word;
  EXPECT_EQ(scalar("yEs"), Value{std::string("yEs")});
  EXPECT_EQ(scalar("y"), Value{std::string("y")});
}

TEST(YamlValues, ReadsIntsInDecimalHexOctalAndBinaryWithUnderscores) {
  EXPECT_EQ(scalar("42"), Value{std::int64_t{42}});
  EXPECT_EQ(scalar("-7"), Value{std::int64_t{-7}});
  EXPECT_EQ(scalar("+3"), Value{std::int64_t{3}});
  EXPECT_EQ(scalar("1_000_000"), Value{std::int64_t{1000000}});
  EXPECT_EQ(scalar("0x1F"), Value{std::int64_t{31}});
  EXPECT_EQ(scalar("017"), Value{std::int64_t{15}});
  EXPECT_EQ(scalar("0b101"), Value{std::int64_t{5}});
  EXPECT_EQ(scalar("0"), Value{std::int64_t{0}});
  EXPECT_EQ(scalar("08"), Value{std::string("08")});
}

TEST(YamlValues, ReadsFloatsAsOmegaConfDoesIncludingExponentsWithoutADot) {
  EXPECT_EQ(scalar("1e-3"), Value{0.001});
  EXPECT_EQ(scalar("1E3"), Value{1000.0});
  EXPECT_EQ(scalar("1.5"), Value{1.5});
  EXPECT_EQ(scalar("1."), Value{1.0});
  EXPECT_EQ(scalar(".5"), Value{0.5});
  EXPECT_EQ(scalar("-2.5e+2"), Value{-250.0});
  EXPECT_EQ(scalar("1_0.5"), Value{10.5});
  EXPECT_EQ(scalar(".inf"), Value{std::numeric_limits<double>::infinity()});
  EXPECT_EQ(scalar("-.Inf"), Value{-std::numeric_limits<double>::infinity()});
  EXPECT_TRUE(std::isnan(std::get<double>(scalar(".nan").data)));
  EXPECT_EQ(scalar("1e"), Value{std::string("1e")});
  EXPECT_EQ(scalar("1.2.3"), Value{std::string("1.2.3")});
  EXPECT_EQ(scalar("inf"), Value{std::string("inf")});
}

TEST(YamlValues, ReadsNullFromTildeNullAndAnEmptyValue) {
  EXPECT_EQ(scalar("~"), Value{nullptr});
  EXPECT_EQ(scalar("null"), Value{nullptr});
  EXPECT_EQ(scalar("NULL"), Value{nullptr});
  EXPECT_EQ(scalar(""), Value{nullptr});
}

TEST(YamlValues, KeepsQuotedScalarsInterpolationsAndMissingAsStrings) {
  EXPECT_EQ(scalar("'yes'"), Value{std::string("yes")});
  EXPECT_EQ(scalar("\"42\""), Value{std::string("42")});
  EXPECT_EQ(scalar("'null'"), Value{std::string("null")});
  EXPECT_EQ(scalar("${oc.env:HOME}/data"), Value{std::string("${oc.env:HOME}/data")});
  EXPECT_EQ(scalar("???"), Value{std::string("???")});
  EXPECT_EQ(scalar("2024-01-01"), Value{std::string("2024-01-01")});
}

TEST(YamlValues, HonoursStandardTags) {
  EXPECT_EQ(scalar("!!str 42"), Value{std::string("42")});
  EXPECT_EQ(scalar("!!float 1"), Value{1.0});
  EXPECT_EQ(scalar("!!int \"7\""), Value{std::int64_t{7}});
}

TEST(YamlValues, KeepsKeyOrderAndNesting) {
  auto parsed = parse_yaml_value("zeta: 1\nalpha:\n  b: [1, two]\n  a: {x: 1.0}\n", "t.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  DictValue inner;
  inner.entries.emplace_back("b",
                             Value{ListValue{{Value{std::int64_t{1}}, Value{std::string("two")}}}});
  DictValue x;
  x.entries.emplace_back("x", Value{1.0});
  inner.entries.emplace_back("a", Value{x});
  DictValue expected;
  expected.entries.emplace_back("zeta", Value{std::int64_t{1}});
  expected.entries.emplace_back("alpha", Value{inner});
  EXPECT_EQ(*parsed, Value{expected});
}

TEST(YamlValues, AppliesMergeKeysWithoutOverwritingTheMappingsOwnKeys) {
  auto parsed =
      parse_yaml_value("base: &base {a: 1, b: 2}\nchild:\n  <<: *base\n  b: 3\n", "t.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const auto& child = std::get<DictValue>(std::get<DictValue>(parsed->data).entries[1].second.data);
  ASSERT_EQ(child.entries.size(), 2u);
  EXPECT_EQ(child.entries[0].first, "b");
  EXPECT_EQ(child.entries[0].second, Value{std::int64_t{3}});
  EXPECT_EQ(child.entries[1].first, "a");
}

TEST(YamlValues, ReadsAnEmptyFileAsNull) {
  auto parsed = parse_yaml_value("# only a comment\n", "empty.yaml");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, Value{nullptr});
}

TEST(YamlValues, NamesFileLineAndColumnOfASyntaxError) {
  auto parsed = parse_yaml_value("a: 1\nb: [unclosed\n", "conf/bad.yaml");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, core::ErrorCode::config_invalid);
  EXPECT_THAT(parsed.error().message, HasSubstr("conf/bad.yaml:"));
}

TEST(YamlValues, RejectsDuplicateKeysNamingTheSecondOne) {
  auto parsed = parse_yaml_value("a: 1\nb: 2\na: 3\n", "dup.yaml");
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message, HasSubstr("dup.yaml:3:1: found duplicate key 'a'"));
}

TEST(YamlValues, RejectsIntsThatDoNotFitIn64Bits) {
  auto parsed = parse_yaml_value("big: 99999999999999999999\n", "big.yaml");
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message, HasSubstr("big.yaml:1:6: the integer"));
}

TEST(YamlValues, RejectsSeveralDocuments) {
  auto parsed = parse_yaml_value("a: 1\n---\nb: 2\n", "two.yaml");
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message, HasSubstr("single document"));
}

TEST(YamlValues, RejectsUnknownTags) {
  auto parsed = parse_yaml_value("a: !!python/tuple [1, 2]\n", "tag.yaml");
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message, HasSubstr("tag.yaml:1:4: unsupported tag"));
}

}  // namespace
}  // namespace sortie::config

namespace sortie::config {
namespace {

Value read(std::string_view text) {
  auto parsed = parse_yaml_value(text, "test.yaml");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed.value_or(Value{nullptr});
}

TEST(ToYaml, WritesNestedDictsAndListsAsBlocksInOrder) {
  EXPECT_EQ(to_yaml(read("model: {name: small, hidden: 4}\ntags: [a, b]\nempty: {}\nnone: []\n")),
            "model:\n  name: small\n  hidden: 4\ntags:\n  - a\n  - b\nempty: {}\nnone: []\n");
}

TEST(ToYaml, WritesFloatsAsPythonAndNonFiniteOnesAsYaml) {
  EXPECT_EQ(to_yaml(read("a: 1.0\nb: 1e-5\nc: .inf\nd: -.inf\ne: .nan\nf: 0.1\n")),
            "a: 1.0\nb: 1e-05\nc: .inf\nd: -.inf\ne: .nan\nf: 0.1\n");
}

TEST(ToYaml, QuotesStringsThatWouldReadBackAsSomethingElse) {
  const Value value = read(
      "a: '1'\nb: 'yes'\nc: 'null'\nd: ''\ne: '1e-3'\nf: plain text\ng: ${x.y}\nh: ???\n"
      "i: 'a: b'\n");
  const std::string text = to_yaml(value);
  EXPECT_EQ(read(text), value) << text;
  EXPECT_THAT(text, HasSubstr("a: \"1\"\n"));
  EXPECT_THAT(text, HasSubstr("b: \"yes\"\n"));
  EXPECT_THAT(text, HasSubstr("f: plain text\n"));
}

TEST(ToYaml, WritesBoolsIntsAndNullsPlainly) {
  EXPECT_EQ(to_yaml(read("a: true\nb: -3\nc: ~\n")), "a: true\nb: -3\nc: ~\n");
}

}  // namespace
}  // namespace sortie::config

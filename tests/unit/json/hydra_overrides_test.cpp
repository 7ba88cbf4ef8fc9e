#include "sortie/json/hydra_overrides.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/sweep.hpp"

namespace sortie::json {
namespace {

HydraOverrideReport report(const std::string& input) {
  HydraOverrideReport result{input, hydra::parse_override(input)};
  if (result.parsed) result.jobs = hydra::expand_override(*result.parsed);
  return result;
}

TEST(HydraOverridesJson, RendersAnElementOverrideInTheDocumentedShape) {
  EXPECT_EQ(to_json({report("db@backup=mysql")}), R"([
  {
    "input": "db@backup=mysql",
    "kind": "change",
    "key": "db",
    "package": "backup",
    "value_type": "element",
    "value": "mysql",
    "sweep": [
      "db@backup=mysql"
    ]
  }
])");
}

TEST(HydraOverridesJson, RendersARangeSweepWithItsJobs) {
  EXPECT_EQ(to_json({report("+lr=range(0,1,0.5)")}), R"json([
  {
    "input": "+lr=range(0,1,0.5)",
    "kind": "add",
    "key": "lr",
    "package": null,
    "value_type": "range_sweep",
    "value": {
      "start": 0,
      "stop": 1,
      "step": 0.5,
      "shuffle": false,
      "tags": []
    },
    "sweep": [
      "+lr=0.0",
      "+lr=0.5"
    ]
  }
])json");
}

TEST(HydraOverridesJson, ReportsAnInputThatDoesNotParse) {
  const std::string text = to_json({report("db")});
  EXPECT_NE(text.find(R"("input": "db",)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("error": "Error parsing override 'db': missing EQUAL at '<EOF>')"),
            std::string::npos)
      << text;
}

TEST(HydraOverridesJson, GivesNoSweepAndSaysWhyForAnInterval) {
  const std::string text = to_json({report("lr=tag(log,interval(0,1))")});
  EXPECT_NE(text.find(R"("value_type": "interval_sweep")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("start": 0.0,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("sweep": null,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("sweep_error": "BasicSweeper does not support)"), std::string::npos)
      << text;
}

TEST(HydraOverridesJson, DescribesAChoiceSweepAndABareDelete) {
  const std::string text = to_json({report("x=choice(a,1)"), report("~db")});
  EXPECT_NE(text.find(R"("value_type": "choice_sweep")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("choices": [)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("kind": "delete")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("value": null,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("~db=null")"), std::string::npos) << text;
}

TEST(HydraOverridesJson, KeepsFloatsDistinctFromIntsAndSpellsOutNonFiniteOnes) {
  using hydra::Value;
  EXPECT_EQ(to_json(Value{1.0}, Layout::compact), "1.0");
  EXPECT_EQ(to_json(Value{std::int64_t{1}}, Layout::compact), "1");
  EXPECT_EQ(to_json(Value{1e-5}, Layout::compact), "1e-05");
  EXPECT_EQ(to_json(Value{std::numeric_limits<double>::infinity()}, Layout::compact),
            R"({"float":"inf"})");
  EXPECT_EQ(to_json(Value{-std::numeric_limits<double>::infinity()}, Layout::compact),
            R"({"float":"-inf"})");
  EXPECT_EQ(to_json(Value{std::numeric_limits<double>::quiet_NaN()}, Layout::compact),
            R"({"float":"nan"})");
}

TEST(HydraOverridesJson, WritesContainersInOrder) {
  auto parsed = hydra::parse_value("{b:[1,true,null],a:'x'}");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(to_json(std::get<hydra::Value>(*parsed), Layout::compact),
            R"({"b":[1,true,null],"a":"x"})");
}

}  // namespace
}  // namespace sortie::json

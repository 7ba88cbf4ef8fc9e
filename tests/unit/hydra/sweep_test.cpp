#include "sortie/hydra/sweep.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "sortie/hydra/functions.hpp"
#include "sortie/hydra/grammar.hpp"

namespace sortie::hydra {
namespace {

using Jobs = std::vector<std::vector<std::string>>;

std::vector<Override> parsed(const std::vector<std::string>& inputs) {
  auto overrides = parse_overrides(inputs);
  EXPECT_TRUE(overrides.has_value()) << (overrides ? "" : overrides.error().message);
  return overrides ? *overrides : std::vector<Override>{};
}

std::vector<std::string> values_of(const std::string& input, const SweepOptions& options = {}) {
  auto expanded = expand_override(parsed({input}).front(), options);
  EXPECT_TRUE(expanded.has_value()) << (expanded ? "" : expanded.error().message);
  return expanded ? *expanded : std::vector<std::string>{};
}

std::string error_of(const core::Result<Jobs>& jobs) {
  return jobs ? std::string("(no error)") : jobs.error().message;
}

// The example in basic_sweeper.py's docstring.
TEST(HydraSweep, VariesTheFirstSweptKeySlowest) {
  auto jobs = expand_jobs(parsed({"a=1,2,3", "b=10,20"}));
  ASSERT_TRUE(jobs.has_value());
  EXPECT_EQ(*jobs, (Jobs{{"a=1", "b=10"},
                         {"a=1", "b=20"},
                         {"a=2", "b=10"},
                         {"a=2", "b=20"},
                         {"a=3", "b=10"},
                         {"a=3", "b=20"}}));
}

TEST(HydraSweep, IncludesOverridesThatAreNotSweptInEveryJobInTheirPlace) {
  auto jobs = expand_jobs(parsed({"db=mysql", "lr=0.1,0.01", "~cache", "+extra=[1, 2]"}));
  ASSERT_TRUE(jobs.has_value());
  EXPECT_EQ(*jobs, (Jobs{{"db=mysql", "lr=0.1", "~cache=null", "+extra=[1,2]"},
                         {"db=mysql", "lr=0.01", "~cache=null", "+extra=[1,2]"}}));
}

TEST(HydraSweep, LetsALaterOverrideOfTheSameKeyReplaceTheEarlierInItsPlace) {
  auto jobs = expand_jobs(parsed({"a=1,2", "b=x", "a=3"}));
  ASSERT_TRUE(jobs.has_value());
  EXPECT_EQ(*jobs, (Jobs{{"a=3", "b=x"}}));
}

TEST(HydraSweep, KeepsTheKeyElementOfEachJob) {
  EXPECT_EQ(values_of("+db@backup=a,b"),
            (std::vector<std::string>{"+db@backup=a", "+db@backup=b"}));
  EXPECT_EQ(values_of("~db=a,b"), (std::vector<std::string>{"~db=a", "~db=b"}));
}

TEST(HydraSweep, RendersEachChoiceAsHydraDoes) {
  EXPECT_EQ(values_of("flag=true,false"), (std::vector<std::string>{"flag=True", "flag=False"}));
  EXPECT_EQ(values_of("x='a b',\"1\",null,1.0"),
            (std::vector<std::string>{"x=a\\ b", "x='1'", "x=null", "x=1.0"}));
  EXPECT_EQ(values_of("x=[a,b],[c]"), (std::vector<std::string>{"x=[a,b]", "x=[c]"}));
}

TEST(HydraSweep, ExpandsIntRangesAsPythonRange) {
  EXPECT_EQ(values_of("n=range(3)"), (std::vector<std::string>{"n=0", "n=1", "n=2"}));
  EXPECT_EQ(values_of("n=range(0,5,2)"), (std::vector<std::string>{"n=0", "n=2", "n=4"}));
  EXPECT_EQ(values_of("n=range(-5,step=-2)"), (std::vector<std::string>{"n=0", "n=-2", "n=-4"}));
  EXPECT_TRUE(values_of("n=range(5,1)").empty());
}

// Hydra's FloatRange steps with decimal.Decimal from the exact binary values; the figures are
// what Python prints for list(FloatRange(...)).
TEST(HydraSweep, ExpandsFloatRangesWithHydrasDecimalSteps) {
  EXPECT_EQ(values_of("x=range(0,1,0.1)"),
            (std::vector<std::string>{"x=0.0", "x=0.1", "x=0.2", "x=0.3", "x=0.4", "x=0.5", "x=0.6",
                                      "x=0.7000000000000001", "x=0.8", "x=0.9"}));
  EXPECT_EQ(values_of("x=range(0,10,3.3)"),
            (std::vector<std::string>{"x=0.0", "x=3.3", "x=6.6", "x=9.9"}));
  EXPECT_EQ(values_of("x=range(1.0,0.0,-0.25)"),
            (std::vector<std::string>{"x=1.0", "x=0.75", "x=0.5", "x=0.25"}));
  EXPECT_EQ(values_of("x=range(0.1,0.7,0.2)"),
            (std::vector<std::string>{"x=0.1", "x=0.30000000000000004", "x=0.5"}));
  EXPECT_EQ(values_of("x=float(range(1,3))"), (std::vector<std::string>{"x=1.0", "x=2.0"}));
}

TEST(HydraSweep, FailsOnARangeWithAZeroStep) {
  auto expanded = expand_override(parsed({"n=range(1,5,0)"}).front());
  ASSERT_FALSE(expanded.has_value());
  EXPECT_NE(expanded.error().message.find("range() arg 3 must not be zero"), std::string::npos);
}

TEST(HydraSweep, SortsAndReversesSweeps) {
  EXPECT_EQ(values_of("x=sort(b,c,a)"), (std::vector<std::string>{"x=a", "x=b", "x=c"}));
  EXPECT_EQ(values_of("x=sort(range(0,5,2),reverse=true)"),
            (std::vector<std::string>{"x=4", "x=2", "x=0"}));
}

TEST(HydraSweep, ShufflesTheSameWayForTheSameSeedAndKeepsEveryValue) {
  const SweepOptions seeded{.group_options = {}, .shuffle_seed = 42, .max_jobs = 100};
  const auto first = values_of("x=shuffle(range(20))", seeded);
  EXPECT_EQ(first, values_of("x=shuffle(range(20))", seeded));
  auto sorted_values = first;
  std::sort(sorted_values.begin(), sorted_values.end());
  auto plain = values_of("x=range(20)");
  std::sort(plain.begin(), plain.end());
  EXPECT_EQ(sorted_values, plain);
  EXPECT_NE(first, values_of("x=range(20)"));
}

// extended.md "Glob choice sweep": the group schema has school, support and warehouse.
TEST(HydraSweep, ExpandsGlobsOverTheGroupsOptionsInSortedOrder) {
  const std::map<std::string, std::vector<std::string>, std::less<>> groups = {
      {"schema", {"warehouse", "school", "support"}}};
  const SweepOptions options{.group_options =
                                 [&](std::string_view group) {
                                   auto found = groups.find(group);
                                   return found == groups.end() ? std::vector<std::string>{}
                                                                : found->second;
                                 },
                             .shuffle_seed = 0,
                             .max_jobs = k_max_jobs};
  EXPECT_EQ(values_of("schema=glob(*)", options),
            (std::vector<std::string>{"schema=school", "schema=support", "schema=warehouse"}));
  EXPECT_EQ(values_of("schema=glob(*,exclude=support)", options),
            (std::vector<std::string>{"schema=school", "schema=warehouse"}));
  EXPECT_EQ(values_of("schema=glob([s*,w*],exclude=school)", options),
            (std::vector<std::string>{"schema=support", "schema=warehouse"}));
  EXPECT_EQ(values_of("schema=glob(s?pport)", options),
            (std::vector<std::string>{"schema=support"}));
}

TEST(HydraSweep, SaysAGlobNeedsTheGroupsOptions) {
  auto expanded = expand_override(parsed({"schema=glob(*)"}).front());
  ASSERT_FALSE(expanded.has_value());
  EXPECT_NE(expanded.error().message.find("config group 'schema'"), std::string::npos);
}

TEST(HydraSweep, RefusesIntervalsAsTheBasicSweeperDoes) {
  auto jobs = expand_jobs(parsed({"lr=interval(0,1)"}));
  EXPECT_NE(error_of(jobs).find("BasicSweeper does not support sweep type : INTERVAL_SWEEP"),
            std::string::npos)
      << error_of(jobs);
}

TEST(HydraSweep, PairsSweepsElementByElement) {
  auto jobs = expand_jobs(parsed({"seed=1,2,3", "fixed=x", "lr=range(3)"}), SweepMode::paired);
  ASSERT_TRUE(jobs.has_value());
  EXPECT_EQ(*jobs, (Jobs{{"seed=1", "fixed=x", "lr=0"},
                         {"seed=2", "fixed=x", "lr=1"},
                         {"seed=3", "fixed=x", "lr=2"}}));
}

TEST(HydraSweep, NamesEachKeyAndLengthWhenPairedSweepsDiffer) {
  auto jobs = expand_jobs(parsed({"seed=1,2,3", "lr=0.1,0.2"}), SweepMode::paired);
  EXPECT_EQ(error_of(jobs),
            "paired sweeps must all have the same number of values, but seed has 3, lr has 2");
}

TEST(HydraSweep, RunsOneJobWhenNothingIsSwept) {
  auto jobs = expand_jobs(parsed({"a=1", "b=2"}));
  ASSERT_TRUE(jobs.has_value());
  EXPECT_EQ(*jobs, (Jobs{{"a=1", "b=2"}}));
  EXPECT_EQ(*expand_jobs(parsed({"a=1"}), SweepMode::paired), (Jobs{{"a=1"}}));
}

TEST(HydraSweep, RunsNoJobWhenASweepIsEmpty) {
  auto jobs = expand_jobs(parsed({"a=1,2", "b=range(0)"}));
  ASSERT_TRUE(jobs.has_value());
  EXPECT_TRUE(jobs->empty());
}

TEST(HydraSweep, RefusesMoreJobsThanTheLimit) {
  const SweepOptions small{.group_options = {}, .shuffle_seed = 0, .max_jobs = 1000};
  EXPECT_TRUE(expand_jobs(parsed({"a=range(10)", "b=range(100)"}), SweepMode::cartesian, small));
  auto jobs = expand_jobs(parsed({"a=range(10)", "b=range(101)"}), SweepMode::cartesian, small);
  EXPECT_EQ(error_of(jobs),
            "the sweep (10 (a) x 101 (b)) would make 1010 jobs; at most 1000: sweep fewer values "
            "or fewer keys");
  auto huge = expand_jobs(parsed({"a=range(100000)", "b=range(100000)", "c=range(100000)"}));
  EXPECT_FALSE(huge.has_value());
}

// config_loader_impl.py validate_sweep_overrides_legal, RunMode.RUN.
TEST(HydraSweep, SaysASimpleSweepIsAmbiguousWithoutMultirun) {
  auto checked = check_single_run(parsed({"db=mysql", "x=1,2"}));
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().message,
            "Ambiguous value for argument 'x=1,2'\n"
            "1. To use it as a list, use key=[value1,value2]\n"
            "2. To use it as string, quote the value: key=\\'value1,value2\\'\n"
            "3. To sweep over it, add --multirun to your command line");
  auto from_code = check_single_run(parsed({"x=1,2"}), OverrideSource::code);
  EXPECT_NE(from_code.error().message.find("key='value1,value2'"), std::string::npos);
}

TEST(HydraSweep, SaysOtherSweepsRequireMultirun) {
  auto checked = check_single_run(parsed({"x=range(3)"}));
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().message, "Sweep parameters 'x=range(3)' requires --multirun");
  EXPECT_TRUE(check_single_run(parsed({"x=[1,2]", "y='1,2'", "z=sort([2,1])"})).has_value());
}

TEST(HydraSweep, RefusesSweepsOverHydrasOwnConfiguration) {
  auto checked = check_multirun(parsed({"hydra.verbose=true,false"}));
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().message,
            "Sweeping over Hydra's configuration is not supported : 'hydra.verbose=true,false'");
  EXPECT_FALSE(check_multirun(parsed({"hydra/launcher=a,b"})).has_value());
  EXPECT_TRUE(check_multirun(parsed({"hydra.verbose=true", "db=a,b"})).has_value());
}

TEST(HydraSweep, RefusesARangeOfATrillionValuesBeforeMakingAny) {
  auto as_int = expand_override(parsed({"x=range(0,1000000000000)"}).front());
  ASSERT_FALSE(as_int.has_value());
  EXPECT_NE(as_int.error().message.find(
                "range(0,1000000000000,1) would make 1000000000000 values; at most 10000"),
            std::string::npos)
      << as_int.error().message;
  auto as_float = expand_override(parsed({"x=range(0,1e12)"}).front());
  ASSERT_FALSE(as_float.has_value());
  EXPECT_NE(as_float.error().message.find("would make about 1000000000000 values; at most 10000"),
            std::string::npos)
      << as_float.error().message;
  auto widest = expand_override(
      parsed({"x=range(-9223372036854775808,9223372036854775807)"}).front());
  ASSERT_FALSE(widest.has_value());
  EXPECT_NE(widest.error().message.find("would make 18446744073709551615 values"),
            std::string::npos)
      << widest.error().message;
  auto tiny_step = expand_override(parsed({"x=range(0.0,1.0,1e-300)"}).front());
  ASSERT_FALSE(tiny_step.has_value());
  EXPECT_NE(tiny_step.error().message.find("more than 2^64 values"), std::string::npos)
      << tiny_step.error().message;
}

TEST(HydraSweep, CountsFloatRangesExactlyAsHydraEnumeratesThem) {
  struct Case {
    const char* input;
    std::uint64_t count;
  };
  // Decimal steps from the exact binary values: ten steps of 0.1 pass 1.0, where summing
  // doubles would stop at 0.9999999999999999 and make eleven.
  for (const auto& [input, count] : {Case{"x=range(0,1,0.1)", 10}, Case{"x=range(0.0,0.3,0.1)", 3},
                                     Case{"x=range(0.1,0.7,0.2)", 3}, Case{"x=range(1.0,0.0,-0.25)", 4},
                                     Case{"x=range(0,10,3.3)", 4}, Case{"x=range(0.0,1000.0,0.1)", 10000},
                                     Case{"x=range(5.0,1.0)", 0}}) {
    const auto overrides = parsed({input});
    const auto& range = std::get<RangeSweep>(*overrides.front().value);
    auto size = range_size(range, k_max_jobs);
    ASSERT_TRUE(size.has_value()) << input;
    EXPECT_EQ(size->count, count) << input;
    EXPECT_EQ(size->precision, SweepSize::Precision::exact) << input;
    EXPECT_EQ(values_of(input).size(), count) << input;
  }
}

TEST(HydraSweep, TakesAFloatRangeOfExactlyTheLimitAndRefusesOneMore) {
  EXPECT_EQ(values_of("x=range(0.0,1000.0,0.1)").size(), k_max_jobs);
  auto one_more = expand_override(parsed({"x=range(0.0,1000.1,0.1)"}).front());
  ASSERT_FALSE(one_more.has_value());
  EXPECT_NE(one_more.error().message.find("would make 10001 values; at most 10000"),
            std::string::npos)
      << one_more.error().message;
}

TEST(HydraSweep, RefusesAProductOfEightSweepsOfAThousandBeforeMakingAnyJob) {
  std::vector<std::string> inputs;
  for (int key = 0; key < 8; ++key) inputs.push_back(fmt::format("k{}=range(1000)", key));
  auto jobs = expand_jobs(parsed(inputs));
  ASSERT_FALSE(jobs.has_value());
  EXPECT_NE(error_of(jobs).find("1000 (k0) x 1000 (k1)"), std::string::npos) << error_of(jobs);
  EXPECT_NE(error_of(jobs).find("would make more than 2^64 jobs; at most 10000"),
            std::string::npos)
      << error_of(jobs);
  auto squared = expand_jobs(parsed({"a=range(9000)", "b=range(9000)"}));
  ASSERT_FALSE(squared.has_value());
  EXPECT_NE(error_of(squared).find("would make 81000000 jobs; at most 10000"), std::string::npos);
}

TEST(HydraSweep, HoldsTheLimitWhateverMaxJobsAsksFor) {
  const SweepOptions generous{.group_options = {}, .shuffle_seed = 0, .max_jobs = 1'000'000};
  auto jobs = expand_jobs(parsed({"a=range(200)", "b=range(200)"}), SweepMode::cartesian, generous);
  ASSERT_FALSE(jobs.has_value());
  EXPECT_NE(error_of(jobs).find("would make 40000 jobs; at most 10000"), std::string::npos);
}

TEST(HydraSweep, RefusesAChoiceOrAGlobOfMoreValuesThanTheLimit) {
  std::string choices = "x=0";
  for (std::size_t value = 1; value <= k_max_jobs; ++value) choices += fmt::format(",{}", value);
  auto expanded = expand_override(parsed({choices}).front());
  ASSERT_FALSE(expanded.has_value());
  EXPECT_NE(expanded.error().message.find("would make 10001 values; at most 10000"),
            std::string::npos);
  EXPECT_LT(expanded.error().message.size(), 400u);

  std::vector<std::string> options;
  for (std::size_t option = 0; option <= k_max_jobs; ++option)
    options.push_back(fmt::format("option{}", option));
  const SweepOptions many{.group_options = [&](std::string_view) { return options; },
                          .shuffle_seed = 0,
                          .max_jobs = k_max_jobs};
  auto globbed = expand_override(parsed({"db=glob(*)"}).front(), many);
  ASSERT_FALSE(globbed.has_value());
  EXPECT_NE(globbed.error().message.find("'db=glob(*)' would make 10001 values"),
            std::string::npos)
      << globbed.error().message;
  EXPECT_EQ(values_of("db=glob(option1)", many), (std::vector<std::string>{"db=option1"}));
}

TEST(HydraSweep, RefusesToSortMoreValuesThanTheLimitAndReversesHugeIntRangesWithoutMakingThem) {
  std::string choices = "x=sort(0";
  for (std::size_t value = 1; value <= k_max_jobs; ++value) choices += fmt::format(",{}", value);
  auto sorted = parse_override(choices + ")");
  ASSERT_FALSE(sorted.has_value());
  EXPECT_NE(sorted.error().message.find("sort() would make 10001 values; at most 10000"),
            std::string::npos);
  EXPECT_LT(sorted.error().message.size(), 1000u);

  auto reversed = parse_override("x=sort(range(0,1000000000000,2),reverse=true)");
  ASSERT_TRUE(reversed.has_value()) << reversed.error().message;
  const auto& range = std::get<RangeSweep>(*reversed->value);
  EXPECT_EQ(range.start, Value{std::int64_t{999'999'999'998}});
  EXPECT_EQ(range.step, Value{std::int64_t{-2}});
  EXPECT_FALSE(expand_override(*reversed).has_value());
}

TEST(HydraSweep, ExpandsTheOverridesOfOneRequestWithinOneBudget) {
  std::vector<core::Result<Override>> overrides;
  for (const char* input : {"a=range(6000)", "b", "c=1", "d=range(5000)", "e=range(4000)"})
    overrides.push_back(parse_override(input));
  auto sweeps = expand_overrides(overrides);
  ASSERT_EQ(sweeps.size(), 5u);
  ASSERT_TRUE(sweeps[0].has_value());
  EXPECT_EQ(sweeps[0]->size(), 6000u);
  ASSERT_FALSE(sweeps[1].has_value());
  EXPECT_NE(sweeps[1].error().message.find("missing EQUAL"), std::string::npos);
  EXPECT_EQ(*sweeps[2], (std::vector<std::string>{"c=1"}));
  ASSERT_FALSE(sweeps[3].has_value());
  EXPECT_NE(sweeps[3].error().message.find(
                "'d=range(5000)' would make 5000 values, but the sweeps before it made 6000 and "
                "one request may make at most 10000 in all"),
            std::string::npos)
      << sweeps[3].error().message;
  ASSERT_TRUE(sweeps[4].has_value());
  EXPECT_EQ(sweeps[4]->size(), 4000u);
}

}  // namespace
}  // namespace sortie::hydra

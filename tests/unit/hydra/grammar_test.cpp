#include "sortie/hydra/grammar.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "describe.hpp"

namespace sortie::hydra {
namespace {

using testing::describe;

// One override and what Hydra 1.3 makes of it, in the form of tests/unit/hydra/describe.hpp.
// An expectation starting with "error: " must appear in the error message.
struct Case {
  const char* input;
  const char* expected;
};

const Case k_cases[] = {
    // Basic Override syntax, "Modifying the Config Object" and "Modifying the Defaults List"
    // (website/versioned_docs/version-1.3/advanced/override_grammar/basic.md).
    {"foo.bar=value", R"(change foo.bar = "value")"},
    {"+foo.bar=value", R"(add foo.bar = "value")"},
    {"++foo.bar=value", R"(force_add foo.bar = "value")"},
    {"~foo.bar", "delete foo.bar"},
    {"~foo.bar=value", R"(delete foo.bar = "value")"},
    {"db=mysql", R"(change db = "mysql")"},
    {"server/db=mysql", R"(change server/db = "mysql")"},
    {"+db=mysql", R"(add db = "mysql")"},
    {"+server/db=mysql", R"(add server/db = "mysql")"},
    {"~db", "delete db"},
    {"~db=mysql", R"(delete db = "mysql")"},
    {"~server/db", "delete server/db"},
    {"~server/db=mysql", R"(delete server/db = "mysql")"},
    {"key=", R"(change key = "")"},
    {"+key=", R"(add key = "")"},

    // Keys (basic.md "Key"; OverrideParser.g4 `key: packageOrGroup (AT package)?`): 1.3 dropped
    // the pkg1:pkg2 rename, so the colon is where ANTLR inserts the missing `=`.
    {"group@pkg=opt", R"(change group@pkg = "opt")"},
    {"group@=opt", R"(change group@ = "opt")"},
    {"hydra/launcher@hydra.launcher=basic", R"(change hydra/launcher@hydra.launcher = "basic")"},
    {"group@pkg1:pkg2=opt", "error: missing EQUAL at ':'"},
    {"list.0=5", "change list.0 = 5"},
    {"a.b.0.c=x", R"(change a.b.0.c = "x")"},
    {"$foo=1", "change $foo = 1"},
    {"a.$b.c=1", "change a.$b.c = 1"},
    {"foo-bar=1", "change foo-bar = 1"},
    {"key", "error: missing EQUAL at '<EOF>'"},
    {"+key", "error: missing EQUAL at '<EOF>'"},
    {"a/b.c=1", "error: mismatched input 'b.c' expecting ID"},
    {"key =1", "error: token recognition error at: ' '"},

    // Quoted values (basic.md "Quoted values"), both quote kinds.
    {R"(key="hello there")", R"(change key = "hello there")"},
    {R"(key="escaped \"double quote\"")", R"(change key = "escaped "double quote"")"},
    {R"(key="the path is C:\\\"some folder\"\\")",
     R"(change key = "the path is C:\"some folder"\")"},
    {R"(key="1,2,3")", R"(change key = "1,2,3")"},
    {R"(key="{a:10} ${xyz}")", R"(change key = "{a:10} ${xyz}")"},
    {R"(key="'single quoted string'")", R"(change key = "'single quoted string'")"},
    {R"(key='hello there')", R"(change key = "hello there")"},
    {R"(key='escaped \'single quote\'')", R"(change key = "escaped 'single quote'")"},
    {R"(key='the path is C:\\\'some folder\'\\')",
     R"(change key = "the path is C:\'some folder'\")"},
    {R"(key='1,2,3')", R"(change key = "1,2,3")"},
    {R"(key='"double quoted string"')", R"(change key = ""double quoted string"")"},
    {R"(key='')", R"(change key = "")"},
    {R"(key='a\b')", R"(change key = "a\b")"},

    // Whitespace and escapes in unquoted values (basic.md).
    {"msg=hello world", R"(change msg = "hello world")"},
    {"msg=    hello world    ", R"(change msg = "hello world")"},
    {"msg=a b c\t-\t1 2 3", "change msg = \"a b c\t-\t1 2 3\""},
    {R"(dir=job\{a\=1\,b\=2\,c\=3\})", R"(change dir = "job{a=1,b=2,c=3}")"},
    {"dir=A[B", "error: extraneous input '['"},
    {R"(dir="A[B")", R"(change dir = "A[B")"},
    {R"(dir=A\[B)", R"(change dir = "A[B")"},
    {R"(x=a\ b)", R"(change x = "a b")"},
    {R"(x=\\)", R"(change x = "\")"},
    {R"(x=c:\foo\a-b.txt)", R"(change x = "c:\foo\a-b.txt")"},

    // Primitives (basic.md "Primitives"): constants are case-insensitive.
    {"x=oompa10", R"(change x = "oompa10")"},
    {"x=loompa_12", R"(change x = "loompa_12")"},
    {"x=null", "change x = null"},
    {"x=NULL", "change x = null"},
    {"x=Null", "change x = null"},
    {"x=10", "change x = 10"},
    {"x=-20", "change x = -20"},
    {"x=0", "change x = 0"},
    {"x=+7", "change x = 7"},
    {"x=1_000_000", "change x = 1000000"},
    {"x=3.14", "change x = 3.14"},
    {"x=-10e6", "change x = -10000000.0"},
    {"x=1e-3", "change x = 0.001"},
    {"x=10e0", "change x = 10.0"},
    {"x=1_000.5", "change x = 1000.5"},
    {"x=.5", "change x = 0.5"},
    {"x=5.", "change x = 5.0"},
    {"x=inf", "change x = inf"},
    {"x=-inf", "change x = -inf"},
    {"x=INF", "change x = inf"},
    {"x=nan", "change x = nan"},
    {"x=NaN", "change x = nan"},
    {"x=true", "change x = true"},
    {"x=TRUE", "change x = true"},
    {"x=trUe", "change x = true"},
    {"x=False", "change x = false"},
    {"x=foo.bar", R"(change x = "foo.bar")"},
    {"x=infinity", R"(change x = "infinity")"},
    {"x=123abc", R"(change x = "123abc")"},
    {"x=01", R"(change x = "01")"},
    {"x=1.5.3", R"(change x = "1.5.3")"},
    {"x=-abc", R"(change x = "-abc")"},
    {"x=a:b", R"(change x = "a:b")"},
    {"x=/path/to/*.txt", R"(change x = "/path/to/*.txt")"},

    // Interpolations are kept as strings (basic.md; test_overrides_parser.py
    // "value:str_interpolation").
    {"x=${foo.bar}", R"(change x = "${foo.bar}")"},
    {"x=${oc.env:USER,me}", R"(change x = "${oc.env:USER,me}")"},
    {"x=xyz_${a.b.c}", R"(change x = "xyz_${a.b.c}")"},
    {"x=/root/${name}", R"(change x = "/root/${name}")"},
    {"x=${a},${b}", R"(change x = sweep("${a}", "${b}"))"},

    // Dictionaries and lists (basic.md).
    {"foo=[1,2,3]", "change foo = [1, 2, 3]"},
    {"foo=[1, 2, 3]", "change foo = [1, 2, 3]"},
    {"foo=[]", "change foo = []"},
    {"nested=[a,[b,[c]]]", R"(change nested = ["a", ["b", ["c"]]])"},
    {"foo={a:10,b:20}", "change foo = {a: 10, b: 20}"},
    {"nested={a:10,b:{c:30,d:40}}", "change nested = {a: 10, b: {c: 30, d: 40}}"},
    {"foo={}", "change foo = {}"},
    {"foo={a: b c, d: [x]}", R"(change foo = {a: "b c", d: ["x"]})"},
    {"foo=['a b', \"c\"]", R"(change foo = ["a b", "c"])"},
    {"foo=[1,2", "error: no viable alternative at input '[1,2'"},
    {"key=[]aa", "error: extraneous input 'aa' expecting <EOF>"},
    {"key=[1,2,3]'", "error: token recognition error at: '''"},
    {"key=a=b", "error: extraneous input '=' expecting <EOF>"},

    // Sweeper syntax (basic.md "Sweeper syntax").
    {"key=a,b", R"(change key = sweep("a", "b"))"},
    {"key=1, 2, 3", "change key = sweep(1, 2, 3)"},
    {R"(key="a,b","c,d")", R"(change key = sweep("a,b", "c,d"))"},
    {"key=[a,b],[c,d]", R"(change key = sweep(["a", "b"], ["c", "d"]))"},
    {"key={a:10, b:20},{c:30,d:40}", "change key = sweep({a: 10, b: 20}, {c: 30, d: 40})"},
    {"+key=a,b", R"(add key = sweep("a", "b"))"},
    {"~key=a,b", R"(delete key = sweep("a", "b"))"},

    // Choice, glob, range, interval and tag (extended.md "Sweeps").
    {"db=mysql,postgresql", R"(change db = sweep("mysql", "postgresql"))"},
    {"db=choice(mysql,postgresql)", R"(change db = choice("mysql", "postgresql"))"},
    {"db=choice (a,b)", R"(change db = choice("a", "b"))"},
    {"x=choice( 10 , 20 )", "change x = choice(10, 20)"},
    {"x=choice(a)", R"(change x = choice("a"))"},
    {"x=choice()", "error: ValueError while evaluating 'choice()': empty choice is not legal"},
    {"x=choice(choice(a,b))",
     "error: ValueError while evaluating 'choice(choice(a,b))': nesting "
     "choices is not supported"},
    {"schema=glob(*)", "change schema = glob([*], [])"},
    {"schema=glob(*,exclude=support)", "change schema = glob([*], [support])"},
    {"schema=glob([s*,w*],exclude=school)", "change schema = glob([s*, w*], [school])"},
    {"num=range(5)", "change num = range(0, 5, 1)"},
    {"num=range(0,5)", "change num = range(0, 5, 1)"},
    {"num=range(0,5,2)", "change num = range(0, 5, 2)"},
    {"num=range(0,10,3.3)", "change num = range(0, 10, 3.3)"},
    {"num=range(-5,step=-1)", "change num = range(0, -5, -1)"},
    {"num=range(start=1,stop=10,step=2)", "change num = range(1, 10, 2)"},
    {"num=range(start=1,5)", "error: positional argument follows keyword argument"},
    {"num=range(a,b)",
     "error: TypeError while evaluating 'range(a,b)': mismatch type argument "
     "start: str is incompatible with Union[int, float]"},
    {"num=range()",
     "error: TypeError while evaluating 'range()': missing a required argument: "
     "'start'"},
    {"num=range(1,2,3,4)", "error: too many positional arguments"},
    {"num=range(1,foo=2)", "error: got an unexpected keyword argument 'foo'"},
    {"x=interval(1.0,5.0)", "change x = interval(1.0, 5.0)"},
    {"x=interval(1,5)", "change x = interval(1.0, 5.0)"},
    {"x=interval(start=2.72,end=3.14)", "change x = interval(2.72, 3.14)"},
    {"x=tag(log,interval(0,1))", "change x = interval(0.0, 1.0) tags=[log]"},
    {"x=tag(foo,bar,interval(0,1))", "change x = interval(0.0, 1.0) tags=[foo, bar]"},
    {"x=tag(foo,sweep=choice(a,b))", R"(change x = choice("a", "b") tags=[foo])"},
    {"x=tag(foo)", "error: Last argument to tag() must be a choice(), range() or interval()"},
    {"x=f(1)", "error: HydraException while evaluating 'f(1)': Unknown function 'f'"},

    // Reordering (extended.md "sort" and "shuffle"; test_overrides_parser.py test_value).
    {"x=sort(1,3,2)", "change x = sweep(1, 2, 3)"},
    {"x=sort(1,3,2,reverse=true)", "change x = sweep(3, 2, 1)"},
    {"x=sort(choice(1,2,3))", "change x = choice(1, 2, 3)"},
    {"x=sort(sweep=choice(3,1,2))", "change x = choice(1, 2, 3)"},
    {"x=sort(choice(1,2,3),reverse=true)", "change x = choice(3, 2, 1)"},
    {"x=sort(range(1,10),reverse=true)", "change x = range(9, 0, -1)"},
    {"x=sort(range(0,5,2),reverse=true)", "change x = range(4, -2, -2)"},
    {"x=sort(range(9,0,-1))", "change x = range(1, 10, 1)"},
    {"x=sort([1,3,2])", "change x = [1, 2, 3]"},
    {"x=sort(list=[1,3,2])", "change x = [1, 2, 3]"},
    {"x=sort(list=[1,3,2], reverse=true)", "change x = [3, 2, 1]"},
    {"x=sort(a,c,b,reverse=true)", R"(change x = sweep("c", "b", "a"))"},
    {"x=sort(1)", "change x = 1"},
    {"x=sort(3,2,str(1))",
     "error: TypeError while evaluating 'sort(3,2,str(1))': '<' not "
     "supported between instances of 'str' and 'int'"},
    {"x=float(sort(3,2,1))", "change x = sweep(1.0, 2.0, 3.0)"},
    {"x=shuffle(a,b,c)", R"(change x = shuffled sweep("a", "b", "c"))"},
    {"x=shuffle(choice(a,b,c))", R"(change x = shuffled choice("a", "b", "c"))"},
    {"x=shuffle(sweep=choice(a,b,c))", R"(change x = shuffled choice("a", "b", "c"))"},
    {"x=shuffle(range(1,10))", "change x = shuffled range(1, 10, 1)"},
    {"x=shuffle(5)", "change x = [5]"},

    // Type casting and the conversion matrix (extended.md "Type casting").
    {"x=int(3.14)", "change x = 3"},
    {"x=int(3.7)", "change x = 3"},
    {"x=int(-3.7)", "change x = -3"},
    {"x=int(value=3.14)", "change x = 3"},
    {"x=float(10)", "change x = 10.0"},
    {"x=str(10)", R"(change x = "10")"},
    {"x=bool(1)", "change x = true"},
    {"x=float(range(1,10))", "change x = range(1.0, 10.0, 1.0)"},
    {"x=str([1,2,3])", R"(change x = ["1", "2", "3"])"},
    {"x=str({a:10})", R"(change x = {a: "10"})"},
    {"x=int(10.0)", "change x = 10"},
    {"x=bool(0.0)", "change x = false"},
    {"x=str(10.0)", R"(change x = "10.0")"},
    {"x=str(1.0)", R"(change x = "1.0")"},
    {"x=int(inf)",
     "error: OverflowError while evaluating 'int(inf)': cannot convert float "
     "infinity to integer"},
    {"x=int(nan)",
     "error: ValueError while evaluating 'int(nan)': cannot convert float NaN to "
     "integer"},
    {"x=str(inf)", R"(change x = "inf")"},
    {"x=bool(nan)", "change x = true"},
    {"x=int(1e6)", "change x = 1000000"},
    {"x=str(1e6)", R"(change x = "1000000.0")"},
    {"x=int(foo)",
     "error: ValueError while evaluating 'int(foo)': invalid literal for int() with "
     "base 10: 'foo'"},
    {"x=float(foo)", "error: could not convert string to float: 'foo'"},
    {"x=bool(foo)", "error: ValueError while evaluating 'bool(foo)': Cannot cast 'foo' to bool"},
    {"x=int('')", "error: invalid literal for int() with base 10: ''"},
    {"x=int('10')", "change x = 10"},
    {"x=int('10.0')", "error: invalid literal for int() with base 10: '10.0'"},
    {"x=float('10.0')", "change x = 10.0"},
    {"x=bool('true')", "change x = true"},
    {"x=bool('FALSE')", "change x = false"},
    {"x=bool('[1,2,3]')", "error: Cannot cast '[1,2,3]' to bool"},
    {"x=int(true)", "change x = 1"},
    {"x=float(false)", "change x = 0.0"},
    {"x=str(true)", R"(change x = "true")"},
    {"x=int([])", "change x = []"},
    {"x=bool([0,1,2])", "change x = [false, true, true]"},
    {"x=float([1,[2]])", "change x = [1.0, [2.0]]"},
    {"x=int([a,1])", "error: invalid literal for int() with base 10: 'a'"},
    {"x=str({a:10,b:xyz})", R"(change x = {a: "10", b: "xyz"})"},
    {"x=int({a:10,b:xyz})", "error: invalid literal for int() with base 10: 'xyz'"},
    {"x=int(choice(0,1))", "change x = choice(0, 1)"},
    {"x=bool(choice(0,1))", "change x = choice(false, true)"},
    {"x=str(choice(1,a))", R"(change x = choice("1", "a"))"},
    {"x=int(choice(a,b))", "error: invalid literal for int() with base 10: 'a'"},
    {"x=str(1,2)", R"(change x = sweep("1", "2"))"},
    {"x=int(interval(1.5,2.5))", "change x = interval(1.0, 2.0)"},
    {"x=str(interval(1,2))",
     "error: ValueError while evaluating 'str(interval(1,2))': Intervals "
     "cannot be cast to str"},
    {"x=str(range(1,10))", "error: Range can only be cast to int or float"},
    {"x=int(range(1.0,10.0))", "change x = range(1, 10, 1)"},
    {"x=int()", "error: No positional args or value specified"},
    {"x=int(1,value=2)", "error: cannot use both position and named arguments"},
    {"x=json_str({a:10,b:[1,2.0,true,null]})",
     R"(change x = "{"a": 10, "b": [1, 2.0, true, null]}")"},
};

class HydraGrammarTable : public ::testing::TestWithParam<Case> {};

TEST_P(HydraGrammarTable, InterpretsTheOverrideAsHydraDocumentsIt) {
  const Case& example = GetParam();
  const std::string actual = describe(parse_override(example.input));
  const std::string_view expected = example.expected;
  if (expected.starts_with("error: "))
    EXPECT_NE(actual.find(expected.substr(7)), std::string::npos)
        << "input: " << example.input << "\nactual: " << actual;
  else
    EXPECT_EQ(actual, expected) << "input: " << example.input;
}

INSTANTIATE_TEST_SUITE_P(HydraDocumentation, HydraGrammarTable, ::testing::ValuesIn(k_cases));

TEST(HydraGrammar, TheTableCoversAtLeastEightyOverrides) {
  EXPECT_GE(std::size(k_cases), 80u);
}

TEST(HydraGrammar, KeepsTheInputAsGiven) {
  auto parsed = parse_override("  db=mysql");
  EXPECT_FALSE(parsed.has_value());
  auto kept = parse_override("db = mysql ");
  EXPECT_FALSE(kept.has_value());
  auto plain = parse_override("db=  mysql  ");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->input, "db=  mysql  ");
}

TEST(HydraGrammar, ReportsTheColumnOfAnError) {
  auto parsed = parse_override("key=[1,2,3]'");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, core::ErrorCode::invalid_argument);
  EXPECT_NE(parsed.error().message.find("(column 12)"), std::string::npos)
      << parsed.error().message;
}

TEST(HydraGrammar, DistinguishesAMissingPackageFromAnEmptyOne) {
  EXPECT_EQ(parse_override("db=x")->package, std::nullopt);
  EXPECT_EQ(parse_override("db@=x")->package, std::optional<std::string>(""));
}

TEST(HydraGrammar, LeavesTheValueOfABareDeleteEmpty) {
  auto parsed = parse_override("~db");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(parsed->value.has_value());
  EXPECT_EQ(value_type(*parsed), ValueType::element);
}

TEST(HydraGrammar, NamesTheValueTypesAsHydraDoes) {
  EXPECT_EQ(value_type(*parse_override("x=1")), ValueType::element);
  EXPECT_EQ(value_type(*parse_override("x=1,2")), ValueType::simple_choice_sweep);
  EXPECT_EQ(value_type(*parse_override("x=choice(1,2)")), ValueType::choice_sweep);
  EXPECT_EQ(value_type(*parse_override("x=shuffle(1,2)")), ValueType::simple_choice_sweep);
  EXPECT_EQ(value_type(*parse_override("x=range(3)")), ValueType::range_sweep);
  EXPECT_EQ(value_type(*parse_override("x=interval(0,1)")), ValueType::interval_sweep);
  EXPECT_EQ(value_type(*parse_override("x=glob(*)")), ValueType::glob_sweep);
  EXPECT_EQ(value_type(*parse_override("x=sort([2,1])")), ValueType::element);
}

TEST(HydraGrammar, KeepsNanAsAFloat) {
  auto parsed = parse_override("x=nan");
  ASSERT_TRUE(parsed.has_value());
  const auto& value = std::get<Value>(*parsed->value);
  EXPECT_TRUE(std::isnan(std::get<double>(value.data)));
}

TEST(HydraGrammar, ShufflesAListTheSameWayForTheSameSeed) {
  const auto first = parse_override("x=shuffle([1,2,3,4,5,6,7,8])", {.shuffle_seed = 7});
  const auto again = parse_override("x=shuffle([1,2,3,4,5,6,7,8])", {.shuffle_seed = 7});
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, *again);
  const auto& items = std::get<ListValue>(std::get<Value>(*first->value).data).items;
  EXPECT_EQ(items.size(), 8u);
  EXPECT_NE(describe(std::get<Value>(*first->value)), "[1, 2, 3, 4, 5, 6, 7, 8]");
}

TEST(HydraGrammar, RejectsIntegersBeyondSixtyFourBitsWithAHint) {
  auto parsed = parse_override("x=123456789012345678901234567890");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().message.find("quote it"), std::string::npos);
}

TEST(HydraGrammar, ParsesAListOfOverridesAndStopsAtTheFirstError) {
  auto parsed = parse_overrides({"a=1", "b=2,3"});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->size(), 2u);
  auto failed = parse_overrides({"a=1", "b", "c=3"});
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().message.find("'b'"), std::string::npos);
}

TEST(HydraGrammar, ParsesAValueOnItsOwn) {
  auto value = parse_value("a\\ b");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(describe(*value), R"("a b")");
  EXPECT_EQ(describe(*parse_value("")), R"("")");
}

TEST(HydraGrammar, AcceptsNestingUpToTheLimit) {
  const std::string lists = std::string(k_max_nesting_depth, '[') + "1" +
                            std::string(k_max_nesting_depth, ']');
  EXPECT_TRUE(parse_override("x=" + lists).has_value());
  std::string calls = "1";
  for (std::size_t level = 0; level < k_max_nesting_depth; ++level) calls = "int(" + calls + ")";
  EXPECT_TRUE(parse_override("x=" + calls).has_value());
}

TEST(HydraGrammar, RefusesNestingDeeperThanTheLimitWithItsColumn) {
  const std::string lists = std::string(k_max_nesting_depth + 1, '[') + "1" +
                            std::string(k_max_nesting_depth + 1, ']');
  auto parsed = parse_override("x=" + lists);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, core::ErrorCode::invalid_argument);
  const auto& message = parsed.error().message;
  EXPECT_NE(message.find(fmt::format("more than {} deep", k_max_nesting_depth)), std::string::npos)
      << message;
  // `x=` then 64 brackets: the 65th is at column 67.
  EXPECT_NE(message.find(fmt::format("(column {})", k_max_nesting_depth + 3)), std::string::npos)
      << message;
}

TEST(HydraGrammar, RefusesDictsAndCallsNestedPastTheLimit) {
  std::string dicts = "1";
  std::string calls = "1";
  for (std::size_t level = 0; level <= k_max_nesting_depth; ++level) {
    dicts = "{a:" + dicts + "}";
    calls = "str(" + calls + ")";
  }
  for (const auto& value : {dicts, calls, "sort([" + calls + "])"}) {
    auto parsed = parse_value(value);
    ASSERT_FALSE(parsed.has_value()) << value;
    EXPECT_NE(parsed.error().message.find("sortie's limit"), std::string::npos);
  }
}

TEST(HydraGrammar, RefusesAHundredThousandDeepValueWithoutCrashingAndWithAShortMessage) {
  const std::size_t depth = 100'000;
  for (const auto& value :
       {std::string(depth, '[') + std::string(depth, ']'),
        [&] {
          std::string dicts;
          for (std::size_t level = 0; level < depth; ++level) dicts += "{a:";
          return dicts;
        }(),
        [&] {
          std::string calls;
          for (std::size_t level = 0; level < depth; ++level) calls += "int(";
          return calls;
        }()}) {
    auto parsed = parse_override("key=" + value);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_NE(parsed.error().message.find("sortie's limit"), std::string::npos);
    EXPECT_LT(parsed.error().message.size(), 1000u);
  }
}

}  // namespace
}  // namespace sortie::hydra

#include "sortie/hydra/render.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "sortie/hydra/grammar.hpp"

namespace sortie::hydra {
namespace {

Value parsed_element(std::string_view text) {
  auto value = parse_value(text);
  EXPECT_TRUE(value.has_value()) << text;
  return std::get<Value>(*value);
}

Override parsed(std::string_view text) {
  auto result = parse_override(text);
  EXPECT_TRUE(result.has_value()) << text;
  return *result;
}

// Python's repr(float), which Hydra's str() of a float is.
TEST(HydraRender, WritesFloatsAsPythonDoes) {
  EXPECT_EQ(render_float(1.0), "1.0");
  EXPECT_EQ(render_float(0.1), "0.1");
  EXPECT_EQ(render_float(1e-5), "1e-05");
  EXPECT_EQ(render_float(0.0001), "0.0001");
  EXPECT_EQ(render_float(1e16), "1e+16");
  EXPECT_EQ(render_float(1e15), "1000000000000000.0");
  EXPECT_EQ(render_float(123.456), "123.456");
  EXPECT_EQ(render_float(9.899999999999999), "9.899999999999999");
  EXPECT_EQ(render_float(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(render_float(1.5e300), "1.5e+300");
  EXPECT_EQ(render_float(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(render_float(-0.0), "-0.0");
  EXPECT_EQ(render_float(-2.5), "-2.5");
  EXPECT_EQ(render_float(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(render_float(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(render_float(std::numeric_limits<double>::quiet_NaN()), "nan");
}

// Override._get_value_element_as_str: str() of bools and numbers, escaped strings.
TEST(HydraRender, WritesScalarsAsHydraDoes) {
  EXPECT_EQ(render_value(Value{nullptr}), "null");
  EXPECT_EQ(render_value(Value{true}), "True");
  EXPECT_EQ(render_value(Value{false}), "False");
  EXPECT_EQ(render_value(Value{std::int64_t{-42}}), "-42");
  EXPECT_EQ(render_value(Value{1.0}), "1.0");
  EXPECT_EQ(render_value(Value{std::string("mysql")}), "mysql");
}

TEST(HydraRender, EscapesSpecialCharactersInStringsAsHydraDoes) {
  EXPECT_EQ(render_string("a b"), "a\\ b");
  EXPECT_EQ(render_string("job{a=1,b=2}"), "job\\{a\\=1\\,b\\=2\\}");
  EXPECT_EQ(render_string("${foo.bar}"), "$\\{foo.bar\\}");
  EXPECT_EQ(render_string("c:\\foo"), "c\\:\\\\foo");
  EXPECT_EQ(render_string("/data/*.txt"), "/data/*.txt");
}

TEST(HydraRender, QuotesStringsThatWouldReadBackAsSomethingElse) {
  EXPECT_EQ(render_string("1"), "'1'");
  EXPECT_EQ(render_string("1.5"), "'1.5'");
  EXPECT_EQ(render_string("true"), "'true'");
  EXPECT_EQ(render_string("NULL"), "'NULL'");
  EXPECT_EQ(render_string("inf"), "'inf'");
  EXPECT_EQ(render_string("it's"), "'it\\'s'");
  EXPECT_EQ(render_string("say \"hi\""), "'say \"hi\"'");
  EXPECT_EQ(render_string("choice(a)"), "choice\\(a\\)");
}

TEST(HydraRender, WritesAnEmptyStringAsNothingAtTheTopAndQuotedInsideContainers) {
  EXPECT_EQ(render_string(""), "");
  EXPECT_EQ(render_value(parsed_element("[a,'']")), "[a,'']");
}

TEST(HydraRender, WritesContainersWithoutSpaces) {
  EXPECT_EQ(render_value(parsed_element("[1, 2.0, a b, [true]]")), "[1,2.0,a\\ b,[True]]");
  EXPECT_EQ(render_value(parsed_element("{a: 1, b: [x, null]}")), "{a:1,b:[x,null]}");
  EXPECT_EQ(render_value(parsed_element("{}")), "{}");
}

TEST(HydraRender, RendersValuesThatParseBackToThemselves) {
  for (const char* text : {"[a,'1',\"x y\",'']", "{k:'true', m:[1,2]}", "'it\\'s'", "a\\,b",
                           "'back\\\\'", "'${x}'", "'a\\\\\\'b'", "\\ lead"}) {
    const Value value = parsed_element(text);
    EXPECT_EQ(parsed_element(render_value(value)), value) << text << " -> " << render_value(value);
  }
}

TEST(HydraRender, WritesTheKeyWithItsPrefixAndPackage) {
  EXPECT_EQ(render_key(parsed("+db@backup=mysql")), "+db@backup");
  EXPECT_EQ(render_key(parsed("++a.b=1")), "++a.b");
  EXPECT_EQ(render_key(parsed("~db")), "~db");
  EXPECT_EQ(render_key(parsed("db@=x")), "db@");
}

TEST(HydraRender, WritesAWholeElementOverride) {
  EXPECT_EQ(render_element_override(parsed("x=[1, 2]")), "x=[1,2]");
  EXPECT_EQ(render_element_override(parsed("x= hello world ")), "x=hello\\ world");
  EXPECT_EQ(render_element_override(parsed("x=int(3.7)")), "x=3");
  EXPECT_EQ(render_element_override(parsed("x=")), "x=");
  EXPECT_EQ(render_element_override(parsed("~db")), "~db=null");
  EXPECT_EQ(render_element_override(parsed("flag=TRUE")), "flag=True");
}

}  // namespace
}  // namespace sortie::hydra

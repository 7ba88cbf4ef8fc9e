#include "sortie/remote/quote.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sortie/remote/process.hpp"

namespace sortie::remote {
namespace {

// Strings chosen to break naive quoting; each must reach the program unchanged.
std::vector<std::string> hostile_words() {
  return {
      "plain",
      "",
      " ",
      "two words",
      "\t",
      "it's",
      "'",
      "''",
      "'\\''",
      "\"double\"",
      "$(touch /tmp/sortie-quote-pwned)",
      "`touch /tmp/sortie-quote-pwned`",
      "$HOME",
      "${IFS}",
      "$((1+1))",
      "line\nbreak",
      "\r\n",
      "; echo injected",
      "&& echo injected",
      "| cat",
      "> /tmp/sortie-quote-pwned",
      "< /etc/passwd",
      "(sub)",
      "{a,b}",
      "*",
      "?",
      "[a-z]",
      "~",
      "~root",
      "-n",
      "--",
      "-e",
      "back\\slash",
      "\\",
      "trailing\\",
      "!",
      "!!",
      "#comment",
      "A=b",
      "%s",
      "ünïcödé 日本語 🚀",
      std::string("\x01\x02\x7f\x80\xfe\xff", 6),
      "a'b\"c$d`e\\f",
  };
}

// What `shell -c` makes of quote()d words, as the NUL-separated argv printf received.
std::string argv_seen_by(const std::string& shell, const std::vector<std::string>& words) {
  std::vector<std::string> printf_argv = {"/usr/bin/printf", "%s\\000"};
  printf_argv.insert(printf_argv.end(), words.begin(), words.end());
  Command command{{shell, "-c", join(printf_argv)}, std::nullopt};
  auto output = run_process(command, deadline_after(std::chrono::seconds(10)));
  EXPECT_TRUE(output.has_value());
  if (!output) return {};
  EXPECT_EQ(output->exit_code, 0) << output->err;
  return output->out;
}

std::string nul_joined(const std::vector<std::string>& words) {
  std::string joined;
  for (const auto& word : words) {
    joined += word;
    joined += '\0';
  }
  return joined;
}

TEST(Quote, LeavesSafeWordsBare) {
  EXPECT_EQ(quote("sbatch"), "sbatch");
  EXPECT_EQ(quote("/home/u/job-1.sh"), "/home/u/job-1.sh");
  EXPECT_EQ(quote("--partition=gpu"), "'--partition=gpu'");
}

TEST(Quote, WritesTheEmptyStringAsTwoQuotes) {
  EXPECT_EQ(quote(""), "''");
}

TEST(Quote, EscapesSingleQuotesByClosingAndReopening) {
  EXPECT_EQ(quote("it's"), "'it'\\''s'");
}

TEST(Quote, QuotesAssignmentsSoTheyStayArguments) {
  EXPECT_EQ(quote("A=b"), "'A=b'");
}

TEST(Quote, JoinSeparatesQuotedWordsWithSpaces) {
  EXPECT_EQ(join({"echo", "a b", ""}), "echo 'a b' ''");
}

TEST(Quote, DetectsNulBytes) {
  EXPECT_TRUE(has_nul(std::string("a\0b", 3)));
  EXPECT_FALSE(has_nul("ab"));
}

TEST(Quote, HostileWordsReachShProgramsByteForByte) {
  auto words = hostile_words();
  EXPECT_EQ(argv_seen_by("/bin/sh", words), nul_joined(words));
}

TEST(Quote, HostileWordsReachBashProgramsByteForByte) {
  auto words = hostile_words();
  EXPECT_EQ(argv_seen_by("bash", words), nul_joined(words));
}

TEST(Quote, EachHostileWordAloneSurvivesBothShells) {
  for (const auto& word : hostile_words()) {
    EXPECT_EQ(argv_seen_by("/bin/sh", {word}), nul_joined({word})) << word;
    EXPECT_EQ(argv_seen_by("bash", {word}), nul_joined({word})) << word;
  }
}

}  // namespace
}  // namespace sortie::remote

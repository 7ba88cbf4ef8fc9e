#include "sortie/api/auth.hpp"

#include <gtest/gtest.h>

namespace sortie::api {
namespace {

TEST(ConstantTimeEqual, IsEqualityOfTheWholeText) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "xbc"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("abc", ""));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(LocalSecret, IsSixtyFourHexDigitsAndNewEachTime) {
  auto first = new_local_secret();
  auto second = new_local_secret();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->size(), 64u);
  EXPECT_EQ(first->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*first, *second);
}

TEST(Sessions, RememberWhatTheyWereOpenedWith) {
  Sessions sessions;
  auto local = sessions.open({"", Credential::local_secret});
  auto token = sessions.open({"ci", Credential::api_token});
  ASSERT_TRUE(local && token);
  EXPECT_EQ(sessions.who(*local)->credential, Credential::local_secret);
  EXPECT_EQ(sessions.who(*token)->token_name, "ci");
  sessions.close(*local);
  EXPECT_FALSE(sessions.who(*local));
  EXPECT_FALSE(sessions.who("not-a-session"));
}

}  // namespace
}  // namespace sortie::api

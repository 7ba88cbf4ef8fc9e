#include "sortie/slurm/version.hpp"

#include <gtest/gtest.h>

namespace sortie::slurm {
namespace {

TEST(Version, ReadsTheNumberFromSinfoVersion) {
  EXPECT_EQ(parse_version("slurm 22.05.8\n"), "22.05.8");
  EXPECT_EQ(parse_version("slurm-wlm 22.05.8\n"), "22.05.8");
  EXPECT_EQ(parse_version("something else\n"), "something else");
}

TEST(Version, AsksSinfoWithoutAShell) {
  EXPECT_EQ(version().argv, (std::vector<std::string>{"sinfo", "--version"}));
  EXPECT_FALSE(version().input);
}

}  // namespace
}  // namespace sortie::slurm

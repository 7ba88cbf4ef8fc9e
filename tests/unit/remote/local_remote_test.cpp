#include "sortie/remote/local_remote.hpp"

#include <gtest/gtest.h>

#include "conformance.hpp"

namespace sortie::remote {
namespace {

using conformance::RemoteConformance;
using conformance::RemoteFactory;

INSTANTIATE_TEST_SUITE_P(Local, RemoteConformance,
                         ::testing::Values(RemoteFactory{
                             "LocalRemote", [] { return std::make_shared<LocalRemote>(); }}),
                         [](const auto& instance) { return instance.param.name; });

TEST(LocalRemote, PassesArgvToTheProgramWithoutAShell) {
  LocalRemote remote;
  auto output = remote.run_one({{"echo", "$HOME", "*"}, {}}, std::chrono::seconds(10));
  ASSERT_TRUE(output);
  EXPECT_EQ(output->out, "$HOME *\n");
}

}  // namespace
}  // namespace sortie::remote

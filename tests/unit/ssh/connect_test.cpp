#include "sortie/ssh/connect.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sortie/ssh/ssh_remote.hpp"

namespace sortie::ssh {
namespace {

TEST(ProxyCommand, BuildsAnSshDashWCommandWithEveryValueQuoted) {
  Target target;
  target.host = "cluster";
  target.identity_file = "/home/me/my keys/id_ed25519";
  target.known_hosts_file = "/home/me/known_hosts";
  auto command = proxy_command(target, "alice@bastion.example.org:2222");
  ASSERT_TRUE(command);
  EXPECT_EQ(
      *command,
      "ssh -o 'BatchMode=yes' -o 'StrictHostKeyChecking=yes' -i '/home/me/my keys/id_ed25519' "
      "-o 'UserKnownHostsFile=/home/me/known_hosts' -l alice -p 2222 -W '[%h]:%p' -- "
      "bastion.example.org");
}

TEST(ProxyCommand, PassesEarlierHopsToDashJ) {
  Target target;
  target.host = "cluster";
  auto command = proxy_command(target, "first,bob@second");
  ASSERT_TRUE(command);
  EXPECT_EQ(*command,
            "ssh -o 'BatchMode=yes' -o 'StrictHostKeyChecking=yes' -J first -l bob -W '[%h]:%p' -- "
            "second");
}

TEST(ProxyCommand, AcceptsABracketedIpv6JumpHost) {
  Target target;
  auto command = proxy_command(target, "[::1]:2200");
  ASSERT_TRUE(command);
  EXPECT_NE(command->find("-p 2200 -W '[%h]:%p' -- ::1"), std::string::npos) << *command;
}

TEST(ProxyCommand, RejectsMalformedJumpHosts) {
  Target target;
  for (const char* jump : {"", "user@", "host:port", "host:0", "host:99999", "[::1", "a,,b"}) {
    auto command = proxy_command(target, jump);
    ASSERT_FALSE(command) << jump;
    EXPECT_EQ(command.error().code, core::ErrorCode::invalid_argument);
  }
}

TEST(Configure, AppliesTheSshConfigThenTheTargetsOverrides) {
  auto config = std::filesystem::temp_directory_path() / "sortie-configure-test-config";
  std::ofstream(config) << "Host alias\n  HostName 10.1.2.3\n  User fromconfig\n  Port 2022\n";
  Target target;
  target.host = "alias";
  target.ssh_config_file = config.string();
  auto session = configure(target);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(describe(session->get()), "fromconfig@10.1.2.3:2022");

  target.user = "override";
  target.port = 4022;
  SshRemote remote(target);
  EXPECT_EQ(remote.describe(), "override@10.1.2.3:4022");
  std::filesystem::remove(config);
}

}  // namespace
}  // namespace sortie::ssh

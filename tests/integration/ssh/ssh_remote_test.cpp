#include "sortie/ssh/ssh_remote.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "sortie/remote/framing.hpp"
#include "sortie/remote/process.hpp"
#include "sortie/ssh/trust.hpp"
#include "tests/integration/sandbox.hpp"
#include "tests/unit/remote/conformance.hpp"

namespace sortie::ssh {
namespace {

using namespace std::chrono_literals;
using remote::Command;
using remote::OnFailure;

// The sandbox cluster as a Target, isolated from the user's own ~/.ssh/config.
Target sandbox_target() {
  auto sandbox = testing::sandbox();
  Target target;
  target.host = sandbox.host;
  target.port = sandbox.ssh_port;
  target.user = sandbox.user;
  target.identity_file = sandbox.key;
  target.known_hosts_file = sandbox.known_hosts;
  target.ssh_config_file = "/dev/null";
  target.cluster_name = "sandbox";
  return target;
}

// Output of a local command that must succeed.
std::string local(std::vector<std::string> argv) {
  auto output =
      remote::run_process(Command{std::move(argv), std::nullopt}, remote::deadline_after(30s));
  EXPECT_TRUE(output);
  if (!output) return {};
  EXPECT_EQ(output->exit_code, 0) << output->err;
  return output->out;
}

// The sandbox host key's fingerprint, as ssh-keygen prints it.
std::string sandbox_fingerprint() {
  std::string line =
      local({"ssh-keygen", "-lf", testing::sandbox().dir + "/ssh/ssh_host_ed25519_key.pub"});
  auto start = line.find("SHA256:");
  return line.substr(start, line.find(' ', start) - start);
}

// A fresh directory, removed with the test.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sortie-ssh-test-XXXXXX").string();
    m_path = ::mkdtemp(pattern.data());
  }
  ~ScratchDirectory() {
    std::error_code ignored;  // a destructor must not throw
    std::filesystem::remove_all(m_path, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  std::string file(const std::string& name, const std::string& content) const {
    std::string path = (std::filesystem::path(m_path) / name).string();
    std::ofstream(path) << content;
    return path;
  }
  std::string path(const std::string& name) const {
    return (std::filesystem::path(m_path) / name).string();
  }

 private:
  std::string m_path;
};

class SshSandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sandbox = testing::sandbox();
    ASSERT_TRUE(std::filesystem::exists(sandbox.key))
        << "the sandbox cluster is not running: start it with `make sandbox` (sandbox/up.sh)";
  }
};

using remote::conformance::RemoteConformance;

INSTANTIATE_TEST_SUITE_P(Ssh, RemoteConformance,
                         ::testing::Values(remote::conformance::RemoteFactory{
                             "SshRemote",
                             [] { return std::make_shared<SshRemote>(sandbox_target()); }}),
                         [](const auto& instance) { return instance.param.name; });

TEST_F(SshSandbox, DescribesTheResolvedTargetWithoutConnecting) {
  SshRemote remote(sandbox_target());
  EXPECT_EQ(remote.describe(), "researcher@127.0.0.1:46822");
  EXPECT_EQ(remote.open_connections(), 0u);
}

TEST_F(SshSandbox, RunsInTheLoginEnvironmentWhereSlurmWorks) {
  SshRemote remote(sandbox_target());
  auto outputs = remote.run({Command{{"sh", "-c", "echo \"$SLURM_CONF\""}, std::nullopt},
                             Command{{"sinfo", "-h", "-o", "%P"}, std::nullopt}},
                            30s, OnFailure::continue_batch);
  ASSERT_TRUE(outputs) << outputs.error().message;
  EXPECT_NE((*outputs)[0].out, "\n");
  EXPECT_EQ((*outputs)[1].exit_code, 0) << (*outputs)[1].err;
  EXPECT_NE((*outputs)[1].out.find("gpu"), std::string::npos);
}

TEST_F(SshSandbox, RefusesAnUnknownHostKeyNamingItsFingerprintAndTheTrustCommand) {
  ScratchDirectory scratch;
  Target target = sandbox_target();
  target.known_hosts_file = scratch.file("known_hosts", "");
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"true"}, std::nullopt}, 30s);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().code, core::ErrorCode::host_key_unknown);
  EXPECT_NE(output.error().message.find(sandbox_fingerprint()), std::string::npos)
      << output.error().message;
  EXPECT_NE(output.error().message.find("sortie clusters trust sandbox"), std::string::npos)
      << output.error().message;
}

TEST_F(SshSandbox, RefusesAChangedHostKey) {
  ScratchDirectory scratch;
  local({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", scratch.path("other")});
  std::string other_key;
  std::getline(std::ifstream(scratch.path("other.pub")), other_key);
  Target target = sandbox_target();
  target.known_hosts_file = scratch.file("known_hosts", "[127.0.0.1]:46822 " + other_key + "\n");
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"true"}, std::nullopt}, 30s);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().code, core::ErrorCode::host_key_changed);
  EXPECT_NE(output.error().message.find(sandbox_fingerprint()), std::string::npos)
      << output.error().message;
}

TEST_F(SshSandbox, TrustRecordsTheHostKeySoTheNextConnectionWorks) {
  ScratchDirectory scratch;
  Target target = sandbox_target();
  target.known_hosts_file = scratch.path("sub/known_hosts");
  auto trusted = trust(target, Replace::no);
  ASSERT_TRUE(trusted) << trusted.error().message;
  EXPECT_TRUE(trusted->added);
  EXPECT_EQ(trusted->fingerprint, sandbox_fingerprint());
  EXPECT_EQ(trusted->key_type, "ssh-ed25519");
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"echo", "trusted"}, std::nullopt}, 30s);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->out, "trusted\n");
  auto again = trust(target, Replace::no);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->added);
}

TEST_F(SshSandbox, TrustReplacesAChangedKeyOnlyWhenAsked) {
  ScratchDirectory scratch;
  local({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", scratch.path("other")});
  std::string other_key;
  std::getline(std::ifstream(scratch.path("other.pub")), other_key);
  Target target = sandbox_target();
  target.known_hosts_file = scratch.file(
      "known_hosts", "otherhost " + other_key + "\n[127.0.0.1]:46822 " + other_key + "\n");
  auto refused = trust(target, Replace::no);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::host_key_changed);
  auto replaced = trust(target, Replace::yes);
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_TRUE(replaced->added);
  std::string content;
  std::ifstream file(*target.known_hosts_file);
  for (std::string line; std::getline(file, line);) content += line + "\n";
  EXPECT_NE(content.find("otherhost "), std::string::npos);
  EXPECT_EQ(content.find("[127.0.0.1]:46822 " + other_key), std::string::npos);
  SshRemote remote(target);
  EXPECT_TRUE(remote.run_one(Command{{"true"}, std::nullopt}, 30s));
}

TEST_F(SshSandbox, RefusesAKeyTheServerDoesNotKnowAsAuthenticationFailed) {
  ScratchDirectory scratch;
  local({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", scratch.path("stranger")});
  Target target = sandbox_target();
  target.identity_file = scratch.path("stranger");
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"true"}, std::nullopt}, 30s);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().code, core::ErrorCode::authentication_failed);
  EXPECT_NE(output.error().message.find("researcher"), std::string::npos) << output.error().message;
}

TEST_F(SshSandbox, ExplainsAnEncryptedKeyWithoutAnAgent) {
  ScratchDirectory scratch;
  local({"ssh-keygen", "-q", "-t", "ed25519", "-N", "secret phrase", "-f", scratch.path("locked")});
  Target target = sandbox_target();
  target.identity_file = scratch.path("locked");
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"true"}, std::nullopt}, 30s);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().code, core::ErrorCode::authentication_failed);
  EXPECT_NE(output.error().message.find("ssh-add"), std::string::npos) << output.error().message;
}

TEST_F(SshSandbox, ExplainsAMissingIdentityFile) {
  Target target = sandbox_target();
  target.identity_file = "/nonexistent/id_ed25519";
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"true"}, std::nullopt}, 30s);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().code, core::ErrorCode::authentication_failed);
  EXPECT_NE(output.error().message.find("/nonexistent/id_ed25519"), std::string::npos);
}

TEST_F(SshSandbox, ReportsAClosedPortAsConnectionFailedNamingThePort) {
  Target target = sandbox_target();
  target.port = 1;
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"true"}, std::nullopt}, 30s);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().code, core::ErrorCode::connection_failed);
  EXPECT_NE(output.error().message.find("port 1"), std::string::npos) << output.error().message;
}

TEST_F(SshSandbox, HonoursAHostAliasFromTheSshConfig) {
  ScratchDirectory scratch;
  auto sandbox = testing::sandbox();
  Target target;
  target.host = "sandbox-alias";
  target.cluster_name = "sandbox";
  target.ssh_config_file =
      scratch.file("config",
                   "Host sandbox-alias\n  HostName 127.0.0.1\n  Port 46822\n  User researcher\n"
                   "  IdentityFile " +
                       sandbox.key + "\n  UserKnownHostsFile " + sandbox.known_hosts + "\n");
  SshRemote remote(target);
  EXPECT_EQ(remote.describe(), "researcher@127.0.0.1:46822");
  auto output = remote.run_one(Command{{"whoami"}, std::nullopt}, 30s);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->out, "researcher\n");
}

TEST_F(SshSandbox, ConnectsThroughAProxyJump) {
  Target target = sandbox_target();
  target.proxy_jump = "researcher@127.0.0.1:46822";
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"sh", "-c", "echo $SSH_CONNECTION"}, std::nullopt}, 30s);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->exit_code, 0);
  EXPECT_TRUE(remote.write_file("/tmp/sortie-proxy-jump-test", "via jump", 0600));
  EXPECT_EQ(remote.read_file("/tmp/sortie-proxy-jump-test", 0, 100), "via jump");
  (void)remote.run_one(Command{{"rm", "-f", "/tmp/sortie-proxy-jump-test"}, std::nullopt}, 30s);
}

TEST_F(SshSandbox, RejectsAMalformedProxyJump) {
  Target target = sandbox_target();
  target.proxy_jump = "user@";
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"true"}, std::nullopt}, 30s);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().code, core::ErrorCode::invalid_argument);
}

// The sshd process serving the connection whose shell runs in process group `group`.
long sshd_serving(long group) {
  std::ifstream stat("/proc/" + std::to_string(group) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string state;
  long parent = 0;
  fields >> state >> parent;
  return parent;
}

TEST_F(SshSandbox, ReconnectsOnTheNextCallAfterTheServerDropsTheConnection) {
  SshRemote remote(sandbox_target());
  auto group = remote.run_one(Command{{"sh", "-c", "ps -o pgid= -p $$"}, std::nullopt}, 30s);
  ASSERT_TRUE(group) << group.error().message;
  long sshd = sshd_serving(std::stol(group->out));
  ASSERT_GT(sshd, 1);
  ASSERT_EQ(::kill(static_cast<pid_t>(sshd), SIGTERM), 0);
  std::this_thread::sleep_for(200ms);
  auto output = remote.run_one(Command{{"echo", "back"}, std::nullopt}, 30s);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->out, "back\n");
  EXPECT_EQ(remote.open_connections(), 1u);
}

TEST_F(SshSandbox, ReconnectsAfterADropThatFoundAnOpenSftpSession) {
  SshRemote remote(sandbox_target());
  auto group = remote.run_one(Command{{"sh", "-c", "ps -o pgid= -p $$"}, std::nullopt}, 30s);
  ASSERT_TRUE(group) << group.error().message;
  ASSERT_TRUE(remote.read_file("/etc/hostname", 0, 16));  // opens the connection's SFTP session
  long sshd = sshd_serving(std::stol(group->out));
  ASSERT_GT(sshd, 1);
  ASSERT_EQ(::kill(static_cast<pid_t>(sshd), SIGKILL), 0);
  std::this_thread::sleep_for(200ms);
  auto output = remote.run_one(Command{{"echo", "back"}, std::nullopt}, 30s);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->out, "back\n");
  auto read = remote.read_file("/etc/hostname", 0, 16);
  EXPECT_TRUE(read) << read.error().message;
}

TEST_F(SshSandbox, KillsTheStuckCommandOnTheClusterAtTheTimeout) {
  SshRemote remote(sandbox_target());
  std::string pid_file = "/tmp/sortie-stuck-" + remote::random_token();
  auto stuck = remote.run(
      {Command{{"sh", "-c", "echo $$ > \"$1\"; exec sleep 100", "sh", pid_file}, std::nullopt}}, 1s,
      OnFailure::continue_batch);
  ASSERT_FALSE(stuck);
  EXPECT_EQ(stuck.error().code, core::ErrorCode::timeout);
  auto check = remote.run_one(
      // A killed process whose parent is gone may linger as a zombie when PID 1 does not reap.
      Command{{"sh", "-c",
               "state=$(ps -o stat= -p \"$(cat \"$1\")\"); rm -f \"$1\"; "
               "case \"$state\" in ''|Z*) echo gone ;; *) echo alive ;; esac",
               "sh", pid_file},
              std::nullopt},
      30s);
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(check->out, "gone\n");
}

TEST_F(SshSandbox, ServesFourThreadsWithAtMostMaxConnectionsSessions) {
  SshRemote remote(sandbox_target());
  std::atomic<int> succeeded = 0;
  {
    std::vector<std::jthread> threads;
    for (int thread = 0; thread < 4; ++thread) {
      threads.emplace_back([&] {
        for (int round = 0; round < 5; ++round) {
          auto output =
              remote.run_one(Command{{"sh", "-c", "echo \"$SLURM_CONF\""}, std::nullopt}, 60s);
          if (output && output->exit_code == 0 && output->out.size() > 1) ++succeeded;
        }
      });
    }
  }
  EXPECT_EQ(succeeded.load(), 20);
  EXPECT_LE(remote.open_connections(), 2u);
}

}  // namespace
}  // namespace sortie::ssh

namespace sortie::ssh {
namespace {

// An ssh-agent on a socket of its own, stopped with the test.
class Agent {
 public:
  explicit Agent(const std::string& socket) {
    std::string out = local({"ssh-agent", "-a", socket});
    auto at = out.find("SSH_AGENT_PID=");
    if (at != std::string::npos) m_pid = std::stoi(out.substr(at + 14));
    setenv("SSH_AUTH_SOCK", socket.c_str(), 1);
  }
  ~Agent() {
    unsetenv("SSH_AUTH_SOCK");
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGTERM);
    // It removes its socket as it exits: wait, so the scratch directory can go after it.
    for (int i = 0; i < 100 && ::kill(m_pid, 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  bool running() const { return m_pid > 0; }

 private:
  pid_t m_pid = 0;
};

TEST_F(SshSandbox, AuthenticatesWithAKeyHeldByTheSshAgent) {
  ScratchDirectory scratch;
  Agent agent(scratch.path("agent.sock"));
  ASSERT_TRUE(agent.running());
  local({"ssh-add", "-q", testing::sandbox().key});

  // No identity file: the agent is the only source of the key (root has no ~/.ssh keys the
  // sandbox accepts).
  Target target = sandbox_target();
  target.identity_file.reset();
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"whoami"}, std::nullopt}, 30s);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->out, testing::sandbox().user + "\n");
}

TEST_F(SshSandbox, UsesTheAgentForAnIdentityFileProtectedByAPassphrase) {
  ScratchDirectory scratch;
  // A passphrase-protected copy of the sandbox key, whose decrypted twin the agent holds.
  std::string locked = scratch.path("locked");
  std::filesystem::copy_file(testing::sandbox().key, locked);
  std::filesystem::permissions(
      locked, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  local({"ssh-keygen", "-q", "-p", "-N", "secret phrase", "-f", locked});
  Agent agent(scratch.path("agent.sock"));
  ASSERT_TRUE(agent.running());
  local({"ssh-add", "-q", testing::sandbox().key});

  Target target = sandbox_target();
  target.identity_file = locked;
  SshRemote remote(target);
  auto output = remote.run_one(Command{{"true"}, std::nullopt}, 30s);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->exit_code, 0);
}

}  // namespace
}  // namespace sortie::ssh

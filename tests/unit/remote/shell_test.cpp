#include "sortie/remote/shell.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "sortie/remote/local_shell.hpp"

namespace sortie::remote {
namespace {

using namespace std::chrono_literals;

// A plain bash: this machine's login profile takes over a second, which only one test pays.
ShellSession start_shell(const std::vector<std::string>& argv = {"bash"}) {
  auto channel = LocalShellChannel::start(argv);
  EXPECT_TRUE(channel) << channel.error().message;
  auto session = ShellSession::start(std::move(*channel), deadline_after(10s));
  EXPECT_TRUE(session) << session.error().message;
  return std::move(*session);
}

Command command(std::vector<std::string> argv, std::optional<std::string> input = std::nullopt) {
  return Command{std::move(argv), std::move(input)};
}

// True while `pid` names a process that is neither gone nor a zombie.
bool process_exists(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] != 'Z';
}

TEST(ShellSession, RunsABatchInOrderWithOneOutputPerCommandInALoginShell) {
  auto shell = start_shell({"bash", "-l"});
  auto outputs = shell.run({command({"echo", "one"}), command({"sh", "-c", "echo two >&2; exit 5"}),
                            command({"printf", "%s", "three"})},
                           deadline_after(10s), OnFailure::continue_batch);
  ASSERT_TRUE(outputs) << outputs.error().message;
  ASSERT_EQ(outputs->size(), 3u);
  EXPECT_EQ((*outputs)[0].out, "one\n");
  EXPECT_EQ((*outputs)[1].err, "two\n");
  EXPECT_EQ((*outputs)[1].exit_code, 5);
  EXPECT_EQ((*outputs)[2].out, "three");
}

TEST(ShellSession, DiscardsWhatTheShellPrintsBeforeItIsReady) {
  auto shell =
      start_shell({"bash", "-c",
                   "echo 'Welcome to the cluster'; echo 'conda noise' >&2; printf partial; "
                   "exec bash"});
  auto outputs =
      shell.run({command({"echo", "clean"})}, deadline_after(10s), OnFailure::continue_batch);
  ASSERT_TRUE(outputs);
  EXPECT_EQ((*outputs)[0].out, "clean\n");
  EXPECT_EQ((*outputs)[0].err, "");
}

TEST(ShellSession, ClosesStandardInputUnlessInputIsGiven) {
  auto shell = start_shell();
  auto outputs = shell.run({command({"cat"}), command({"cat"}, "given\n"), command({"cat"})},
                           deadline_after(10s), OnFailure::continue_batch);
  ASSERT_TRUE(outputs) << outputs.error().message;
  EXPECT_EQ((*outputs)[0].out, "");
  EXPECT_EQ((*outputs)[1].out, "given\n");
  EXPECT_EQ((*outputs)[2].out, "");
}

TEST(ShellSession, PassesBinaryInputByteForByte) {
  std::string input;
  for (int round = 0; round < 1000; ++round) {
    for (int byte = 0; byte < 256; ++byte) input += static_cast<char>(byte);
  }
  auto shell = start_shell();
  auto outputs =
      shell.run({command({"cat"}, input)}, deadline_after(10s), OnFailure::continue_batch);
  ASSERT_TRUE(outputs);
  EXPECT_EQ((*outputs)[0].out, input);
}

TEST(ShellSession, ReturnsBigOutputWhole) {
  auto shell = start_shell();
  auto outputs = shell.run({command({"head", "-c", "30000000", "/dev/zero"}),
                            command({"sh", "-c", "head -c 3000000 /dev/zero >&2"})},
                           deadline_after(30s), OnFailure::continue_batch);
  ASSERT_TRUE(outputs);
  EXPECT_EQ((*outputs)[0].out.size(), 30000000u);
  EXPECT_EQ((*outputs)[1].err.size(), 3000000u);
}

TEST(ShellSession, StopsAtTheFirstFailureWithStopBatch) {
  auto shell = start_shell();
  auto outputs = shell.run({command({"true"}), command({"false"}), command({"echo", "never"})},
                           deadline_after(10s), OnFailure::stop_batch);
  ASSERT_TRUE(outputs);
  ASSERT_EQ(outputs->size(), 2u);
  EXPECT_EQ((*outputs)[1].exit_code, 1);
}

TEST(ShellSession, RunsEverythingWithContinueBatch) {
  auto shell = start_shell();
  auto outputs = shell.run({command({"false"}), command({"echo", "after"})}, deadline_after(10s),
                           OnFailure::continue_batch);
  ASSERT_TRUE(outputs);
  ASSERT_EQ(outputs->size(), 2u);
  EXPECT_EQ((*outputs)[1].out, "after\n");
}

TEST(ShellSession, KeepsTheShellUnchangedByWhatCommandsDo) {
  auto shell = start_shell();
  auto first = shell.run({command({"sh", "-c", "cd /; exit 3"}), command({"cd", "/"}),
                          command({"exit", "4"}), command({"export", "SORTIE_LEAK=1"})},
                         deadline_after(10s), OnFailure::continue_batch);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)[0].exit_code, 3);
  // argv[0] is always a program, never one of the shell's builtins.
  EXPECT_EQ((*first)[1].exit_code, 127);
  EXPECT_EQ((*first)[2].exit_code, 127);
  EXPECT_EQ((*first)[3].exit_code, 127);
  auto second = shell.run({command({"sh", "-c", "echo \"${SORTIE_LEAK:-unset} $PWD\""})},
                          deadline_after(10s), OnFailure::continue_batch);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE((*second)[0].out, "unset /\n");
  EXPECT_TRUE((*second)[0].out.starts_with("unset ")) << (*second)[0].out;
}

TEST(ShellSession, ReportsDeathBySignalAs128PlusTheSignal) {
  auto shell = start_shell();
  auto outputs = shell.run({command({"sh", "-c", "kill -9 $$"})}, deadline_after(10s),
                           OnFailure::continue_batch);
  ASSERT_TRUE(outputs);
  EXPECT_EQ((*outputs)[0].exit_code, 137);
}

TEST(ShellSession, IsNotFooledByFakeMarkersInOutput) {
  auto shell = start_shell();
  std::string fake = "\n0123456789abcdef0123456789abcdef:o:0:0\n";
  auto outputs = shell.run({command({"printf", "%s", fake}), command({"echo", "next"})},
                           deadline_after(10s), OnFailure::continue_batch);
  ASSERT_TRUE(outputs);
  EXPECT_EQ((*outputs)[0].out, fake);
  EXPECT_EQ((*outputs)[1].out, "next\n");
}

TEST(ShellSession, KillsAStuckCommandAtTheDeadlineAndBecomesUnusable) {
  auto directory = std::filesystem::temp_directory_path() / ("sortie-shell-" + random_token());
  std::filesystem::create_directories(directory);
  auto pid_file = (directory / "pid").string();
  auto shell = start_shell();
  auto started = std::chrono::steady_clock::now();
  auto outputs =
      shell.run({command({"sh", "-c", "echo $$ > \"$1\"; exec sleep 100", "sh", pid_file})},
                deadline_after(500ms), OnFailure::continue_batch);
  ASSERT_FALSE(outputs);
  EXPECT_EQ(outputs.error().code, core::ErrorCode::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_FALSE(shell.usable());
  long sleeper = 0;
  std::ifstream(pid_file) >> sleeper;
  ASSERT_GT(sleeper, 0);
  for (int wait = 0; wait < 100 && process_exists(sleeper); ++wait)
    std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(process_exists(sleeper));
  std::filesystem::remove_all(directory);

  auto replacement = start_shell();
  auto next =
      replacement.run({command({"echo", "fresh"})}, deadline_after(10s), OnFailure::continue_batch);
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)[0].out, "fresh\n");
}

TEST(ShellSession, ReportsConnectionLostWhenTheShellDiesMidBatch) {
  auto shell = start_shell();
  ASSERT_TRUE(shell.shell_pid());
  auto outputs = shell.run({command({"kill", "-9", std::to_string(*shell.shell_pid())}),
                            command({"echo", "unreachable"})},
                           deadline_after(10s), OnFailure::continue_batch);
  ASSERT_FALSE(outputs);
  EXPECT_EQ(outputs.error().code, core::ErrorCode::connection_lost);
  EXPECT_FALSE(shell.usable());
}

TEST(ShellSession, NoticesADeadShellWithoutSendingAnything) {
  auto shell = start_shell();
  EXPECT_TRUE(shell.alive());
  ::kill(static_cast<pid_t>(*shell.shell_pid()), SIGKILL);
  bool alive = true;
  for (int wait = 0; wait < 100 && alive; ++wait) {
    std::this_thread::sleep_for(10ms);
    alive = shell.alive();
  }
  EXPECT_FALSE(alive);
}

TEST(ShellSession, ReportsWhatAShellThatExitsAtOncePrinted) {
  auto channel = LocalShellChannel::start({"sh", "-c", "echo 'bash: not found' >&2; exit 127"});
  ASSERT_TRUE(channel);
  auto session = ShellSession::start(std::move(*channel), deadline_after(10s));
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().code, core::ErrorCode::connection_lost);
  EXPECT_NE(session.error().message.find("bash: not found"), std::string::npos)
      << session.error().message;
}

TEST(ShellSession, TimesOutWhenTheShellNeverBecomesReady) {
  auto channel = LocalShellChannel::start({"sleep", "100"});
  ASSERT_TRUE(channel);
  auto session = ShellSession::start(std::move(*channel), deadline_after(300ms));
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().code, core::ErrorCode::timeout);
}

TEST(ShellSession, RunsManyBatchesOnOneShell) {
  auto shell = start_shell();
  for (int round = 0; round < 200; ++round) {
    auto outputs = shell.run({command({"echo", std::to_string(round)})}, deadline_after(10s),
                             OnFailure::continue_batch);
    ASSERT_TRUE(outputs);
    ASSERT_EQ((*outputs)[0].out, std::to_string(round) + "\n");
  }
}

}  // namespace
}  // namespace sortie::remote

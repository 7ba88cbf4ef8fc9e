#pragma once

// The conformance cases every Remote must pass (remote.hpp's contract), written once and
// instantiated per implementation:
//   INSTANTIATE_TEST_SUITE_P(Local, RemoteConformance, ::testing::Values(RemoteFactory{...}));
// Include this header from exactly one file per test binary: it defines the TEST_Ps.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sortie/remote/remote.hpp"

namespace sortie::remote::conformance {

using namespace std::chrono_literals;

// Makes the Remote under test; `name` labels the instantiation.
struct RemoteFactory {
  std::string name;
  std::function<std::shared_ptr<Remote>()> make;
};

inline std::ostream& operator<<(std::ostream& stream, const RemoteFactory& factory) {
  return stream << factory.name;
}

class RemoteConformance : public ::testing::TestWithParam<RemoteFactory> {
 protected:
  void SetUp() override {
    m_remote = GetParam().make();
    ASSERT_NE(m_remote, nullptr);
    auto made = m_remote->run_one({{"mktemp", "-d", "/tmp/sortie-conformance-XXXXXX"}, {}}, 30s);
    ASSERT_TRUE(made) << made.error().message;
    ASSERT_EQ(made->exit_code, 0) << made->err;
    m_directory = made->out.substr(0, made->out.find('\n'));
  }

  void TearDown() override {
    if (m_remote && !m_directory.empty()) {
      (void)m_remote->run_one({{"rm", "-rf", m_directory}, {}}, 30s);
    }
  }

  Remote& remote() { return *m_remote; }
  std::string path(const std::string& name) const { return m_directory + "/" + name; }

  std::vector<Output> run_ok(const std::vector<Command>& commands,
                             OnFailure on_failure = OnFailure::continue_batch) {
    auto outputs = m_remote->run(commands, 30s, on_failure);
    EXPECT_TRUE(outputs) << outputs.error().message;
    return outputs ? std::move(*outputs) : std::vector<Output>{};
  }

  std::shared_ptr<Remote> m_remote;
  std::string m_directory;
};

inline Command command(std::vector<std::string> argv,
                       std::optional<std::string> input = std::nullopt) {
  return Command{std::move(argv), std::move(input)};
}

TEST_P(RemoteConformance, RunsABatchInOrderWithOneOutputPerCommand) {
  auto outputs = run_ok({command({"echo", "one"}), command({"echo", "two"}),
                         command({"sh", "-c", "echo three >&2"})});
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_EQ(outputs[0].out, "one\n");
  EXPECT_EQ(outputs[1].out, "two\n");
  EXPECT_EQ(outputs[2].out, "");
  EXPECT_EQ(outputs[2].err, "three\n");
}

TEST_P(RemoteConformance, ReportsANonZeroExitInTheOutputNotAsAnError) {
  auto outputs = run_ok({command({"sh", "-c", "exit 42"})});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].exit_code, 42);
}

TEST_P(RemoteConformance, StopsAfterTheFirstFailureWithStopBatch) {
  auto outputs = run_ok({command({"true"}), command({"sh", "-c", "echo no; exit 3"}),
                         command({"touch", path("never")})},
                        OnFailure::stop_batch);
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[1].exit_code, 3);
  EXPECT_EQ(outputs[1].out, "no\n");
  auto after = run_ok({command({"test", "-e", path("never")})});
  EXPECT_NE(after[0].exit_code, 0);
}

TEST_P(RemoteConformance, RunsEveryCommandWithContinueBatch) {
  auto outputs = run_ok({command({"false"}), command({"echo", "still"})});
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].exit_code, 1);
  EXPECT_EQ(outputs[1].out, "still\n");
}

TEST_P(RemoteConformance, KeepsOutputWithoutATrailingNewline) {
  auto outputs = run_ok({command({"printf", "%s", "bare"}), command({"printf", "%s\n\n", "two"})});
  EXPECT_EQ(outputs[0].out, "bare");
  EXPECT_EQ(outputs[1].out, "two\n\n");
}

TEST_P(RemoteConformance, ClosesStandardInputWhenNoInputIsGiven) {
  auto started = std::chrono::steady_clock::now();
  auto outputs = run_ok({command({"cat"})});
  EXPECT_EQ(outputs[0].out, "");
  EXPECT_EQ(outputs[0].exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST_P(RemoteConformance, PassesInputByteForByte) {
  std::string input;
  for (int byte = 0; byte < 256; ++byte) input += static_cast<char>(byte);
  input += "\nEOF\n'\"$(x)`\n";
  auto outputs = run_ok({command({"cat"}, input), command({"wc", "-c"}, input)});
  EXPECT_EQ(outputs[0].out, input);
  EXPECT_EQ(std::stoul(outputs[1].out), input.size());
}

TEST_P(RemoteConformance, PassesTextInputWithoutATrailingNewlineExactly) {
  std::string text = "line one\n'quoted' \"double\" $HOME `id` \\ back\n\n-n no newline at end";
  auto outputs = run_ok({command({"cat"}, text), command({"cat"}, std::string("x"))});
  EXPECT_EQ(outputs[0].out, text);
  EXPECT_EQ(outputs[1].out, "x");
}

TEST_P(RemoteConformance, WritesATextFileAndReplacesWhatWasThere) {
  const std::string file = path("script.sh");
  std::string text = "#!/bin/sh\necho 'it''s' \"$1\" `x` \\\n%s %d -- no final newline";
  auto outputs = run_ok({Command::write_text_file(file, std::string(5000, 'z')),
                         Command::write_text_file(file, text), command({"cat", file})});
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_EQ(outputs[0].exit_code, 0) << outputs[0].err;
  EXPECT_EQ(outputs[1].exit_code, 0) << outputs[1].err;
  EXPECT_EQ(outputs[2].out, text);
}

TEST_P(RemoteConformance, WritesAnEmptyTextFile) {
  const std::string file = path("empty");
  auto outputs = run_ok({Command::write_text_file(file, ""), command({"wc", "-c", file})});
  EXPECT_EQ(outputs[0].exit_code, 0) << outputs[0].err;
  EXPECT_EQ(outputs[1].out.substr(0, 1), "0");
}

TEST_P(RemoteConformance, ReportsATextFileInAMissingDirectoryAsAFailedStep) {
  auto outputs = run_ok({Command::write_text_file(path("missing/file"), "x"), command({"true"})},
                        OnFailure::stop_batch);
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_NE(outputs[0].exit_code, 0);
  EXPECT_NE(outputs[0].err.find("missing/file"), std::string::npos) << outputs[0].err;
}

TEST_P(RemoteConformance, EnsuresADirectoryWithItsParentsAndAcceptsOneThatExists) {
  const std::string directory = path("a b/c'd/e");
  auto outputs = run_ok({Command::ensure_directory(directory), Command::ensure_directory(directory),
                         command({"test", "-d", directory})});
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_EQ(outputs[0].exit_code, 0) << outputs[0].err;
  EXPECT_EQ(outputs[1].exit_code, 0) << outputs[1].err;
  EXPECT_EQ(outputs[2].exit_code, 0);
}

TEST_P(RemoteConformance, ReportsADirectoryThatIsAFileAsAFailedStep) {
  const std::string file = path("plain");
  auto outputs = run_ok({Command::write_text_file(file, "x"), Command::ensure_directory(file)});
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_NE(outputs[1].exit_code, 0);
  EXPECT_FALSE(outputs[1].err.empty());
}

TEST_P(RemoteConformance, RejectsATextFileWithANulByte) {
  auto outputs = remote().run({Command::write_text_file(path("nul"), std::string("a\0b", 3))}, 10s,
                              OnFailure::continue_batch);
  ASSERT_FALSE(outputs);
  EXPECT_EQ(outputs.error().code, core::ErrorCode::invalid_argument);
}

TEST_P(RemoteConformance, PassesHostileArgumentsUnchanged) {
  std::vector<std::string> words = {"it's", "$(id)", "`id`",        "a\nb", "; true",   "*",
                                    "~",    "-n",    "back\\slash", "",     "ünï 日本", "a b"};
  std::vector<std::string> argv = {"printf", "%s\\000"};
  argv.insert(argv.end(), words.begin(), words.end());
  auto outputs = run_ok({command(argv)});
  std::string expected;
  for (const auto& word : words) expected += word + '\0';
  EXPECT_EQ(outputs[0].out, expected);
}

TEST_P(RemoteConformance, ReturnsLargeAndBinaryOutput) {
  auto outputs = run_ok(
      {command({"head", "-c", "5000000", "/dev/zero"}), command({"printf", "\\377\\000\\001"})});
  EXPECT_EQ(outputs[0].out, std::string(5000000, '\0'));
  EXPECT_EQ(outputs[1].out, std::string("\xff\x00\x01", 3));
}

TEST_P(RemoteConformance, ReportsAMissingProgramAsExitCode127) {
  auto outputs = run_ok({command({"sortie-no-such-program"})});
  EXPECT_EQ(outputs[0].exit_code, 127);
  EXPECT_NE(outputs[0].err, "");
}

TEST_P(RemoteConformance, ReportsDeathBySignalAs128PlusTheSignal) {
  auto outputs = run_ok({command({"sh", "-c", "kill -9 $$"})});
  EXPECT_EQ(outputs[0].exit_code, 137);
}

TEST_P(RemoteConformance, TimesOutAStuckCommandAndTheNextCallWorks) {
  auto started = std::chrono::steady_clock::now();
  auto stuck = remote().run({command({"sleep", "100"})}, 1s, OnFailure::continue_batch);
  ASSERT_FALSE(stuck);
  EXPECT_EQ(stuck.error().code, core::ErrorCode::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  auto next = run_ok({command({"echo", "alive"})});
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].out, "alive\n");
}

TEST_P(RemoteConformance, RejectsAnArgumentWithANulByte) {
  auto outputs =
      remote().run({command({"echo", std::string("a\0b", 3)})}, 10s, OnFailure::continue_batch);
  ASSERT_FALSE(outputs);
  EXPECT_EQ(outputs.error().code, core::ErrorCode::invalid_argument);
}

TEST_P(RemoteConformance, WritesAFileWithTheGivenMode) {
  ASSERT_TRUE(remote().write_file(path("script.sh"), "#!/bin/sh\necho hi\n", 0750));
  auto outputs =
      run_ok({command({"stat", "-c", "%a", path("script.sh")}), command({path("script.sh")})});
  EXPECT_EQ(outputs[0].out, "750\n");
  EXPECT_EQ(outputs[1].out, "hi\n");
}

TEST_P(RemoteConformance, ReplacesAnExistingFileAndItsMode) {
  ASSERT_TRUE(remote().write_file(path("f"), "old content that is longer", 0644));
  ASSERT_TRUE(remote().write_file(path("f"), "new", 0600));
  auto content = remote().read_file(path("f"), 0, 1000);
  ASSERT_TRUE(content);
  EXPECT_EQ(*content, "new");
  auto outputs = run_ok({command({"stat", "-c", "%a", path("f")}), command({"ls", m_directory})});
  EXPECT_EQ(outputs[0].out, "600\n");
  EXPECT_EQ(outputs[1].out, "f\n");
}

TEST_P(RemoteConformance, RoundTripsBinaryAndLargeFiles) {
  std::string content;
  for (int i = 0; i < 1 << 20; ++i) content += static_cast<char>((i * 7919) & 0xff);
  ASSERT_TRUE(remote().write_file(path("blob"), content, 0644));
  auto back = remote().read_file(path("blob"), 0, content.size() + 10);
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back == content);
  auto empty = remote().write_file(path("empty"), "", 0644);
  ASSERT_TRUE(empty);
  auto empty_back = remote().read_file(path("empty"), 0, 10);
  ASSERT_TRUE(empty_back);
  EXPECT_EQ(*empty_back, "");
}

TEST_P(RemoteConformance, ReadsByteRangesOfAFile) {
  ASSERT_TRUE(remote().write_file(path("digits"), "0123456789", 0644));
  auto middle = remote().read_file(path("digits"), 3, 4);
  ASSERT_TRUE(middle);
  EXPECT_EQ(*middle, "3456");
  auto tail = remote().read_file(path("digits"), 8, 100);
  ASSERT_TRUE(tail);
  EXPECT_EQ(*tail, "89");
  auto past = remote().read_file(path("digits"), 50, 10);
  ASSERT_TRUE(past);
  EXPECT_EQ(*past, "");
  auto none = remote().read_file(path("digits"), 0, 0);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, "");
}

TEST_P(RemoteConformance, ReportsAMissingFileAsNotFound) {
  auto content = remote().read_file(path("absent"), 0, 10);
  ASSERT_FALSE(content);
  EXPECT_EQ(content.error().code, core::ErrorCode::not_found);
}

TEST_P(RemoteConformance, FailsToWriteIntoAMissingDirectory) {
  auto written = remote().write_file(path("no/such/dir/file"), "x", 0644);
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("no/such/dir"), std::string::npos)
      << written.error().message;
}

TEST_P(RemoteConformance, IsSafeToCallFromSeveralThreads) {
  std::vector<std::jthread> threads;
  std::atomic<int> succeeded = 0;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&, thread] {
      for (int round = 0; round < 10; ++round) {
        std::string word = std::to_string(thread) + "-" + std::to_string(round);
        auto outputs = remote().run({command({"echo", word})}, 30s, OnFailure::continue_batch);
        if (outputs && (*outputs)[0].out == word + "\n") ++succeeded;
      }
      auto file = path("thread-" + std::to_string(thread));
      if (remote().write_file(file, file, 0644) && remote().read_file(file, 0, 1000) == file) {
        ++succeeded;
      }
    });
  }
  threads.clear();
  EXPECT_EQ(succeeded.load(), 44);
}

}  // namespace sortie::remote::conformance

#include "sortie/remote/framing.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sortie/remote/process.hpp"

namespace sortie::remote {
namespace {

const std::string token = "0123456789abcdef0123456789abcdef";

std::string out_marker(std::size_t index, int status) {
  return "\n" + token + ":o:" + std::to_string(index) + ":" + std::to_string(status) + "\n";
}

std::string err_marker(std::size_t index) {
  return "\n" + token + ":e:" + std::to_string(index) + "\n";
}

// Feeds `out` and `err` to a reader in pieces of `piece` bytes, alternating streams.
std::vector<Output> read_all(BatchReader& reader, const std::string& out, const std::string& err,
                             std::size_t piece) {
  std::size_t out_at = 0;
  std::size_t err_at = 0;
  while (out_at < out.size() || err_at < err.size()) {
    if (out_at < out.size()) {
      EXPECT_TRUE(reader.feed(Stream::out, std::string_view(out).substr(out_at, piece)));
      out_at += piece;
    }
    if (err_at < err.size()) {
      EXPECT_TRUE(reader.feed(Stream::err, std::string_view(err).substr(err_at, piece)));
      err_at += piece;
    }
  }
  EXPECT_TRUE(reader.complete());
  return reader.take();
}

TEST(RandomToken, IsThirtyTwoHexDigitsAndNeverRepeats) {
  std::string first = random_token();
  EXPECT_EQ(first.size(), 32u);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(first, random_token());
}

TEST(BatchReader, SplitsOutputsAtMarkers) {
  BatchReader reader(token, 2, OnFailure::continue_batch);
  auto outputs = read_all(reader, "one\n" + out_marker(0, 0) + "two\n" + out_marker(1, 3),
                          "warn\n" + err_marker(0) + err_marker(1), 1000);
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].out, "one\n");
  EXPECT_EQ(outputs[0].err, "warn\n");
  EXPECT_EQ(outputs[0].exit_code, 0);
  EXPECT_EQ(outputs[1].out, "two\n");
  EXPECT_EQ(outputs[1].err, "");
  EXPECT_EQ(outputs[1].exit_code, 3);
}

TEST(BatchReader, KeepsOutputWithoutTrailingNewline) {
  BatchReader reader(token, 1, OnFailure::continue_batch);
  auto outputs = read_all(reader, "no newline" + out_marker(0, 0), "x" + err_marker(0), 1000);
  EXPECT_EQ(outputs[0].out, "no newline");
  EXPECT_EQ(outputs[0].err, "x");
}

TEST(BatchReader, FindsMarkersSplitAcrossChunksAtEveryByte) {
  std::string out = "a\n\nb" + out_marker(0, 0) + out_marker(1, 7);
  std::string err = err_marker(0) + "e" + err_marker(1);
  for (std::size_t piece : {1u, 2u, 3u, 5u, 17u, 33u}) {
    BatchReader reader(token, 2, OnFailure::continue_batch);
    auto outputs = read_all(reader, out, err, piece);
    ASSERT_EQ(outputs.size(), 2u) << piece;
    EXPECT_EQ(outputs[0].out, "a\n\nb");
    EXPECT_EQ(outputs[1].out, "");
    EXPECT_EQ(outputs[1].exit_code, 7);
    EXPECT_EQ(outputs[1].err, "e");
  }
}

TEST(BatchReader, IgnoresMarkersWithAnotherToken) {
  std::string fake = "\nffffffffffffffffffffffffffffffff:o:0:0\n";
  std::string partial = "\n" + token.substr(0, 20) + ":o:0:0\n";
  BatchReader reader(token, 1, OnFailure::continue_batch);
  auto outputs = read_all(reader, fake + partial + out_marker(0, 0), fake + err_marker(0), 7);
  EXPECT_EQ(outputs[0].out, fake + partial);
  EXPECT_EQ(outputs[0].err, fake);
}

TEST(BatchReader, CarriesBinaryBytes) {
  std::string binary;
  for (int byte = 0; byte < 256; ++byte) binary += static_cast<char>(byte);
  BatchReader reader(token, 1, OnFailure::continue_batch);
  auto outputs = read_all(reader, binary + out_marker(0, 0), binary + err_marker(0), 10);
  EXPECT_EQ(outputs[0].out, binary);
  EXPECT_EQ(outputs[0].err, binary);
}

TEST(BatchReader, StopsAfterTheFirstFailureWithStopBatch) {
  BatchReader reader(token, 3, OnFailure::stop_batch);
  ASSERT_TRUE(reader.feed(Stream::err, err_marker(0) + err_marker(1)));
  EXPECT_FALSE(reader.complete());
  ASSERT_TRUE(reader.feed(Stream::out, out_marker(0, 0) + "bad" + out_marker(1, 2)));
  ASSERT_TRUE(reader.complete());
  auto outputs = reader.take();
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[1].out, "bad");
  EXPECT_EQ(outputs[1].exit_code, 2);
}

TEST(BatchReader, IsIncompleteUntilBothStreamsHaveTheirMarkers) {
  BatchReader reader(token, 1, OnFailure::continue_batch);
  ASSERT_TRUE(reader.feed(Stream::out, out_marker(0, 0)));
  EXPECT_FALSE(reader.complete());
  ASSERT_TRUE(reader.feed(Stream::err, err_marker(0).substr(0, 10)));
  EXPECT_FALSE(reader.complete());
  ASSERT_TRUE(reader.feed(Stream::err, err_marker(0).substr(10)));
  EXPECT_TRUE(reader.complete());
}

TEST(BatchReader, RejectsAMarkerForTheWrongCommand) {
  BatchReader reader(token, 2, OnFailure::continue_batch);
  auto fed = reader.feed(Stream::out, out_marker(1, 0));
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().code, core::ErrorCode::parse_error);
}

TEST(BatchReader, HandlesHugeOutputInSmallChunksInLinearTime) {
  std::string huge(64 << 20, 'x');
  for (std::size_t i = 0; i < huge.size(); i += 4093) huge[i] = '\n';
  BatchReader reader(token, 1, OnFailure::continue_batch);
  auto started = std::chrono::steady_clock::now();
  for (std::size_t at = 0; at < huge.size(); at += 4096) {
    ASSERT_TRUE(reader.feed(Stream::out, std::string_view(huge).substr(at, 4096)));
  }
  ASSERT_TRUE(reader.feed(Stream::out, out_marker(0, 0)));
  ASSERT_TRUE(reader.feed(Stream::err, err_marker(0)));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ASSERT_TRUE(reader.complete());
  EXPECT_EQ(reader.take()[0].out.size(), huge.size());
}

TEST(RenderBatch, RejectsACommandWithoutArgv) {
  auto script = render_batch({Command{{}, std::nullopt}}, OnFailure::continue_batch, token);
  ASSERT_FALSE(script);
  EXPECT_EQ(script.error().code, core::ErrorCode::invalid_argument);
}

TEST(RenderBatch, RejectsAnArgumentWithNul) {
  auto script = render_batch({Command{{"echo", std::string("a\0b", 3)}, std::nullopt}},
                             OnFailure::continue_batch, token);
  ASSERT_FALSE(script);
  EXPECT_EQ(script.error().code, core::ErrorCode::invalid_argument);
}

TEST(RenderBatch, ProducesAScriptThatDashAndBashRunAsFramed) {
  std::string input = "line\nSORTIE_IN_" + token + "\n'$(x)`\n";
  input += '\0';
  std::vector<Command> commands = {
      {{"printf", "%s", "no newline"}, std::nullopt},
      {{"sh", "-c", "echo to-err >&2; exit 4"}, std::nullopt},
      {{"cat"}, input},
      {{"cat"}, std::nullopt},
  };
  auto script = render_batch(commands, OnFailure::continue_batch, token);
  ASSERT_TRUE(script);
  for (std::string shell : {"/bin/sh", "bash"}) {
    auto output = run_process(Command{{shell}, *script}, deadline_after(std::chrono::seconds(10)));
    ASSERT_TRUE(output);
    BatchReader reader(token, commands.size(), OnFailure::continue_batch);
    ASSERT_TRUE(reader.feed(Stream::out, output->out));
    ASSERT_TRUE(reader.feed(Stream::err, output->err));
    ASSERT_TRUE(reader.complete()) << shell << ": " << output->out << output->err;
    auto outputs = reader.take();
    EXPECT_EQ(outputs[0].out, "no newline");
    EXPECT_EQ(outputs[1].err, "to-err\n");
    EXPECT_EQ(outputs[1].exit_code, 4);
    EXPECT_EQ(outputs[2].out, input) << shell;
    EXPECT_EQ(outputs[3].out, "");
  }
}

TEST(RenderBatch, WritesTextInputFilesAndDirectoriesWithBuiltinsAfterTheSyncScript) {
  const std::string directory = ::testing::TempDir() + "sortie-framing-" + random_token();
  const std::string text = "it's \"$HOME\" `id`\n\\ no final newline";
  std::vector<Command> commands = {
      Command::ensure_directory(directory + "/a b"),
      Command::write_text_file(directory + "/a b/file", text),
      {{"cat", directory + "/a b/file"}, std::nullopt},
      {{"cat"}, text},
  };
  auto script = render_batch(commands, OnFailure::stop_batch, token);
  ASSERT_TRUE(script);
  // Only the two `cat`s and mkdir start processes; the text travels inside the script.
  EXPECT_EQ(script->find("base64"), std::string::npos);
  for (std::string shell : {"/bin/sh", "bash"}) {
    auto output = run_process(Command{{shell}, render_sync(token) + *script},
                              deadline_after(std::chrono::seconds(10)));
    ASSERT_TRUE(output);
    BatchReader reader(token, commands.size(), OnFailure::stop_batch);
    ASSERT_TRUE(reader.feed(Stream::out, output->out));
    ASSERT_TRUE(reader.feed(Stream::err, output->err));
    ASSERT_TRUE(reader.complete()) << shell << ": " << output->out << output->err;
    auto outputs = reader.take();
    ASSERT_EQ(outputs.size(), 4u) << shell << ": " << output->err;
    EXPECT_EQ(outputs[2].out, text) << shell;
    EXPECT_EQ(outputs[3].out, text) << shell;
    std::filesystem::remove_all(directory);
  }
}

TEST(RenderBatch, RejectsATextFileWithNul) {
  auto script = render_batch({Command::write_text_file("/tmp/x", std::string("a\0b", 3))},
                             OnFailure::continue_batch, token);
  ASSERT_FALSE(script);
  EXPECT_EQ(script.error().code, core::ErrorCode::invalid_argument);
}

TEST(SyncReader, DiscardsNoiseBeforeTheMarkerAndReadsThePid) {
  SyncReader reader(token);
  ASSERT_TRUE(reader.feed(Stream::out, "Welcome!\n(base) conda says hi"));
  ASSERT_TRUE(reader.feed(Stream::err, "module: warning\n"));
  ASSERT_TRUE(reader.feed(Stream::out, "\n" + token + ":sy"));
  ASSERT_TRUE(reader.feed(Stream::out, "nc:4242\n"));
  EXPECT_FALSE(reader.complete());
  ASSERT_TRUE(reader.feed(Stream::err, "\n" + token + ":sync\n"));
  EXPECT_TRUE(reader.complete());
  EXPECT_EQ(reader.shell_pid(), 4242);
  EXPECT_EQ(reader.error_text(), "module: warning\n");
}

}  // namespace
}  // namespace sortie::remote

// Following a growing log with ranged reads: every byte printed once, across dropped connections.

#include "sortie/jobs/logs.hpp"

#include <gtest/gtest.h>

#include "fake_remote.hpp"

namespace sortie::jobs {
namespace {

using testing::FakeRemote;

const std::string kLog = "/home/r/sortie/jobs/sortie-1.42.out";

class Following : public ::testing::Test {
 protected:
  void SetUp() override {
    m_options.chunk = 8;
    m_options.wait = [this](std::chrono::milliseconds delay, std::stop_token) {
      m_waits.push_back(delay);
    };
    m_hooks.print = [this](std::string_view bytes) { m_printed += bytes; };
    m_hooks.finished = [this]() -> core::Result<bool> { return m_finished; };
  }

  core::Result<FollowEnd> run(std::stop_token stop = {}) {
    return follow(m_remote, kLog, m_hooks, m_options, stop);
  }

  FakeRemote m_remote;
  FollowOptions m_options;
  FollowHooks m_hooks;
  std::string m_printed;
  std::vector<std::chrono::milliseconds> m_waits;
  bool m_finished = false;
};

TEST_F(Following, PrintsTheLogAsItGrowsUntilTheJobEndsAndTheLogStops) {
  // The job writes a line per read; after the fifth it ends, having written one last line.
  int reads = 0;
  m_remote.before_read = [&] {
    ++reads;
    if (reads <= 5) m_remote.files[kLog] += "line " + std::to_string(reads) + "\n";
    if (reads == 5) m_finished = true;
  };
  auto ended = run();
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(*ended, FollowEnd::finished);
  EXPECT_EQ(m_printed, m_remote.files[kLog]);
  EXPECT_EQ(m_printed, "line 1\nline 2\nline 3\nline 4\nline 5\n");
  // Every read starts where the bytes printed end.
  std::uint64_t printed = 0;
  for (const auto& [path, offset] : m_remote.reads) {
    EXPECT_LE(offset, m_remote.files[kLog].size());
    EXPECT_GE(offset, printed);
    printed = offset;
  }
}

TEST_F(Following, WaitsForALogThatDoesNotExistYet) {
  int reads = 0;
  m_remote.before_read = [&] {
    if (++reads == 3) {
      m_remote.files[kLog] = "hello\n";
      m_finished = true;
    }
  };
  m_remote.read_errors = {core::Error{core::ErrorCode::not_found, "no such file"},
                          core::Error{core::ErrorCode::not_found, "no such file"}};
  auto ended = run();
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(m_printed, "hello\n");
}

TEST_F(Following, ResumesAtTheSameOffsetAfterADroppedConnectionWithGrowingDelays) {
  m_remote.files[kLog] = "0123456789abcdefghij\n";
  m_finished = true;
  int reads = 0;
  m_remote.before_read = [&] {
    // Two failures after the first chunk.
    if (++reads == 2) {
      m_remote.read_errors = {core::Error{core::ErrorCode::connection_lost, "link dropped"},
                              core::Error{core::ErrorCode::connection_failed, "refused"}};
    }
  };
  std::vector<std::string> retried;
  m_hooks.on_retry = [&](const core::Error& error, std::chrono::milliseconds) {
    retried.push_back(error.message);
  };
  auto ended = run();
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(m_printed, "0123456789abcdefghij\n");
  EXPECT_EQ(retried, (std::vector<std::string>{"link dropped", "refused"}));
  ASSERT_GE(m_waits.size(), 2u);
  EXPECT_EQ(m_waits[0], m_options.first_retry_delay);
  EXPECT_EQ(m_waits[1], 2 * m_options.first_retry_delay);
  EXPECT_EQ(m_remote.reads[1].second, 8u);
  EXPECT_EQ(m_remote.reads[2].second, 8u);
  EXPECT_EQ(m_remote.reads[3].second, 8u);
}

TEST_F(Following, GivesUpAfterFailingTooLongAndReturnsOtherErrorsAtOnce) {
  m_options.give_up_after = std::chrono::milliseconds(3'000);
  for (int i = 0; i < 100; ++i) {
    m_remote.read_errors.push_back({core::ErrorCode::timeout, "timed out"});
  }
  auto ended = run();
  ASSERT_FALSE(ended);
  EXPECT_EQ(ended.error().code, core::ErrorCode::timeout);
  EXPECT_LT(m_remote.reads.size(), 5u);

  m_remote.read_errors = {{core::ErrorCode::command_failed, "permission denied"}};
  m_remote.reads.clear();
  ended = run();
  ASSERT_FALSE(ended);
  EXPECT_EQ(ended.error().code, core::ErrorCode::command_failed);
  EXPECT_EQ(m_remote.reads.size(), 1u);
}

TEST_F(Following, StopsWhenAskedWithoutWaitingForTheJob) {
  std::stop_source source;
  m_remote.files[kLog] = "partial";
  m_remote.before_read = [&] {
    if (m_remote.reads.size() == 3) source.request_stop();
  };
  auto ended = run(source.get_token());
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(*ended, FollowEnd::stopped);
  EXPECT_EQ(m_printed, "partial");
}

TEST_F(Following, StartsAtTheGivenOffset) {
  m_remote.files[kLog] = "already shown\nnew\n";
  m_options.offset = 14;
  m_finished = true;
  ASSERT_TRUE(run());
  EXPECT_EQ(m_printed, "new\n");
}

}  // namespace
}  // namespace sortie::jobs

// The live streams of a real `sortie serve`: /api/events tells of job changes, a log stream
// resumes from Last-Event-ID without repeating a byte, and 100 open streams do not slow
// ordinary calls.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "tests/integration/api/api_server.hpp"

namespace sortie::testing {
namespace {

using ::testing::HasSubstr;

class LiveEvents : public ApiTest {};

// The data of every event named `name`, parsed.
std::vector<nlohmann::json> events_named(const std::string& text, const std::string& name) {
  std::vector<nlohmann::json> found;
  const std::string marker = "event: " + name + "\ndata: ";
  for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    const auto start = at + marker.size();
    const auto end = text.find('\n', start);
    if (end == std::string::npos) break;
    found.push_back(nlohmann::json::parse(text.substr(start, end - start), nullptr, false));
  }
  return found;
}

// The log text a stream delivered, checking that each event starts where the last ended.
std::string log_text(const std::string& stream_text, std::uint64_t start) {
  std::string text;
  std::uint64_t expected = start;
  for (const auto& event : events_named(stream_text, "log")) {
    EXPECT_EQ(event["offset"].get<std::uint64_t>(), expected) << "a gap or a repeat";
    text += event["text"].get<std::string>();
    expected = event["next_offset"].get<std::uint64_t>();
  }
  return text;
}

TEST_F(LiveEvents, EventsStreamTellsOfASubmittedJob) {
  const auto project = register_project("tiny");
  SseStream events(port(), "/api/events", auth());
  ASSERT_EQ(events.status(), 200);
  EXPECT_THAT(events.head().header("content-type").value_or(""), HasSubstr("text/event-stream"));
  ASSERT_TRUE(events.wait_for([&] { return events.text().find("retry:") != std::string::npos; },
                              std::chrono::seconds(5)));
  const auto id = submit(project, {"steps=1"});
  const std::string needle = fmt::format(R"("id":{},)", id);
  EXPECT_TRUE(events.wait_for([&] { return events.has_event("job", needle); },
                              std::chrono::seconds(15)))
      << events.text();
  EXPECT_TRUE(events.wait_for([&] { return events.has_event("job", "COMPLETED"); },
                              std::chrono::seconds(60)))
      << events.text();
}

TEST_F(LiveEvents, LogStreamDeliversTheWholeLogThenEnds) {
  const auto project = register_project("tiny");
  const auto id = submit(project, {"steps=2"});
  wait_for_state(id, "COMPLETED");
  const auto whole =
      parse(request("GET", "/api/jobs/" + std::to_string(id) + "/logs?offset=0"))["text"]
          .get<std::string>();
  ASSERT_GT(whole.size(), 20u);

  SseStream stream(port(), "/api/jobs/" + std::to_string(id) + "/logs/stream", auth());
  ASSERT_EQ(stream.status(), 200);
  ASSERT_TRUE(stream.wait_for([&] { return stream.has_event("end"); }, std::chrono::seconds(20)))
      << stream.text();
  EXPECT_EQ(log_text(stream.text(), 0), whole);
}

TEST_F(LiveEvents, LogStreamResumesFromLastEventIdWithoutRepeatingBytes) {
  const auto project = register_project("tiny");
  const auto id = submit(project, {"steps=2"});
  wait_for_state(id, "COMPLETED");
  const auto whole =
      parse(request("GET", "/api/jobs/" + std::to_string(id) + "/logs?offset=0"))["text"]
          .get<std::string>();
  ASSERT_GT(whole.size(), 20u);

  const std::uint64_t resume_at = 17;
  SseStream resumed(port(), "/api/jobs/" + std::to_string(id) + "/logs/stream",
                    with_auth({{"Last-Event-ID", std::to_string(resume_at)}}));
  ASSERT_EQ(resumed.status(), 200);
  ASSERT_TRUE(resumed.wait_for([&] { return resumed.has_event("end"); }, std::chrono::seconds(20)))
      << resumed.text();
  EXPECT_EQ(log_text(resumed.text(), resume_at), whole.substr(resume_at));

  // Resuming at the end delivers no byte again, only the end.
  SseStream at_end(port(), "/api/jobs/" + std::to_string(id) + "/logs/stream",
                   with_auth({{"Last-Event-ID", std::to_string(whole.size())}}));
  ASSERT_TRUE(at_end.wait_for([&] { return at_end.has_event("end"); }, std::chrono::seconds(20)))
      << at_end.text();
  EXPECT_TRUE(events_named(at_end.text(), "log").empty()) << at_end.text();
}

TEST_F(LiveEvents, LogStreamOfAMissingJobIsA404) {
  auto missing = request("GET", "/api/jobs/4242/logs/stream");
  EXPECT_EQ(missing.status, 404) << missing.body;
}

TEST_F(LiveEvents, HundredOpenStreamsLeaveOrdinaryCallsFast) {
  std::vector<std::unique_ptr<SseStream>> streams;
  for (int i = 0; i < 100; ++i) {
    streams.push_back(std::make_unique<SseStream>(port(), "/api/events", auth()));
  }
  int open = 0;
  for (auto& stream : streams) open += stream->status() == 200 ? 1 : 0;
  ASSERT_EQ(open, 100);

  std::vector<double> milliseconds;
  for (int i = 0; i < 50; ++i) {
    const auto started = std::chrono::steady_clock::now();
    auto listed = http_request(port(), "GET", "/api/jobs/", std::nullopt, auth(),
                               std::chrono::seconds(5));
    milliseconds.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    EXPECT_EQ(listed.status, 200) << listed.failure;
  }
  std::sort(milliseconds.begin(), milliseconds.end());
  const double median = milliseconds[milliseconds.size() / 2];
  const double p99 = milliseconds[milliseconds.size() * 99 / 100];
  std::printf("with 100 open /api/events streams, 50 GET /api/jobs/: median %.2f ms, p99 %.2f ms, "
              "max %.2f ms (bound: p99 < 200 ms)\n",
              median, p99, milliseconds.back());
  EXPECT_LT(p99, 200.0);
  // The streams are still open and served.
  EXPECT_EQ(http_request(port(), "GET", "/api/health").status, 200);
}

}  // namespace
}  // namespace sortie::testing

#include "sortie/logs/wandb.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace sortie::logs {

// Readable failures: gtest prints links as kind, target and name.
void PrintTo(const WandbLink& link, std::ostream* out) {
  constexpr const char* kKinds[] = {"run", "project", "sweep", "offline_run_dir"};
  *out << kKinds[static_cast<int>(link.kind)] << " " << link.target << " [" << link.run_name << "]";
}

namespace {

WandbLink run(std::string url, std::string name = {}) {
  return WandbLink{WandbLinkKind::run, std::move(url), std::move(name)};
}
WandbLink project(std::string url) {
  return WandbLink{WandbLinkKind::project, std::move(url), {}};
}
WandbLink sweep(std::string url) {
  return WandbLink{WandbLinkKind::sweep, std::move(url), {}};
}
WandbLink offline(std::string path) {
  return WandbLink{WandbLinkKind::offline_run_dir, std::move(path), {}};
}

// What wandb 0.16 prints around a run, coloured as on a terminal.
const std::string kColouredLog =
    "Epoch 1/3\r 10%|#         | 1/10 [00:01<00:09]\r 20%|##        | 2/10\r\n"
    "\x1b[34m\x1b[1mwandb\x1b[0m: Currently logged in as: \x1b[33malice\x1b[0m "
    "(\x1b[33mteam\x1b[0m)."
    " Use \x1b[1m`wandb login --relogin`\x1b[0m to force relogin\r\n"
    "\x1b[34m\x1b[1mwandb\x1b[0m: Tracking run with wandb version 0.16.0\r\n"
    "\x1b[34m\x1b[1mwandb\x1b[0m: Run data is saved locally in \x1b[35m\x1b[1m/scratch/u/wandb/"
    "run-20261129_091203-abc123\x1b[0m\r\n"
    "\x1b[34m\x1b[1mwandb\x1b[0m: Syncing run \x1b[33mdazzling-sun-12\x1b[0m\r\n"
    "\x1b[34m\x1b[1mwandb\x1b[0m: \xe2\xad\x90\xef\xb8\x8f View project at "
    "\x1b[34m\x1b[4mhttps://wandb.ai/team/proj\x1b[0m\r\n"
    "\x1b[34m\x1b[1mwandb\x1b[0m: \xf0\x9f\x9a\x80 View run at "
    "\x1b[34m\x1b[4mhttps://wandb.ai/team/proj/runs/abc123\x1b[0m\r\n"
    "loss=0.5 see https://example.com/not-wandb/runs/zzz\n"
    "\x1b[34m\x1b[1mwandb\x1b[0m: \xf0\x9f\x9a\x80 View run \x1b[33mdazzling-sun-12\x1b[0m at: "
    "\x1b[34m\x1b[4mhttps://wandb.ai/team/proj/runs/abc123\x1b[0m\r\n"
    "\x1b[34m\x1b[1mwandb\x1b[0m: Find logs at: \x1b[35m\x1b[1m./wandb/run-20261129_091203-abc123/"
    "logs\x1b[0m\r\n";

TEST(Wandb, FindsProjectAndRunWithTheNameFromTheHeaderInColouredOutput) {
  EXPECT_EQ(
      find_wandb_links(kColouredLog),
      (std::vector<WandbLink>{project("https://wandb.ai/team/proj"),
                              run("https://wandb.ai/team/proj/runs/abc123", "dazzling-sun-12")}));
}

TEST(Wandb, ReadsTheFooterFormWithEmojiAndName) {
  EXPECT_EQ(
      find_wandb_links("wandb: \xf0\x9f\x9a\x80 View run dazzling-sun-12 at: "
                       "https://wandb.ai/team/proj/runs/abc123\n"),
      std::vector<WandbLink>{run("https://wandb.ai/team/proj/runs/abc123", "dazzling-sun-12")});
}

TEST(Wandb, ReadsTheHeaderFormWithoutEmoji) {
  EXPECT_EQ(find_wandb_links("wandb: View run at https://wandb.ai/team/proj/runs/abc123\n"),
            std::vector<WandbLink>{run("https://wandb.ai/team/proj/runs/abc123")});
}

TEST(Wandb, ReadsTheOldSyncedForm) {
  EXPECT_EQ(
      find_wandb_links("wandb: Synced 5 W&B file(s), 0 media file(s)\n"
                       "wandb: Synced dazzling-sun-12: https://app.wandb.ai/team/proj/runs/"
                       "abc123\n"),
      std::vector<WandbLink>{run("https://app.wandb.ai/team/proj/runs/abc123", "dazzling-sun-12")});
}

TEST(Wandb, ReadsASelfHostedServer) {
  EXPECT_EQ(find_wandb_links("wandb: View run dazzling-sun-12 at: "
                             "https://wandb.mycompany.internal/team/proj/runs/x\n"),
            std::vector<WandbLink>{
                run("https://wandb.mycompany.internal/team/proj/runs/x", "dazzling-sun-12")});
}

TEST(Wandb, FindsSweeps) {
  EXPECT_EQ(find_wandb_links("wandb: \xf0\x9f\xa7\xb9 View sweep at "
                             "https://wandb.ai/team/proj/sweeps/s1\n"),
            std::vector<WandbLink>{sweep("https://wandb.ai/team/proj/sweeps/s1")});
}

TEST(Wandb, FindsOfflineRunDirectoriesOnceEach) {
  const std::string log =
      "wandb: Tracking run with wandb version 0.16.0\n"
      "wandb: W&B syncing is set to `offline` in this directory.\n"
      "wandb: Run data is saved locally in /scratch/u/wandb/offline-run-20261129_091203-abc123\n"
      "wandb: You can sync this run to the cloud by running:\n"
      "wandb: wandb sync /scratch/u/wandb/offline-run-20261129_091203-abc123\n"
      "wandb: Find logs at: /scratch/u/wandb/offline-run-20261129_091203-abc123/logs\n";
  EXPECT_EQ(find_wandb_links(log),
            std::vector<WandbLink>{offline("/scratch/u/wandb/offline-run-20261129_091203-abc123")});
}

TEST(Wandb, EndsUrlsBeforePunctuationQuotesAndColourResets) {
  EXPECT_EQ(find_wandb_links("wandb: View run at https://wandb.ai/t/p/runs/a1.\n"
                             "wandb: View run at (https://wandb.ai/t/p/runs/a2), ok\n"
                             "wandb: View run at \"https://wandb.ai/t/p/runs/a3\"\n"
                             "wandb: View run at \x1b[4mhttps://wandb.ai/t/p/runs/a4\x1b[0m!\n"),
            (std::vector<WandbLink>{
                run("https://wandb.ai/t/p/runs/a1"), run("https://wandb.ai/t/p/runs/a2"),
                run("https://wandb.ai/t/p/runs/a3"), run("https://wandb.ai/t/p/runs/a4")}));
}

TEST(Wandb, IgnoresOtherUrlsAndLinesWithoutWandb) {
  EXPECT_TRUE(find_wandb_links("see https://example.com/x/runs/1 and View run at "
                               "https://example.com/y/runs/2\n"
                               "wandb: read the docs at https://docs.wandb.ai/quickstart\n")
                  .empty());
}

TEST(Wandb, KeepsFirstSeenOrderAcrossSeveralRuns) {
  const std::string log =
      "wandb: Syncing run first\nwandb: View run at https://wandb.ai/t/p/runs/1\n"
      "wandb: Syncing run second\nwandb: View run at https://wandb.ai/t/p/runs/2\n"
      "wandb: View run first at: https://wandb.ai/t/p/runs/1\n";
  EXPECT_EQ(find_wandb_links(log),
            (std::vector<WandbLink>{run("https://wandb.ai/t/p/runs/1", "first"),
                                    run("https://wandb.ai/t/p/runs/2", "second")}));
}

TEST(Wandb, FillsInANameSeenOnlyInTheFooter) {
  const std::string log =
      "wandb: View run at https://wandb.ai/t/p/runs/1\n"
      "wandb: View run late-name-3 at: https://wandb.ai/t/p/runs/1\n";
  EXPECT_EQ(find_wandb_links(log),
            std::vector<WandbLink>{run("https://wandb.ai/t/p/runs/1", "late-name-3")});
}

TEST(Wandb, ReadsALastLineWithoutALineEnd) {
  EXPECT_EQ(find_wandb_links("wandb: View run at https://wandb.ai/t/p/runs/9"),
            std::vector<WandbLink>{run("https://wandb.ai/t/p/runs/9")});
}

TEST(Wandb, StripsCsiOscAndUnfinishedEscapes) {
  EXPECT_EQ(strip_ansi("\x1b[1;34mblue\x1b[0m \x1b]8;;https://x\x1b\\link\x1b]8;;\a end\x1b["),
            "blue link end");
}

TEST(WandbScanner, FindsTheSameLinksHoweverTheLogIsCut) {
  const std::string log = kColouredLog +
                          "wandb: Run data is saved locally in /s/wandb/offline-run-1_2-x\r\n"
                          "wandb: \xf0\x9f\xa7\xb9 View sweep at https://wandb.ai/t/p/sweeps/s1";
  const auto whole = find_wandb_links(log);
  ASSERT_EQ(whole.size(), 4u);
  for (std::size_t cut = 0; cut <= log.size(); ++cut) {
    WandbScanner scanner;
    scanner.feed(std::string_view(log).substr(0, cut));
    scanner.feed(std::string_view(log).substr(cut));
    scanner.finish();
    ASSERT_EQ(scanner.links(), whole) << "cut at " << cut;
  }
  std::mt19937 random(7);
  for (int round = 0; round < 200; ++round) {
    WandbScanner scanner;
    std::size_t at = 0;
    while (at < log.size()) {
      const std::size_t length = std::uniform_int_distribution<std::size_t>(1, 40)(random);
      scanner.feed(std::string_view(log).substr(at, length));
      at += length;
    }
    scanner.finish();
    ASSERT_EQ(scanner.links(), whole) << "round " << round;
  }
}

// What a reader that stops after `cut` bytes and resumes later with a fresh scanner finds: the
// first scanner's links, then the second's, read from the start of the unfinished line.
std::vector<std::string> targets_when_resumed(std::string_view log, std::size_t cut) {
  WandbScanner first;
  first.feed(log.substr(0, cut));
  const std::size_t resume = cut - first.unfinished_line_size();
  WandbScanner second;
  second.feed(log.substr(resume));
  second.finish();
  std::vector<std::string> targets;
  for (const auto* scanner : {&first, &second}) {
    for (const auto& link : scanner->links()) {
      if (std::find(targets.begin(), targets.end(), link.target) == targets.end()) {
        targets.push_back(link.target);
      }
    }
  }
  return targets;
}

TEST(WandbScanner, AFreshScannerResumingAtTheUnfinishedLineFindsEveryLinkWhereverTheCut) {
  const std::string log = kColouredLog +
                          "wandb: Run data is saved locally in /s/wandb/offline-run-1_2-x\r\n"
                          "wandb: \xf0\x9f\xa7\xb9 View sweep at https://wandb.ai/t/p/sweeps/s1";
  std::vector<std::string> whole;
  for (const auto& link : find_wandb_links(log)) whole.push_back(link.target);
  for (std::size_t cut = 0; cut <= log.size(); ++cut) {
    ASSERT_EQ(targets_when_resumed(log, cut), whole) << "cut at " << cut;
  }
  const std::string endless = "wandb: View run at https://wandb.ai/t/p/runs/early " +
                              std::string(200 * 1024, 'x') +
                              " wandb: View run at https://wandb.ai/t/p/runs/late\n";
  for (std::size_t cut : {std::size_t{1000}, std::size_t{150 * 1024}, endless.size() - 10}) {
    EXPECT_EQ(targets_when_resumed(endless, cut),
              std::vector<std::string>{"https://wandb.ai/t/p/runs/late"})
        << "cut at " << cut;
  }
}

TEST(WandbScanner, ReadsOnlyTheEndOfAnEndlessLineTheSameWayWholeOrInPieces) {
  const std::string log = "wandb: View run at https://wandb.ai/t/p/runs/early " +
                          std::string(200 * 1024, 'x') +
                          " wandb: View run at https://wandb.ai/t/p/runs/late\n";
  const auto whole = find_wandb_links(log);
  EXPECT_EQ(whole, std::vector<WandbLink>{run("https://wandb.ai/t/p/runs/late")});
  WandbScanner scanner;
  for (std::size_t at = 0; at < log.size(); at += 1000) {
    scanner.feed(std::string_view(log).substr(at, 1000));
  }
  scanner.finish();
  EXPECT_EQ(scanner.links(), whole);
}

}  // namespace
}  // namespace sortie::logs

#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Finding what a training job's log says about itself; here, where its W&B run lives.
namespace sortie::logs {

enum class WandbLinkKind {
  run,              // https://HOST/ENTITY/PROJECT/runs/ID
  project,          // https://HOST/ENTITY/PROJECT ("View project at")
  sweep,            // https://HOST/ENTITY/PROJECT/sweeps/ID
  offline_run_dir,  // .../wandb/offline-run-YYYYMMDD_HHMMSS-ID, to `wandb sync` later
};

// One W&B location a log printed.
struct WandbLink {
  WandbLinkKind kind = WandbLinkKind::run;
  std::string target;    // the URL, or the offline run directory as printed
  std::string run_name;  // "dazzling-sun-12" when wandb printed it for this run; else empty

  friend bool operator==(const WandbLink&, const WandbLink&) = default;
};

// Reads a log in pieces cut anywhere (inside a line, a URL, a UTF-8 character or an ANSI escape
// sequence) and finds the same links as reading it whole. Lines end at '\n' or '\r' (progress
// bars rewrite lines with '\r'); ANSI escape sequences are ignored. Only lines that contain the
// word "wandb" (as every wandb message does: "wandb: ...", "wandb sync ...") are read, and of
// a line longer than 64 KiB only its last 64 KiB.
//
// Recognised: "View run NAME at: URL" and "View run at URL" (with or without emoji), "Syncing run
// NAME" (names the next run URL printed without a name), "Synced NAME: URL" (old wandb),
// "View project at URL", "View sweep at URL", run and sweep URLs on any host (wandb.ai, a
// self-hosted server), and any path holding an "offline-run-..." directory ("Run data is saved
// locally in ...", "wandb sync ...", "Find logs at: ..."). A URL ends at white space, a quote or
// '<', '>'; trailing punctuation (".,;:!?)]}'") is not part of it. Links are kept once each
// (by kind and target), in the order first seen; a run first printed without a name gets the
// name printed later for the same URL.
class WandbScanner {
 public:
  // Reads the next piece of the log.
  void feed(std::string_view chunk);

  // Reads the last line even without a line end: call once when the log is complete (the job
  // ended). feed() after finish() starts a new line.
  void finish();

  // Every link found so far.
  const std::vector<WandbLink>& links() const { return m_links; }

  // How many of the last bytes fed belong to a line not ended yet (at most 128 KiB: of a long
  // line only its end is read). A reader that stops and later resumes with a fresh scanner
  // restarts this many bytes before the end of what it fed, and finds every link it would have
  // found reading on: a link is never cut in two.
  std::size_t unfinished_line_size() const { return m_partial.size(); }

 private:
  void read_line(std::string_view line);
  void read_clean_line(std::string_view line);
  void add(WandbLink link);

  std::string m_partial;       // the current unfinished line (its last part, for long lines)
  std::string m_pending_name;  // from "Syncing run NAME", for the next run URL without a name
  std::vector<WandbLink> m_links;
};

// All W&B links in a complete log: the same as feeding it to a WandbScanner and calling finish().
std::vector<WandbLink> find_wandb_links(std::string_view log_text);

// The escape sequences of `text` removed: CSI ("\x1b[34m"), OSC ("\x1b]8;;URL\x1b\\" or
// terminated by BEL) and two-byte escapes. An unfinished sequence at the end is dropped.
std::string strip_ansi(std::string_view text);

}  // namespace sortie::logs

// `sortie serve`: the long-running process. For now it holds the monitor: it follows every
// unfinished job of every configured cluster until they end, within the SLURM call cap.

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>

#include "sortie/cli/context.hpp"
#include "sortie/clusters/connect.hpp"
#include "sortie/jobs/monitor.hpp"

namespace sortie::cli {

namespace {

struct ServeOptions {
  int slurm_calls_per_minute = 12;
  double fastest_seconds = 3;
  double slowest_seconds = 60;
  double submit_grace_seconds = 120;
  double longest_backoff_seconds = 300;
};

std::string now_text() {
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::localtime(std::time(nullptr)));
}

// What a tick did, as one log line; nullopt for a quiet tick (nothing to say).
std::optional<std::string> describe(const std::string& cluster,
                                    const core::Result<jobs::TickReport>& report,
                                    std::map<std::string, bool>& failing) {
  if (!report) {
    // Say a failure once per streak, not on every retry.
    if (failing[cluster]) return std::nullopt;
    failing[cluster] = true;
    return fmt::format("{}: cannot follow jobs: {} (retrying with backoff)", cluster,
                       report.error().message);
  }
  std::string line;
  if (failing[cluster]) line = fmt::format("{}: reachable again", cluster);
  failing[cluster] = false;
  if (report->state_changes + report->reconciled + report->failed > 0) {
    if (!line.empty()) line += "; ";
    line += fmt::format(
        "{}: {} state change(s), {} submission(s) settled, {} failed ({} SLURM "
        "call(s))",
        cluster, report->state_changes, report->reconciled, report->failed, report->slurm_calls);
  }
  for (const auto& message : report->unknown) {
    if (!line.empty()) line += "\n" + now_text() + " ";
    line += fmt::format("{}: {}", cluster, message);
  }
  if (line.empty()) return std::nullopt;
  return line;
}

int serve(Context& context, const ServeOptions& options) {
  if (options.slurm_calls_per_minute < 1) {
    return report({core::ErrorCode::invalid_argument,
                   "--slurm-calls-per-minute must be at least 1 (each tick needs one squeue)"});
  }
  if (options.fastest_seconds <= 0 || options.slowest_seconds < options.fastest_seconds ||
      options.longest_backoff_seconds < options.fastest_seconds) {
    return report({core::ErrorCode::invalid_argument,
                   "--fastest must be above 0, and --slowest and --longest-backoff at least "
                   "--fastest (seconds)"});
  }
  auto clusters = context.clusters();
  if (!clusters) return report(clusters.error());
  auto store = context.store();
  if (!store) return report(store.error());

  // SIGINT/SIGTERM are taken by sigwait() below; block them before any thread starts so that
  // every thread inherits the mask and none is interrupted mid-tick.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // One warm Remote per cluster, made on the monitor's thread when first needed.
  std::map<std::string, std::unique_ptr<remote::Remote>> remotes;
  std::map<std::string, bool> failing;
  jobs::MonitorOptions monitor_options;
  monitor_options.pacing.slurm_calls_per_minute = options.slurm_calls_per_minute;
  monitor_options.pacing.fastest =
      std::chrono::milliseconds(static_cast<std::int64_t>(options.fastest_seconds * 1000));
  monitor_options.pacing.slowest =
      std::chrono::milliseconds(static_cast<std::int64_t>(options.slowest_seconds * 1000));
  monitor_options.pacing.longest_backoff =
      std::chrono::milliseconds(static_cast<std::int64_t>(options.longest_backoff_seconds * 1000));
  monitor_options.tracking.submit_grace =
      std::chrono::seconds(static_cast<std::int64_t>(options.submit_grace_seconds));
  monitor_options.on_tick = [&](const std::string& cluster,
                                const core::Result<jobs::TickReport>& ticked) {
    if (auto line = describe(cluster, ticked, failing)) {
      fmt::print(stderr, "{} {}\n", now_text(), *line);
    }
  };
  jobs::Monitor monitor(
      **store, (*clusters)->clusters,
      [&](const config::Cluster& cluster) -> remote::Remote& {
        auto& slot = remotes[cluster.name];
        if (!slot) slot = clusters::open_remote(cluster);
        return *slot;
      },
      monitor_options);

  fmt::print(stderr,
             "{} sortie serve: following the jobs of {} cluster(s) from {} (at most {} SLURM "
             "calls per minute per cluster); stop with Ctrl-C\n",
             now_text(), (*clusters)->clusters.size(), context.db_file,
             options.slurm_calls_per_minute);
  monitor.start();
  int received = 0;
  sigwait(&signals, &received);
  fmt::print(stderr, "{} sortie serve: {}, stopping after the tick under way\n", now_text(),
             received == SIGINT ? "interrupted" : "terminated");
  monitor.stop();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Context& context) {
  auto options = std::make_shared<ServeOptions>();
  auto* command = app.add_subcommand(
      "serve", "Run the long-lived process: follow every job until it ends (the monitor)");
  command
      ->add_option("--slurm-calls-per-minute", options->slurm_calls_per_minute,
                   "Most SLURM calls per minute per cluster, whatever the number of jobs")
      ->capture_default_str();
  command
      ->add_option("--fastest", options->fastest_seconds,
                   "Seconds between ticks right after a submission or a change")
      ->capture_default_str();
  command
      ->add_option("--slowest", options->slowest_seconds,
                   "Seconds between ticks once nothing has changed for a while")
      ->capture_default_str();
  command
      ->add_option("--longest-backoff", options->longest_backoff_seconds,
                   "Most seconds between ticks while a cluster keeps failing")
      ->capture_default_str();
  command
      ->add_option("--submit-grace", options->submit_grace_seconds,
                   "Seconds an unsettled submission may stay unseen by SLURM before it is "
                   "recorded as failed")
      ->capture_default_str();
  command->callback([&context, options] { context.status = serve(context, *options); });
}

}  // namespace sortie::cli

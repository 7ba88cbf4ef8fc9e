// What one monitor tick costs to parse for a big user: squeue output for 10,000 tracked jobs
// plus sacct output for 10,000 finished ones, in the formats of slurm/jobs.hpp, against a CPU
// budget of 50 ms per tick; and how fast logs::find_wandb_links scans a 100 MB log, next to
// `grep -c wandb` over the same bytes measured in the same run.
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "sortie/logs/wandb.hpp"
#include "sortie/slurm/jobs.hpp"

extern char** environ;

namespace {

constexpr int kJobs = 10'000;
constexpr int kRuns = 9;
constexpr double kTickBudgetMilliseconds = 50.0;
constexpr std::size_t kLogBytes = 100'000'000;

// CPU time of this thread, in seconds.
double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Times `work` kRuns times with `clock`; returns the median in seconds.
double median_of_runs(const std::function<void()>& work, double (*clock)()) {
  std::vector<double> seconds;
  for (int run = 0; run < kRuns; ++run) {
    const double start = clock();
    work();
    seconds.push_back(clock() - start);
  }
  std::ranges::sort(seconds);
  return seconds[seconds.size() / 2];
}

// squeue lines as squeue_jobs() asks for them: a mix of pending (with reasons), running, array
// tasks, completing and just-finished jobs, with long paths, comments and names.
std::string generate_squeue() {
  const std::array reasons{"Resources", "Priority", "JobHeldUser", "QOSMaxGRESPerUser",
                           "ReqNodeNotAvail, UnavailableNodes:gpu[0012-0015]"};
  std::string output;
  for (int i = 0; i < kJobs; ++i) {
    const int id = 4'000'000 + i;
    const bool array = i % 10 == 0;
    const std::string job_id =
        array ? fmt::format("{}_{}", id - i % 100, i % 100) : std::to_string(id);
    const std::string array_job = array ? std::to_string(id - i % 100) : std::to_string(id);
    const std::string task = array ? std::to_string(i % 100) : "N/A";
    const int kind = i % 5;
    const char* state = kind < 2   ? "PENDING"
                        : kind < 4 ? "RUNNING"
                                   : (i % 3 ? "COMPLETED" : "COMPLETING");
    const bool pending = kind < 2;
    output += fmt::format(
        "{}|~|{}|~|{}|~|{}|~|{}|~|alice|~|gpu|~|{}|~|{}|~|{}|~|{}|~|{}|~|{}|~|{}|~|"
        "/scratch/alice/projects/llm-pretrain/runs/exp-{}|~|"
        "/scratch/alice/projects/llm-pretrain/runs/exp-{}/slurm-{}.out|~|"
        "/scratch/alice/projects/llm-pretrain/runs/exp-{}/slurm-{}.err|~|"
        "sortie:{:08x} lr=3e-4 model=llama-7b|~|sortie-{:08x}|~|\n",
        job_id, array_job, task, state, pending ? reasons[static_cast<std::size_t>(i) % 5] : "None",
        1795943987 + i, pending ? "N/A" : "1795944000", pending ? "N/A" : "1796030400",
        pending ? "0:00" : "3-04:05:06", i % 2 ? "1-00:00:00" : "4:00:00",
        kind == 4 ? 256 * (i % 4) : 0, pending ? "" : "gpu[0001-0004]", i, i, job_id, i, job_id,
        static_cast<unsigned>(i) * 2654435761u, static_cast<unsigned>(i) * 2654435761u);
  }
  return output;
}

// sacct rows as sacct_jobs() asks for them: every end state, cancellations with uids, arrays.
std::string generate_sacct() {
  const std::array states{"COMPLETED",     "FAILED",    "CANCELLED by 1001", "TIMEOUT",
                          "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED"};
  std::string output;
  for (int i = 0; i < kJobs; ++i) {
    const int id = 3'000'000 + i;
    const std::string job_id =
        i % 10 == 0 ? fmt::format("{}_{}", id - i % 100, i % 100) : std::to_string(id);
    output += fmt::format(
        "{}|~|{}|~|{}|~|{}:{}|~|None|~|alice|~|gpu|~|{}|~|{}|~|{}|~|{}|~|1440|~|gpu[0001-0004]|~|"
        "/scratch/alice/projects/llm-pretrain/runs/exp-{}|~||~|sortie-{:08x}\n",
        job_id, id, states[static_cast<std::size_t>(i) % states.size()], i % 7 == 1 ? 1 : 0,
        i % 7 == 4 ? 9 : 0, 1795943987 + i, 1795944000 + i, 1795990000 + i, 46000 + i % 1000, i,
        static_cast<unsigned>(i) * 2654435761u);
  }
  return output;
}

// A 100 MB training log: progress bars with '\r', coloured lines, wandb's header and footer
// every ~10 MB.
std::string generate_log() {
  std::string log;
  log.reserve(kLogBytes + 4096);
  int step = 0;
  while (log.size() < kLogBytes) {
    if (step % 100'000 == 0) {
      log += fmt::format(
          "\x1b[34m\x1b[1mwandb\x1b[0m: Syncing run \x1b[33mrun-{0}\x1b[0m\n"
          "\x1b[34m\x1b[1mwandb\x1b[0m: \xf0\x9f\x9a\x80 View run at "
          "\x1b[34m\x1b[4mhttps://wandb.ai/team/proj/runs/r{0}\x1b[0m\n",
          step);
    }
    log += fmt::format(
        "step {:>7} | loss {:.4f} | lr 3.0e-04 | grad_norm 0.{:03} | tokens/s 182340 | "
        "mem 71.2GB\n",
        step, 2.0 / (1.0 + step * 1e-4), step % 1000);
    if (step % 50 == 0)
      log += " 45%|\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88     | 450/1000 [01:02<01:15]\r";
    ++step;
  }
  return log;
}

// Runs `grep -c wandb path` with its output discarded; returns its exit status.
int run_grep(const std::string& path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::string program = "grep";
  std::string flag = "-c";
  std::string pattern = "wandb";
  std::string file = path;
  std::array<char*, 5> argv{program.data(), flag.data(), pattern.data(), file.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "grep", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

template <class Parse>
double time_parse(const char* what, const std::string& output, Parse parse) {
  std::size_t count = 0;
  const double seconds = median_of_runs(
      [&] {
        auto jobs = parse(output);
        if (!jobs) {
          fmt::print(stderr, "{} failed: {}\n", what, jobs.error().message);
          std::exit(1);
        }
        count = jobs->size();
      },
      cpu_seconds);
  if (count != static_cast<std::size_t>(kJobs)) {
    fmt::print(stderr, "{} returned {} jobs, expected {}\n", what, count, kJobs);
    std::exit(1);
  }
  return seconds;
}

}  // namespace

int main() {
  const std::string squeue = generate_squeue();
  const std::string sacct = generate_sacct();
  const double squeue_ms = 1e3 * time_parse("parse_squeue_jobs", squeue, [](const auto& text) {
                             return sortie::slurm::parse_squeue_jobs(text);
                           });
  const double sacct_ms = 1e3 * time_parse("parse_sacct_jobs", sacct, [](const auto& text) {
                            return sortie::slurm::parse_sacct_jobs(text);
                          });

  const std::string log = generate_log();
  const double log_megabytes = static_cast<double>(log.size()) / 1e6;
  std::size_t links = 0;
  const double scan =
      median_of_runs([&] { links = sortie::logs::find_wandb_links(log).size(); }, wall_seconds);
  double chunked = 0;
  {
    const double start = wall_seconds();
    sortie::logs::WandbScanner scanner;
    for (std::size_t at = 0; at < log.size(); at += 1 << 20) {
      scanner.feed(std::string_view(log).substr(at, 1 << 20));
    }
    scanner.finish();
    chunked = wall_seconds() - start;
    if (scanner.links().size() != links) {
      fmt::print(stderr, "chunked scan found {} links, whole scan {}\n", scanner.links().size(),
                 links);
      return 1;
    }
  }

  char path[] = "/tmp/sortie-monitor-parse-bench-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    fmt::print(stderr, "cannot create a temporary file\n");
    return 1;
  }
  close(fd);
  std::ofstream(path, std::ios::binary) << log;
  run_grep(path);  // warm the page cache
  const double grep = median_of_runs([&] { run_grep(path); }, wall_seconds);
  std::remove(path);

  const double tick_ms = squeue_ms + sacct_ms;
  fmt::print("monitor tick parse, {} jobs each, median of {} runs (thread CPU time)\n", kJobs,
             kRuns);
  fmt::print("{:<40} {:>10} {:>12}\n", "what", "MB", "ms CPU");
  fmt::print("{:<40} {:>10.2f} {:>12.2f}\n", "parse_squeue_jobs (10k tracked jobs)",
             static_cast<double>(squeue.size()) / 1e6, squeue_ms);
  fmt::print("{:<40} {:>10.2f} {:>12.2f}\n", "parse_sacct_jobs (10k finished jobs)",
             static_cast<double>(sacct.size()) / 1e6, sacct_ms);
  fmt::print("{:<40} {:>10} {:>12.2f}\n", "one tick (both)", "", tick_ms);
  const bool tick_pass = tick_ms <= kTickBudgetMilliseconds;
  fmt::print("{}: {:.2f} ms per tick against a budget of {:.0f} ms\n\n",
             tick_pass ? "PASS" : "FAIL", tick_ms, kTickBudgetMilliseconds);

  fmt::print("W&B link scan over a {:.0f} MB log ({} links), median of {} runs (wall time)\n",
             log_megabytes, links, kRuns);
  fmt::print("{:<40} {:>10} {:>12}\n", "what", "ms", "MB/s");
  fmt::print("{:<40} {:>10.1f} {:>12.0f}\n", "logs::find_wandb_links", scan * 1e3,
             log_megabytes / scan);
  fmt::print("{:<40} {:>10.1f} {:>12.0f}\n", "WandbScanner, 1 MiB chunks (one run)", chunked * 1e3,
             log_megabytes / chunked);
  fmt::print("{:<40} {:>10.1f} {:>12.0f}\n", "grep -c wandb (incl. exec, page cache)", grep * 1e3,
             log_megabytes / grep);
  return tick_pass ? 0 : 1;
}

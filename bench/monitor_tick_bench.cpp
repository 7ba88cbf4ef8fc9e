// What one monitor tick costs with 10,000 tracked jobs: a real SQLite store holding them, a
// Remote answering squeue/sacct with generated output in SLURM's format, and jobs::Tracker::tick
// doing everything it does in `sortie serve` (one exchange, parsing, recording changes, W&B log
// scans). Prints the CPU time per tick (target <= 50 ms) next to parsing the same output alone,
// measured in the same run, and the SLURM calls per tick for 100, 1,000 and 10,000 jobs (target:
// the same for all).

#include <fmt/format.h>
#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sortie/config/clusters.hpp"
#include "sortie/jobs/track.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/slurm/jobs.hpp"
#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"

namespace {

constexpr double kTickBudgetMilliseconds = 50.0;
constexpr int kRuns = 9;

double cpu_milliseconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double median_cpu(const std::function<void()>& work) {
  std::vector<double> samples;
  for (int run = 0; run < kRuns; ++run) {
    const double start = cpu_milliseconds();
    work();
    samples.push_back(cpu_milliseconds() - start);
  }
  std::ranges::sort(samples);
  return samples[samples.size() / 2];
}

// squeue's --Format puts the delimiter after every field.
std::string fields_line(const std::vector<std::string>& fields) {
  std::string line;
  for (const auto& field : fields) line += field + "|~|";
  return line + "\n";
}

// One squeue line per job, in the field order of slurm::squeue_jobs().
std::string squeue_output(std::int64_t first_id, int count, const std::string& state) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    const std::string id = std::to_string(first_id + i);
    out += fields_line({id, id, "N/A", state, "None", "researcher", "gpu", "1795944116",
                        "1795944116", "1795944117", "1:01", "1-00:00:00", "0",
                        fmt::format("h100-{}", i % 8), "/home/researcher",
                        "/home/researcher/sortie/jobs/sortie-" + id + "." + id + ".out",
                        "/home/researcher/sortie/jobs/sortie-" + id + "." + id + ".err", "",
                        fmt::format("sortie-{:016x}", first_id + i)});
  }
  return out;
}

// Answers every squeue with `queue` and every sacct with nothing; counts what it was asked.
class CannedCluster final : public sortie::remote::Remote {
 public:
  std::string queue;
  int exchanges = 0;

  sortie::core::Result<std::vector<sortie::remote::Output>> run(
      const std::vector<sortie::remote::Command>& commands, std::chrono::milliseconds,
      sortie::remote::OnFailure) override {
    ++exchanges;
    std::vector<sortie::remote::Output> outputs;
    for (const auto& command : commands) {
      const bool squeue = std::ranges::find(command.argv, "squeue") != command.argv.end();
      outputs.push_back({0, squeue ? queue : std::string(), ""});
    }
    return outputs;
  }
  sortie::core::Result<void> write_file(const std::string&, std::string_view, unsigned) override {
    return {};
  }
  sortie::core::Result<std::string> read_file(const std::string&, std::uint64_t,
                                              std::uint64_t) override {
    return std::string();
  }
};

struct Setup {
  std::filesystem::path dir;
  std::optional<sortie::store::Database> database;
  std::optional<sortie::store::Store> store;
};

// A store with `count` submitted jobs, SLURM ids first_id.., on cluster "big".
bool fill(Setup& setup, std::int64_t first_id, int count) {
  char pattern[] = "/tmp/sortie-monitor-bench-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return false;
  setup.dir = pattern;
  auto database = sortie::store::Database::open(setup.dir / "sortie.db");
  if (!database) return false;
  setup.database.emplace(std::move(*database));
  setup.store.emplace(*setup.database);
  auto project = setup.store->create_project({"bench", "/srv/bench", {}});
  if (!project) return false;
  for (int i = 0; i < count; ++i) {
    sortie::store::NewJob job;
    job.project = project->id;
    job.cluster = sortie::store::ClusterName{"big"};
    job.submission_key = sortie::store::SubmissionKey{fmt::format("sortie-{:016x}", first_id + i)};
    job.name = "bench";
    auto created = setup.store->create_job(job);
    if (!created) return false;
    if (!setup.store->mark_submitted(created->id, sortie::store::SlurmJobId{first_id + i})) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main() {
  sortie::config::Cluster cluster;
  cluster.name = "big";
  cluster.host = "researcher@cluster.example";

  // Calls per tick for 100, 1,000 and 10,000 jobs: the first tick (sacct for all) and a steady one.
  std::vector<std::string> calls_lines;
  std::vector<Setup> setups(3);
  const int sizes[] = {100, 1'000, 10'000};
  bool calls_constant = true;
  std::optional<int> first_calls;
  std::optional<int> steady_calls;
  for (std::size_t k = 0; k < 3; ++k) {
    if (!fill(setups[k], 1'000'000, sizes[k])) {
      std::fprintf(stderr, "could not make the store\n");
      return 2;
    }
    CannedCluster remote;
    remote.queue = squeue_output(1'000'000, sizes[k], "RUNNING");
    sortie::jobs::Tracker tracker(*setups[k].store);
    auto first = tracker.tick(cluster, remote);
    auto steady = tracker.tick(cluster, remote);
    if (!first || !steady) {
      std::fprintf(stderr, "tick failed: %s\n",
                   (!first ? first.error() : steady.error()).message.c_str());
      return 2;
    }
    calls_lines.push_back(fmt::format(
        "{:>6} jobs: first tick {} SLURM calls in {} exchange, "
        "steady tick {} in {}",
        sizes[k], first->slurm_calls, first->exchanges, steady->slurm_calls, steady->exchanges));
    if (!first_calls) first_calls = first->slurm_calls;
    if (!steady_calls) steady_calls = steady->slurm_calls;
    calls_constant = calls_constant && first->slurm_calls == *first_calls &&
                     steady->slurm_calls == *steady_calls && first->exchanges == 1 &&
                     steady->exchanges == 1;
  }

  // CPU per tick with 10,000 jobs.
  Setup& big = setups[2];
  CannedCluster remote;
  const std::string running = squeue_output(1'000'000, 10'000, "RUNNING");
  remote.queue = running;
  sortie::jobs::Tracker tracker(*big.store);
  (void)tracker.tick(cluster, remote);
  const double steady = median_cpu([&] { (void)tracker.tick(cluster, remote); });
  // A tick where 1,000 of the 10,000 jobs change state (recorded with an event each).
  std::int64_t flip = 0;
  const double busy = median_cpu([&] {
    std::string queue = running;
    const std::string from = flip % 2 == 0 ? "RUNNING" : "COMPLETING";
    const std::string to = flip % 2 == 0 ? "COMPLETING" : "RUNNING";
    ++flip;
    std::size_t at = 0;
    for (int i = 0; i < 1'000; ++i) {
      at = queue.find("|~|" + from + "|~|", at);
      queue.replace(at + 3, from.size(), to);
      at = queue.find('\n', at);
    }
    remote.queue = queue;
    (void)tracker.tick(cluster, remote);
  });
  remote.queue = running;
  (void)tracker.tick(cluster, remote);
  const double parse_only = median_cpu([&] {
    auto parsed = sortie::slurm::parse_squeue_jobs(running);
    if (!parsed || parsed->size() != 10'000) std::abort();
  });
  const double read_only = median_cpu([&] {
    auto jobs = big.store->unfinished_jobs(sortie::store::ClusterName{"big"});
    if (!jobs || jobs->size() != 10'000) std::abort();
  });

  fmt::print("SLURM calls per tick (target: independent of the number of jobs):\n");
  for (const auto& line : calls_lines) fmt::print("  {}\n", line);
  fmt::print("CPU per tick with 10,000 tracked jobs (median of {}):\n", kRuns);
  fmt::print("  steady tick (nothing changed)            {:8.2f} ms\n", steady);
  fmt::print("  tick where 1,000 jobs change state       {:8.2f} ms\n", busy);
  fmt::print("  baseline: parsing the squeue output alone {:7.2f} ms\n", parse_only);
  fmt::print("  of which: reading the 10,000 unfinished jobs from SQLite {:7.2f} ms\n", read_only);
  fmt::print("  steady tick / parsing alone = {:.1f}x\n", steady / parse_only);
  const bool fast = steady <= kTickBudgetMilliseconds;
  fmt::print("{}: steady tick {:.2f} ms against {:.0f} ms; calls per tick {}\n",
             fast && calls_constant ? "PASS" : "FAIL", steady, kTickBudgetMilliseconds,
             calls_constant ? "independent of the job count" : "GROW with the job count");
  for (auto& setup : setups) {
    setup.store.reset();
    setup.database.reset();
    std::error_code ignored;
    std::filesystem::remove_all(setup.dir, ignored);
  }
  return fast && calls_constant ? 0 : 1;
}

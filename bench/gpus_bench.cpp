// `sortie gpus` on the sandbox cluster over a warm SSH session, next to the raw SLURM calls
// it makes, timed over the same session in the same run. Target: sortie's own share of the
// wall time (parsing, arithmetic, framing) under 10%.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "sortie/clusters/connect.hpp"
#include "sortie/config/clusters.hpp"
#include "sortie/gpus/availability.hpp"
#include "sortie/gpus/query.hpp"
#include "sortie/remote/local_remote.hpp"
#include "sortie/slurm/commands.hpp"
#include "sortie/slurm/node.hpp"
#include "sortie/slurm/squeue.hpp"
#include "tests/integration/sandbox.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kRuns = 40;
constexpr double kTargetShare = 0.10;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[index];
}

[[noreturn]] void die(const std::string& message) {
  fmt::print(stderr, "gpus_bench: {}\n", message);
  std::exit(1);
}

}  // namespace

int main() {
  using namespace sortie;
  const auto sandbox = sortie::testing::sandbox();
  auto clusters = config::load_clusters(sandbox.clusters_yaml);
  if (!clusters) die(clusters.error().message + " (start the sandbox: make sandbox)");
  auto cluster = clusters->find("sandbox");
  if (!cluster) die(cluster.error().message);
  auto remote = clusters::open_remote(**cluster);
  const std::vector<remote::Command> raw_commands = {slurm::show_nodes(), slurm::pending_jobs()};

  // Warm up: connect, start the login shell.
  const auto cold_start = Clock::now();
  if (auto first = gpus::query(*remote, {}, "sandbox", 30s); !first) die(first.error().message);
  const double cold = milliseconds_since(cold_start);

  // Interleave the two measurements so drift on the machine affects both alike.
  std::vector<double> sortie_times, raw_times, local_times, pure_times;
  setenv("SLURM_CONF", sandbox.slurm_conf.c_str(), 1);
  remote::LocalRemote local;
  for (int i = 0; i < kRuns; ++i) {
    auto start = Clock::now();
    auto availability = gpus::query(*remote, {}, "sandbox", 30s);
    sortie_times.push_back(milliseconds_since(start));
    if (!availability) die(availability.error().message);

    start = Clock::now();
    auto outputs = remote->run(raw_commands, 30s, remote::OnFailure::continue_batch);
    raw_times.push_back(milliseconds_since(start));
    if (!outputs) die(outputs.error().message);

    start = Clock::now();
    auto local_outputs = local.run(raw_commands, 30s, remote::OnFailure::continue_batch);
    local_times.push_back(milliseconds_since(start));
    if (!local_outputs) die(local_outputs.error().message);

    // sortie's own work on this output: check, parse, compute.
    start = Clock::now();
    auto nodes = slurm::parse_nodes((*outputs)[0].out);
    auto pending = slurm::parse_pending_jobs((*outputs)[1].out);
    if (!nodes || !pending) die("captured output did not parse");
    auto computed = gpus::compute(*nodes, *pending, {});
    pure_times.push_back(milliseconds_since(start));
    if (computed.gpu_types.empty()) die("no GPUs on the sandbox?");
  }

  const double sortie_median = percentile(sortie_times, 0.5);
  const double raw_median = percentile(raw_times, 0.5);
  const double pure_median = percentile(pure_times, 0.5);
  const double overhead = std::max(0.0, sortie_median - raw_median);
  const double share = overhead / sortie_median;

  fmt::print("sortie gpus on the sandbox over SSH ({} runs each, interleaved)\n\n", kRuns);
  fmt::print("{:<58} {:>9} {:>9}\n", "", "median", "p90");
  auto row = [](const std::string& name, const std::vector<double>& values) {
    fmt::print("{:<58} {:>6.2f} ms {:>6.2f} ms\n", name, percentile(values, 0.5),
               percentile(values, 0.9));
  };
  row("gpus::query (warm pooled session)", sortie_times);
  row("raw scontrol + squeue over the same session, one batch", raw_times);
  row("raw scontrol + squeue run locally (no SSH)", local_times);
  row("sortie's own parse + compute on that output", pure_times);
  fmt::print("{:<58} {:>6.2f} ms\n", "first query, including connect and login shell", cold);
  fmt::print("\nsortie's own share of the wall time: {:.1f}% (query - raw) / query; "
             "parse+compute alone: {:.1f}%\n",
             share * 100, pure_median / sortie_median * 100);
  const bool pass = share < kTargetShare && pure_median / sortie_median < kTargetShare;
  fmt::print("target < {:.0f}%: {}\n", kTargetShare * 100, pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}

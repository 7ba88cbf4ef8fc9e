// How fast sortie reads `scontrol -d -o show node` of a large cluster, next to `grep -c` over the
// same bytes measured in the same run. Target: slurm::parse_nodes at >= 200 MB/s.
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
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

#include "sortie/gpus/availability.hpp"
#include "sortie/slurm/node.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kNodes = 10'000;
constexpr int kRuns = 9;
constexpr double kTargetMegabytesPerSecond = 200.0;

struct NodeKind {
  const char* gres;
  const char* used_busy;
  const char* used_idle;
};

// A realistic 10,000-node output: several GPU types (typed with socket notes, untyped,
// multi-type, shards), every common state, OS values with spaces, drain reasons with spaces
// and Key=value-looking words, comments; 800-1000 bytes a line like real 22.05-24.x output.
std::string generate_output() {
  const std::array kinds{
      NodeKind{"gpu:h100:8(S:0-1)", "gpu:h100:5(IDX:0-4)", "gpu:h100:0(IDX:N/A)"},
      NodeKind{"gpu:nvidia_a100-sxm4-80gb:4(S:0)", "gpu:nvidia_a100-sxm4-80gb:4(IDX:0-3)",
               "gpu:nvidia_a100-sxm4-80gb:0(IDX:N/A)"},
      NodeKind{"gpu:4(S:0-1)", "gpu:(null):2(IDX:0,3)", "gpu:(null):0(IDX:N/A)"},
      NodeKind{"gpu:1080ti:1(S:0),gpu:980gtx:1(S:1)", "gpu:1080ti:1(IDX:0),gpu:980gtx:0(IDX:N/A)",
               "gpu:1080ti:0(IDX:N/A),gpu:980gtx:0(IDX:N/A)"},
      NodeKind{"gpu:h100:1,shard:h100:2", "gpu:h100:1(IDX:0),shard:h100:0(0/2)",
               "gpu:h100:0(IDX:N/A),shard:h100:0(0/2)"},
      NodeKind{"(null)", "(null)", "(null)"},
  };
  const std::array states{"IDLE",
                          "MIXED",
                          "ALLOCATED",
                          "MIXED+DRAIN",
                          "IDLE+CLOUD+POWERED_DOWN",
                          "DOWN+NOT_RESPONDING",
                          "ALLOCATED+COMPLETING",
                          "IDLE+POWERING_UP",
                          "IDLE+DRAIN+MAINTENANCE+RESERVED",
                          "MIXED"};
  std::string output;
  output.reserve(static_cast<std::size_t>(kNodes) * 1000);
  for (int i = 0; i < kNodes; ++i) {
    const auto& kind = kinds[static_cast<std::size_t>(i % 6)];
    const std::string_view state = states[static_cast<std::size_t>(i / 6) % states.size()];
    const bool busy = state.starts_with("MIXED") || state.starts_with("ALLOC");
    const std::string name = fmt::format("gpu{:05}", i);
    output += fmt::format(
        "NodeName={} Arch=x86_64 CoresPerSocket=32  CPUAlloc={} CPUEfctv=128 CPUTot=128 "
        "CPULoad={}.{:02} AvailableFeatures=gpu,ib,nvme,rack{} ActiveFeatures=gpu,ib,nvme,rack{} "
        "Gres={} GresDrain=N/A GresUsed={} NodeAddr=10.{}.{}.{} NodeHostName={} Port=6818 "
        "Version=23.11.4 OS=Linux 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 "
        "(2024-02-01)  RealMemory=1031000 AllocMem={} FreeMem={} Sockets=2 Boards=1 State={} "
        "ThreadsPerCore=2 TmpDisk=3500000 Weight=10 Owner=N/A MCS_label=N/A "
        "Partitions=gpu,{}  BootTime=2026-11-01T06:12:44 SlurmdStartTime=2026-11-01T06:14:02 "
        "LastBusyTime=2026-11-29T08:12:09 ResumeAfterTime=None "
        "CfgTRES=cpu=128,mem=1031000M,billing=128,gres/gpu=8,gres/gpu:h100=8 "
        "AllocTRES=cpu={},mem={}M,gres/gpu={} CapWatts=n/a CurrentWatts=0 AveWatts=0 "
        "ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s",
        name, busy ? 64 : 0, i % 64, i % 100, i % 40, i % 40, kind.gres,
        busy ? kind.used_busy : kind.used_idle, i / 65536, (i / 256) % 256, i % 256, name,
        busy ? 512000 : 0, 900000 - i % 1000, state, i % 3 == 0 ? "long" : "short", busy ? 64 : 0,
        busy ? 512000 : 0, busy ? 4 : 0);
    if (state.find("DRAIN") != std::string_view::npos || state.starts_with("DOWN")) {
      output += fmt::format(
          " Reason=nvidia-smi reports Xid 79 on GPU 3 Temp=91C, fell off the bus [root@"
          "2026-11-28T2{}:14:55]",
          i % 4);
    }
    if (i % 7 == 0) output += " Comment=rack 12 row B; replaced PSU 2026-10-02";
    output += '\n';
  }
  return output;
}

// Times `work` kRuns times; returns the sorted durations in seconds.
std::vector<double> time_runs(const std::function<void()>& work) {
  std::vector<double> seconds;
  for (int run = 0; run < kRuns; ++run) {
    const auto start = Clock::now();
    work();
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::ranges::sort(seconds);
  return seconds;
}

// Runs `grep -c NodeName= path` with its output discarded; returns its exit status.
int run_grep(const std::string& path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::string program = "grep";
  std::string flag = "-c";
  std::string pattern = "NodeName=";
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

}  // namespace

int main() {
  const std::string output = generate_output();
  const double megabytes = static_cast<double>(output.size()) / 1e6;
  fmt::print("scontrol -d -o show node, {} nodes: {:.2f} MB ({} bytes/line on average)\n", kNodes,
             megabytes, output.size() / kNodes);

  std::size_t parsed_nodes = 0;
  std::vector<sortie::slurm::Node> nodes;
  const auto parse = time_runs([&] {
    auto result = sortie::slurm::parse_nodes(output);
    if (!result) {
      fmt::print(stderr, "parse_nodes failed: {}\n", result.error().message);
      std::exit(1);
    }
    parsed_nodes = result->size();
    nodes = std::move(*result);
  });
  if (parsed_nodes != static_cast<std::size_t>(kNodes)) {
    fmt::print(stderr, "parse_nodes returned {} nodes, expected {}\n", parsed_nodes, kNodes);
    return 1;
  }

  char path[] = "/tmp/sortie-parse-nodes-bench-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    fmt::print(stderr, "cannot create a temporary file\n");
    return 1;
  }
  close(fd);
  std::ofstream(path, std::ios::binary) << output;
  run_grep(path);  // warm the page cache
  int grep_status = 0;
  const auto grep = time_runs([&] { grep_status = run_grep(path); });
  std::remove(path);
  if (grep_status != 0) fmt::print(stderr, "note: grep exited with status {}\n", grep_status);

  const auto pending = std::vector<sortie::slurm::PendingJob>{};
  const auto compute = time_runs([&] { (void)sortie::gpus::compute(nodes, pending, {}); });

  auto rate = [&](double seconds) { return megabytes / seconds; };
  const double parse_best = parse.front();
  const double parse_median = parse[parse.size() / 2];
  const double grep_best = grep.front();
  const double grep_median = grep[grep.size() / 2];
  fmt::print("\n{:<34} {:>10} {:>10} {:>12} {:>12}\n", "what (" + std::to_string(kRuns) + " runs)",
             "best ms", "median ms", "best MB/s", "median MB/s");
  fmt::print("{:<34} {:>10.2f} {:>10.2f} {:>12.1f} {:>12.1f}\n", "slurm::parse_nodes",
             parse_best * 1e3, parse_median * 1e3, rate(parse_best), rate(parse_median));
  fmt::print("{:<34} {:>10.2f} {:>10.2f} {:>12.1f} {:>12.1f}\n", "grep -c NodeName= (incl. exec)",
             grep_best * 1e3, grep_median * 1e3, rate(grep_best), rate(grep_median));
  fmt::print("{:<34} {:>10.2f} {:>10.2f} {:>12} {:>12}\n", "gpus::compute (10k nodes)",
             compute.front() * 1e3, compute[compute.size() / 2] * 1e3, "-", "-");
  fmt::print("\nparse_nodes / grep (median throughput): {:.2f}x\n",
             rate(parse_median) / rate(grep_median));
  const bool pass = rate(parse_median) >= kTargetMegabytesPerSecond;
  fmt::print("{}: parse_nodes median {:.1f} MB/s against a target of {:.0f} MB/s\n",
             pass ? "PASS" : "FAIL", rate(parse_median), kTargetMegabytesPerSecond);
  return pass ? 0 : 1;
}

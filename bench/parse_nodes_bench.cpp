// How fast sortie reads `scontrol -d -o show node` of a large cluster, next to `grep -c` over the
// same bytes measured in the same run. Targets: slurm::parse_nodes at >= 200 MB/s, and the real
// `sortie gpus` (process start, the cluster's two commands, parsing, arithmetic and the printed
// table or JSON) over a local cluster of 10,000 nodes at most 10x `grep -c NodeName=` run as a
// process over the same bytes.
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sortie/gpus/availability.hpp"
#include "sortie/slurm/node.hpp"
#include "sortie/slurm/squeue.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kNodes = 10'000;
constexpr int kRuns = 9;
constexpr double kTargetMegabytesPerSecond = 200.0;
constexpr int kPendingJobs = 3'000;
constexpr int kEndToEndRuns = 15;
constexpr double kTargetRatio = 10.0;

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

// Pending jobs as the squeue of slurm::pending_jobs() prints them on SLURM 24.11 (`gres/`
// names): per-node, per-job and per-task requests, typed and untyped, array tasks, several
// partitions, jobs asking for no GPU.
std::string generate_pending() {
  const std::array requests{
      "gres/gpu:h100:8|N/A|N/A|",
      "N/A|gres/gpu:3|N/A|",
      "gres/gpu:2|N/A|N/A|",
      "N/A|N/A|gres/gpu=1|",
      "N/A|N/A|N/A|",
      "gres/gpu:nvidia_a100-sxm4-80gb:4|N/A|N/A|",
      "N/A|gres/gpu:h100=2|N/A|",
      "gres/gpu:1080ti:1,gres/gpu:980gtx:1|N/A|N/A|",
  };
  std::string output;
  for (int i = 0; i < kPendingJobs; ++i) {
    const std::string id =
        i % 5 == 0 ? fmt::format("{}_{}", 100000 + i / 5 * 5, i % 7) : std::to_string(100000 + i);
    output += fmt::format("{}|{}|{}|{}|{}\n", id, i % 3 == 0 ? "gpu,long" : "gpu", 1 + i % 2,
                          1 + i % 4, requests[static_cast<std::size_t>(i) % requests.size()]);
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

// What a child printed and how it ended.
struct Finished {
  int status = -1;  // exit status, -1 when it did not start or was killed
  std::string out;
};

// Runs `argv` (argv[0] searched in PATH) with `environment`, stdin from /dev/null, stderr kept,
// and reads all it prints on stdout through a pipe, as a terminal or a script would.
Finished run_program(std::vector<std::string> argv, char** environment) {
  Finished finished;
  std::array<int, 2> pipe_fds{};
  if (pipe(pipe_fds.data()) != 0) return finished;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  std::vector<char*> arguments;
  for (auto& word : argv) arguments.push_back(word.data());
  arguments.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      posix_spawnp(&pid, arguments[0], &actions, nullptr, arguments.data(), environment);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned == 0) {
    std::array<char, 65536> buffer{};
    while (true) {
      const ssize_t got = read(pipe_fds[0], buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      finished.out.append(buffer.data(), static_cast<std::size_t>(got));
    }
  }
  close(pipe_fds[0]);
  if (spawned != 0) return finished;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  finished.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return finished;
}

void write_file(const std::filesystem::path& path, std::string_view content) {
  std::ofstream(path, std::ios::binary) << content;
}

// A local cluster (`host: local`) whose `scontrol` and `squeue` are scripts printing the
// generated files, found first in PATH: `sortie gpus` runs exactly as on a login node.
struct FakeCluster {
  std::filesystem::path folder;
  std::filesystem::path nodes_file;
  std::filesystem::path pending_file;
  std::filesystem::path clusters_yaml;
  std::vector<std::string> environment_text;
  std::vector<char*> environment;

  FakeCluster(std::string_view nodes, std::string_view pending) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sortie-gpus-e2e-XXXXXX").string();
    folder = mkdtemp(pattern.data());
    nodes_file = folder / "scontrol-show-node.txt";
    pending_file = folder / "squeue-pending.txt";
    write_file(nodes_file, nodes);
    write_file(pending_file, pending);
    std::filesystem::create_directory(folder / "bin");
    for (const auto& [program, file] :
         {std::pair{"scontrol", nodes_file}, std::pair{"squeue", pending_file}}) {
      const auto script = folder / "bin" / program;
      write_file(script, fmt::format("#!/bin/sh\nexec cat '{}'\n", file.string()));
      std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    }
    clusters_yaml = folder / "clusters.yaml";
    write_file(clusters_yaml, "clusters:\n  - name: big\n    host: local\n");
    for (char** variable = environ; *variable != nullptr; ++variable) {
      std::string_view text = *variable;
      if (text.starts_with("PATH=")) {
        environment_text.push_back(
            fmt::format("PATH={}:{}", (folder / "bin").string(), text.substr(5)));
      } else {
        environment_text.emplace_back(text);
      }
    }
    for (auto& text : environment_text) environment.push_back(text.data());
    environment.push_back(nullptr);
  }
  FakeCluster(const FakeCluster&) = delete;
  FakeCluster& operator=(const FakeCluster&) = delete;
  ~FakeCluster() { std::filesystem::remove_all(folder); }

  Finished gpus(bool json) {
    std::vector<std::string> argv{
        SORTIE_BINARY, "--config", clusters_yaml.string(), "--db", (folder / "sortie.db").string(),
        "gpus",        "big"};
    if (json) argv.emplace_back("--json");
    return run_program(std::move(argv), environment.data());
  }
  Finished grep() {
    return run_program({"grep", "-c", "NodeName=", nodes_file.string(), pending_file.string()},
                       environment.data());
  }
};

double median(std::vector<double> values) {
  std::ranges::sort(values);
  return values[values.size() / 2];
}

double seconds_of(const std::function<void()>& work) {
  const auto start = Clock::now();
  work();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// `sortie gpus` (table and --json) end to end next to grep, interleaved so drift on the shared
// machine hits all three alike. Returns whether both stay within kTargetRatio.
bool end_to_end(std::string_view nodes, std::string_view pending) {
  FakeCluster cluster(nodes, pending);
  const double megabytes = static_cast<double>(nodes.size() + pending.size()) / 1e6;
  auto printed = [](const Finished& finished, std::string_view what, std::string_view expect) {
    if (finished.status == 0 && finished.out.find(expect) != std::string::npos) return true;
    fmt::print(stderr, "FAIL: {} failed (status {}), printed:\n{}\n", what, finished.status,
               finished.out.substr(0, 2000));
    return false;
  };
  // Warm up the page cache and check what each prints: a wrong answer fast is no figure.
  if (!printed(cluster.grep(), "grep", ":10000") ||
      !printed(cluster.gpus(false), "sortie gpus", "h100") ||
      !printed(cluster.gpus(true), "sortie gpus --json", "\"gpu_types\"")) {
    return false;
  }

  std::vector<double> grep_times, table_times, json_times;
  for (int run = 0; run < kEndToEndRuns; ++run) {
    grep_times.push_back(seconds_of([&] { (void)cluster.grep(); }));
    table_times.push_back(seconds_of([&] { (void)cluster.gpus(false); }));
    json_times.push_back(seconds_of([&] { (void)cluster.gpus(true); }));
  }
  const double grep_median = median(grep_times);
  const double table_ratio = median(table_times) / grep_median;
  const double json_ratio = median(json_times) / grep_median;
  fmt::print(
      "\nend to end over a local cluster, {:.2f} MB of scontrol + squeue ({} runs each, "
      "interleaved)\n",
      megabytes, kEndToEndRuns);
  fmt::print("{:<46} {:>10} {:>8}\n", "what", "median ms", "x grep");
  fmt::print("{:<46} {:>10.2f} {:>8.2f}\n", "grep -c NodeName= (process, same bytes)",
             grep_median * 1e3, 1.0);
  fmt::print("{:<46} {:>10.2f} {:>8.2f}\n", "sortie gpus big (process, table)",
             median(table_times) * 1e3, table_ratio);
  fmt::print("{:<46} {:>10.2f} {:>8.2f}\n", "sortie gpus big --json (process)",
             median(json_times) * 1e3, json_ratio);
  const bool pass = table_ratio <= kTargetRatio && json_ratio <= kTargetRatio;
  fmt::print(
      "{}: sortie gpus end to end {:.2f}x (table) and {:.2f}x (--json) grep, target "
      "<= {:.0f}x\n",
      pass ? "PASS" : "FAIL", table_ratio, json_ratio, kTargetRatio);
  return pass;
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

  const std::string pending_output = generate_pending();
  auto pending = sortie::slurm::parse_pending_jobs(pending_output);
  if (!pending) {
    fmt::print(stderr, "parse_pending_jobs failed: {}\n", pending.error().message);
    return 1;
  }
  const auto compute = time_runs([&] { (void)sortie::gpus::compute(nodes, *pending, {}); });

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
  fmt::print("{:<34} {:>10.2f} {:>10.2f} {:>12} {:>12}\n",
             fmt::format("gpus::compute ({}k nodes, {}k jobs)", kNodes / 1000, kPendingJobs / 1000),
             compute.front() * 1e3, compute[compute.size() / 2] * 1e3, "-", "-");
  fmt::print("\nparse_nodes / grep (median throughput): {:.2f}x\n",
             rate(parse_median) / rate(grep_median));
  const bool parse_pass = rate(parse_median) >= kTargetMegabytesPerSecond;
  fmt::print("{}: parse_nodes median {:.1f} MB/s against a target of {:.0f} MB/s\n",
             parse_pass ? "PASS" : "FAIL", rate(parse_median), kTargetMegabytesPerSecond);

  const bool end_to_end_pass = end_to_end(output, pending_output);
  return parse_pass && end_to_end_pass ? 0 : 1;
}

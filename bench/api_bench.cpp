// How fast a real `sortie serve` answers its REST API, measured with wrk over loopback.
//
// Seeds databases of 1,000 and 10,000 finished jobs through the Store API (so the monitor is
// idle), starts `sortie serve` on each with the sandbox cluster configured, and prints from one
// run, each figure next to its target with PASS/FAIL:
//   GET /api/jobs/ (default page) req/s; GET /api/jobs/?limit=1000 req/s and its size;
//   GET /api/clusters/sandbox/gpu-availability p99 from the cache; the server's VmRSS after the
//   runs on 10,000 jobs; the web UI's first-load JS gzipped (index.html's scripts); and a warm
//   submit through POST /api/jobs (median of 20) next to a fresh OpenSSH `sbatch --hold` of the
//   same script and a local `sbatch --hold` (the physical limit), as bench/submit_bench.cpp does.
// wrk: 2 threads, 16 connections, 10 s. Every job it submits is cancelled at the end.

#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "sortie/remote/process.hpp"
#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"
#include "tests/integration/api/http_client.hpp"
#include "tests/integration/sandbox.hpp"

#ifndef SORTIE_SOURCE_DIR
// Benches are built from bench/ of the source tree; the source tree is one level up.
#define SORTIE_SOURCE_DIR (std::filesystem::path(__FILE__).parent_path().parent_path().string())
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using sortie::remote::Command;
using sortie::testing::http_request;

[[noreturn]] void die(const std::string& message) {
  fmt::print(stderr, "api_bench: {}\n", message);
  std::exit(2);
}

template <class T>
T check(sortie::core::Result<T> result) {
  if (!result) die(result.error().message);
  return std::move(*result);
}

// Whole output of `bash -c script`; dies when it fails.
std::string shell(const std::string& script, std::chrono::seconds limit = 60s) {
  auto output = sortie::remote::run_process(Command{{"bash", "-c", script}, std::nullopt},
                                            sortie::remote::deadline_after(limit));
  if (!output) die(output.error().message);
  if (output->exit_code != 0) die(fmt::format("`{}` failed: {}{}", script, output->out, output->err));
  return output->out;
}

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// `count` finished jobs of one project on the cluster "sandbox", 500 per transaction.
void seed(const fs::path& database_file, int count) {
  auto database = check(sortie::store::Database::open(database_file));
  sortie::store::Store store(database);
  sortie::store::NewProject project_spec;
  project_spec.name = "bench";
  project_spec.path = "/srv/bench";
  const auto project = check(store.create_project(project_spec)).id;
  const std::string script = "#!/bin/bash\n#SBATCH --partition=debug\n#SBATCH --time=10\n" +
                             std::string(600, '#') + "\npython train.py\n";
  for (int batch = 0; batch < count; batch += 500) {
    auto written = database.transaction([&]() -> sortie::core::Result<void> {
      for (int index = batch; index < std::min(count, batch + 500); ++index) {
        sortie::store::NewJob job;
        job.project = project;
        job.cluster = sortie::store::ClusterName{"sandbox"};
        job.submission_key = sortie::store::SubmissionKey{fmt::format("sortie-{:016x}", index)};
        job.name = fmt::format("train-{}", index);
        job.command = "python train.py";
        job.arguments = {"optimizer.lr=0.001", fmt::format("seed={}", index)};
        job.resources.partition = "debug";
        job.resources.gpu_count = 1;
        job.resources.time_limit_minutes = 10;
        job.code.commit = "0123456789abcdef0123456789abcdef01234567";
        auto created = store.create_job(job);
        if (!created) return std::unexpected(created.error());
        const std::string key = job.submission_key.value;
        auto rendered = store.record_rendered(
            created->id, {"/home/researcher/sortie", script,
                          "/home/researcher/sortie/jobs/" + key + ".out",
                          "/home/researcher/sortie/jobs/" + key + ".err"});
        if (!rendered) return std::unexpected(rendered.error());
        auto submitted =
            store.mark_submitted(created->id, sortie::store::SlurmJobId{1'000'000 + index});
        if (!submitted) return std::unexpected(submitted.error());
        sortie::store::StateUpdate done;
        done.state = index % 7 == 0 ? sortie::slurm::JobState::failed
                                    : sortie::slurm::JobState::completed;
        done.exit_code = index % 7 == 0 ? 1 : 0;
        done.nodes = "gpu-1";
        done.elapsed_seconds = 60 + index % 600;
        auto recorded = store.record_state(created->id, done);
        if (!recorded) return std::unexpected(recorded.error());
      }
      return {};
    });
    if (!written) die(written.error().message);
  }
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// `sortie serve` on loopback, stopped on destruction.
class Serve {
 public:
  Serve(const fs::path& database, const fs::path& log) : m_port(free_port()) {
    const auto sandbox = sortie::testing::sandbox();
    std::vector<std::string> arguments = {
        SORTIE_BINARY, "--config", sandbox.clusters_yaml, "--db", database.string(), "serve",
        "--listen", fmt::format("127.0.0.1:{}", m_port),
        // wrk sends no credential; the Host and Origin checks still run on every request.
        "--no-local-auth"};
    m_pid = ::fork();
    if (m_pid == 0) {
      if (!std::freopen(log.c_str(), "a", stderr)) ::_exit(126);
      std::vector<char*> argv;
      for (auto& argument : arguments) argv.push_back(argument.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (http_request(m_port, "GET", "/api/health", std::nullopt, {}, 2s).status != 200) {
      if (std::chrono::steady_clock::now() > deadline) die("sortie serve did not start; see " + log.string());
      std::this_thread::sleep_for(50ms);
    }
  }
  ~Serve() {
    ::kill(m_pid, SIGTERM);
    ::waitpid(m_pid, nullptr, 0);
  }
  Serve(const Serve&) = delete;
  Serve& operator=(const Serve&) = delete;

  int port() const { return m_port; }
  std::string url(const std::string& path) const {
    return fmt::format("http://127.0.0.1:{}{}", m_port, path);
  }
  // VmRSS in MB, from /proc.
  double rss_mb() const {
    std::ifstream status(fmt::format("/proc/{}/status", m_pid));
    std::string line;
    while (std::getline(status, line)) {
      if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024.0;
    }
    return -1;
  }

 private:
  int m_port;
  pid_t m_pid = -1;
};

struct WrkFigures {
  double requests_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

double milliseconds_of(const std::string& text) {
  std::smatch found;
  if (!std::regex_search(text, found, std::regex(R"(([0-9.]+)(us|ms|s)\b)"))) return -1;
  const double value = std::stod(found[1]);
  if (found[2] == "us") return value / 1000;
  if (found[2] == "s") return value * 1000;
  return value;
}

WrkFigures wrk(const std::string& url) {
  const auto out = shell(fmt::format("wrk -t2 -c16 -d10s --latency {}", quote(url)), 60s);
  WrkFigures figures;
  std::smatch found;
  if (std::regex_search(out, found, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) {
    figures.requests_per_second = std::stod(found[1]);
  }
  if (std::regex_search(out, found, std::regex(R"(\n\s+50%\s+(\S+))"))) {
    figures.p50_ms = milliseconds_of(found[1]);
  }
  if (std::regex_search(out, found, std::regex(R"(\n\s+99%\s+(\S+))"))) {
    figures.p99_ms = milliseconds_of(found[1]);
  }
  // Non-2xx answers mean the figure is not of the call asked for.
  if (out.find("Non-2xx") != std::string::npos || out.find("Socket errors") != std::string::npos) {
    fmt::print("  wrk reported errors for {}:\n{}", url, out);
  }
  return figures;
}

bool g_all_passed = true;

void line(const std::string& what, const std::string& figure, const std::string& target,
          bool passed) {
  g_all_passed = g_all_passed && passed;
  fmt::print("{:<58} {:>16}   target {:<14} {}\n", what, figure, target, passed ? "PASS" : "FAIL");
}

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

template <typename Operation>
double median_ms(int runs, Operation operation) {
  std::vector<double> samples;
  for (int run = 0; run < runs; ++run) {
    const auto started = std::chrono::steady_clock::now();
    operation();
    samples.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
  }
  return median(samples);
}

// The web UI's first load: index.html and the scripts it names, each gzipped (-9).
void web_ui_size() {
  const fs::path web = fs::path(SORTIE_BINARY).parent_path() / "web";
  if (!fs::exists(web / "index.html")) {
    fmt::print("{:<58} {:>16}   target {:<14} SKIP (no {}; build the web UI)\n",
               "web UI first-load JS, gzipped", "-", "<= 300 KB", (web / "index.html").string());
    return;
  }
  std::ifstream index(web / "index.html");
  const std::string html((std::istreambuf_iterator<char>(index)), {});
  std::vector<fs::path> scripts;
  const std::regex reference(R"re((?:src|href)="/?([^"]+\.m?js)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
       it != std::sregex_iterator(); ++it) {
    const fs::path file = web / (*it)[1].str();
    if (!(*it)[1].str().starts_with("docs/") && fs::exists(file)) scripts.push_back(file);
  }
  std::size_t total = 0;
  for (const auto& script : scripts) {
    total += std::stoul(shell("gzip -9 -c " + quote(script.string()) + " | wc -c"));
  }
  line(fmt::format("web UI first-load JS, gzipped ({} file(s))", scripts.size()),
       fmt::format("{:.1f} KB", static_cast<double>(total) / 1024.0), "<= 300 KB", !scripts.empty() && total <= 300 * 1024);
}

}  // namespace

int main() {
  if (shell("command -v wrk || true").empty()) die("wrk is not installed: apt-get install wrk");
  const auto sandbox = sortie::testing::sandbox();
  std::string pattern = "/var/tmp/sortie-test-remotes/api-bench-XXXXXX";
  fs::create_directories("/var/tmp/sortie-test-remotes");
  if (!mkdtemp(pattern.data())) die("mkdtemp failed");
  const fs::path dir = pattern;

  seed(dir / "jobs-10k.db", 10'000);
  seed(dir / "jobs-1k.db", 1'000);
  fmt::print("{:<58} {:>16}   {:<21} {}\n", "figure (wrk -t2 -c16 -d10s, loopback)", "measured",
             "", "");

  {
    Serve serve(dir / "jobs-10k.db", dir / "serve-10k.log");
    auto page = wrk(serve.url("/api/jobs/"));
    line("10k jobs: GET /api/jobs/ (default page of 50)",
         fmt::format("{:.0f} req/s", page.requests_per_second), ">= 5000 req/s",
         page.requests_per_second >= 5000);
    auto big = wrk(serve.url("/api/jobs/?limit=1000"));
    const auto size = http_request(serve.port(), "GET", "/api/jobs/?limit=1000").body.size();
    line(fmt::format("10k jobs: GET /api/jobs/?limit=1000 ({:.0f} KB each)", static_cast<double>(size) / 1024.0),
         fmt::format("{:.0f} req/s", big.requests_per_second), ">= 300 req/s",
         big.requests_per_second >= 300);
    const double rss = serve.rss_mb();
    line("10k jobs: server VmRSS after the runs", fmt::format("{:.1f} MB", rss), "<= 50 MB",
         rss > 0 && rss <= 50);
  }

  Serve serve(dir / "jobs-1k.db", dir / "serve-1k.log");
  auto page = wrk(serve.url("/api/jobs/"));
  line("1k jobs: GET /api/jobs/ (default page of 50)",
       fmt::format("{:.0f} req/s", page.requests_per_second), ">= 5000 req/s",
       page.requests_per_second >= 5000);
  auto big = wrk(serve.url("/api/jobs/?limit=1000"));
  const auto size = http_request(serve.port(), "GET", "/api/jobs/?limit=1000").body.size();
  line(fmt::format("1k jobs: GET /api/jobs/?limit=1000 ({:.0f} KB each)", static_cast<double>(size) / 1024.0),
       fmt::format("{:.0f} req/s", big.requests_per_second), ">= 300 req/s",
       big.requests_per_second >= 300);

  // The cache's first snapshot is taken when the server starts.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (true) {
    auto answer = http_request(serve.port(), "GET", "/api/clusters/sandbox/gpu-availability");
    auto document = nlohmann::json::parse(answer.body, nullptr, false);
    if (!document.is_discarded() && document.contains("queried_at") &&
        !document["queried_at"].is_null()) {
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) die("no GPU availability: " + answer.body);
    std::this_thread::sleep_for(200ms);
  }
  auto gpus = wrk(serve.url("/api/clusters/sandbox/gpu-availability"));
  line(fmt::format("GET /api/clusters/sandbox/gpu-availability p99 ({:.0f} req/s)",
                   gpus.requests_per_second),
       fmt::format("{:.2f} ms", gpus.p99_ms), "<= 5 ms", gpus.p99_ms > 0 && gpus.p99_ms <= 5);

  web_ui_size();

  // Warm submit through the API: a tiny-train checkout with a remote the cluster user can read.
  const fs::path checkout = dir / "tiny-train";
  fs::copy(fs::path(SORTIE_SOURCE_DIR) / "examples" / "tiny-train", checkout,
           fs::copy_options::recursive);
  shell(fmt::format(
      "cd {0} && git init -q --bare ../remote.git && git init -q && git add -A && "
      "git -c user.name=bench -c user.email=bench@localhost commit -q -m tiny && "
      "git remote add origin {1} && git push -q -u origin HEAD && chmod -R a+rX {2} && "
      "chown -R researcher {1}",
      quote(checkout.string()), quote((dir / "remote.git").string()), quote(dir.string())));
  auto registered = http_request(
      serve.port(), "POST", "/api/projects",
      nlohmann::json{{"path", checkout.string()}, {"name", "tiny"},
                     {"entry_command", "python3 train.py"}, {"default_cluster", "sandbox"}}
          .dump());
  if (registered.status != 201) die("register: " + registered.body);
  const auto project = nlohmann::json::parse(registered.body)["id"].get<std::int64_t>();
  std::vector<std::string> slurm_ids;
  nlohmann::json last_job;
  auto submit = [&] {
    auto answer = http_request(
        serve.port(), "POST", "/api/jobs",
        nlohmann::json{{"project_id", project}, {"partition", "debug"}, {"time", "1"},
                       {"arguments", {"steps=1"}}}
            .dump());
    if (answer.status != 201) die("POST /api/jobs: " + answer.body);
    last_job = nlohmann::json::parse(answer.body);
    slurm_ids.push_back(last_job["slurm_job_id"].dump());
  };
  for (int i = 0; i < 3; ++i) submit();
  const double api_submit = median_ms(20, submit);

  // The job's directory is `workspace` (<root>/jobs/<key>); its script sits beside it.
  const std::string script = last_job["workspace"].get<std::string>() + ".sbatch";
  auto sbatch_output = [&](const std::string& out) {
    slurm_ids.push_back(out.substr(0, out.find_first_of(";\n")));
  };
  const double fresh_ssh = median_ms(10, [&] {
    sbatch_output(shell(fmt::format(
        "ssh -i {} -o UserKnownHostsFile={} -o BatchMode=yes -F /dev/null -p {} {}@{} sbatch "
        "--parsable --hold {}",
        quote(sandbox.key), quote(sandbox.known_hosts), sandbox.ssh_port, sandbox.user,
        sandbox.host, quote(script))));
  });
  const fs::path local_script = dir / "job.sbatch";
  {
    auto shown = http_request(serve.port(), "GET",
                              fmt::format("/api/jobs/{}/script", last_job["id"].get<std::int64_t>()));
    std::ofstream(local_script) << nlohmann::json::parse(shown.body)["script"].get<std::string>();
  }
  const double local_sbatch = median_ms(10, [&] {
    sbatch_output(shell(fmt::format("cd /tmp && SLURM_CONF={} sbatch --parsable --hold {}",
                                    quote(sandbox.slurm_conf), quote(local_script.string()))));
  });
  std::string ids;
  for (const auto& id : slurm_ids) ids += " " + id;
  (void)sortie::remote::run_process(
      Command{{"bash", "-c", fmt::format("SLURM_CONF={} scancel{}", quote(sandbox.slurm_conf), ids)},
              std::nullopt},
      sortie::remote::deadline_after(30s));

  fmt::print("{:<58} {:>16}\n", "warm submit: POST /api/jobs (median of 20)",
             fmt::format("{:.1f} ms", api_submit));
  fmt::print("{:<58} {:>16}\n", "  baseline: fresh OpenSSH `ssh ... sbatch --hold` (10)",
             fmt::format("{:.1f} ms", fresh_ssh));
  fmt::print("{:<58} {:>16}\n", "  physical limit: local `sbatch --hold`, no SSH (10)",
             fmt::format("{:.1f} ms", local_sbatch));
  line("fresh ssh sbatch / API warm submit", fmt::format("{:.1f}x", fresh_ssh / api_submit),
       ">= 5x", fresh_ssh / api_submit >= 5);

  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return g_all_passed ? 0 : 1;
}

// How close a warm `sortie submit` comes to the physical limit of submitting a job.
//
// Runs against the sandbox cluster (sandbox/up.sh) and prints, from one run:
//   warm jobs::submit (cluster facts cached by the process, so one submission exchange + SQLite
//   records) through one process's pooled SSH session; the validation exchange a cold submit
//   adds; `sbatch --parsable` run here as root with the sandbox's
//   SLURM_CONF (no SSH at all); one warm round trip (`true` through the pool); a fresh OpenSSH
//   `ssh ... sbatch --parsable`. Then the targets: warm submit <= 1.5x (local sbatch + one round
//   trip), and >= 20x faster than fresh ssh. Every job it submits is cancelled at the end.

#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bench/measure.hpp"
#include "sortie/clusters/connect.hpp"
#include "sortie/config/clusters.hpp"
#include "sortie/jobs/submit.hpp"
#include "sortie/remote/process.hpp"
#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"
#include "tests/integration/sandbox.hpp"

namespace {

using namespace std::chrono_literals;
using sortie::remote::Command;
using Clock = std::chrono::steady_clock;

using sortie::bench::Figures;
using sortie::bench::measure;

constexpr const char* kBenchJobName = "sortie-submit-bench";

}  // namespace

int main() {
  const auto sandbox = sortie::testing::sandbox();
  auto clusters = sortie::config::load_clusters(sandbox.clusters_yaml);
  if (!clusters) {
    std::fprintf(stderr, "%s\n", clusters.error().message.c_str());
    return 2;
  }
  auto cluster = clusters->find("sandbox");
  if (!cluster) {
    std::fprintf(stderr, "%s\n", cluster.error().message.c_str());
    return 2;
  }
  auto remote = sortie::clusters::open_remote(**cluster);

  // A fresh database and project; the jobs only need to be accepted, not to run well.
  char pattern[] = "/tmp/sortie-submit-bench-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return 2;
  const std::filesystem::path dir = pattern;
  auto database = sortie::store::Database::open(dir / "sortie.db");
  if (!database) {
    std::fprintf(stderr, "%s\n", database.error().message.c_str());
    return 2;
  }
  sortie::store::Store store(*database);
  auto project = store.create_project({"bench", "/srv/bench", {}});
  if (!project) return 2;

  sortie::jobs::SubmitRequest request;
  request.project = *project;
  request.cluster = **cluster;
  request.resources.partition = "debug";
  request.resources.time_limit = 1min;
  request.code.record.mode = sortie::store::DeliveryMode::git;
  request.code.record.commit = std::string(40, 'a');
  request.code.repository_url = "/nonexistent/bench.git";

  // One process's warm state: the pooled session and the cluster's facts.
  sortie::jobs::ClusterFactsCache facts(std::chrono::seconds(300));
  sortie::jobs::SubmitOptions options;
  options.facts_cache = &facts;

  std::vector<std::string> submitted;
  auto submit_once = [&] {
    auto outcome = sortie::jobs::submit(store, *remote, request, options);
    if (!outcome || outcome->error || !outcome->job.slurm_job_id) {
      std::fprintf(stderr, "submit: %s\n",
                   !outcome         ? outcome.error().message.c_str()
                   : outcome->error ? outcome->error->message.c_str()
                                    : "no id");
      return false;
    }
    submitted.push_back(std::to_string(outcome->job.slurm_job_id->value));
    return true;
  };

  // Warm the pool and SLURM's caches first.
  for (int i = 0; i < 3; ++i) submit_once();
  auto round_trip = measure("warm round trip: `true` through the pool", 50, [&] {
    auto output = remote->run_one(Command{{"true"}, std::nullopt}, 30s);
    return output && output->exit_code == 0;
  });
  auto validation = measure("cold-facts validation exchange + render (plan)", 30, [&] {
    return sortie::jobs::plan(*remote, request, sortie::jobs::new_submission_key()).has_value();
  });
  std::int64_t fake_slurm_id = 900'000'000;
  auto records = measure("  of which: SQLite create+rendered+submitted", 30, [&] {
    sortie::store::NewJob job;
    job.project = project->id;
    job.cluster = sortie::store::ClusterName{"bench-records"};
    job.submission_key = sortie::jobs::new_submission_key();
    job.code = request.code.record;
    auto created = store.create_job(job);
    if (!created) return false;
    if (!store.record_rendered(created->id, {"/w", "#!/bin/bash\n", "/w/o", "/w/e"})) return false;
    auto marked = store.mark_submitted(created->id, sortie::store::SlurmJobId{++fake_slurm_id});
    return marked.has_value() && store.job(created->id).has_value();
  });
  // Where the submission exchange's time goes, command by command through the same pool.
  auto pool_mkdir = measure("  pool: `mkdir -p` alone", 20, [&] {
    auto output =
        remote->run_one(Command{{"mkdir", "-p", "/tmp/sortie-submit-bench"}, std::nullopt}, 30s);
    return output && output->exit_code == 0;
  });
  auto pool_cat = measure("  pool: `sh -c 'cat > $1'` with a 4 KiB script", 20, [&] {
    auto output = remote->run_one(
        Command{{"sh", "-c", "cat > \"$1\"", "sh", "/tmp/sortie-submit-bench/job.sbatch"},
                std::string(4096, '#')},
        30s);
    return output && output->exit_code == 0;
  });
  auto pool_sbatch = measure("  pool: `sbatch --parsable --wrap true` alone", 20, [&] {
    auto output = remote->run_one(Command{{"sbatch", "--parsable", "-p", "debug", "-t", "1", "-J",
                                           kBenchJobName, "-o", "/dev/null", "--wrap", "true"},
                                          std::nullopt},
                                  30s);
    return output && output->exit_code == 0;
  });
  auto warm = measure("warm jobs::submit (1 exchange + SQLite)", 30, submit_once);
  auto local = measure("local `sbatch --parsable` as root (no SSH)", 30, [&] {
    auto output = sortie::remote::run_process(
        Command{{"env", "SLURM_CONF=" + sandbox.slurm_conf, "sbatch", "--parsable", "-p", "debug",
                 "-t", "1", "-J", kBenchJobName, "-o", "/dev/null", "--wrap", "true"},
                std::nullopt},
        sortie::remote::deadline_after(30s));
    return output && output->exit_code == 0;
  });
  auto fresh = measure("fresh OpenSSH `ssh ... sbatch --parsable`", 10, [&] {
    auto output = sortie::remote::run_process(Command{{"ssh",
                                                       "-i",
                                                       sandbox.key,
                                                       "-o",
                                                       "UserKnownHostsFile=" + sandbox.known_hosts,
                                                       "-o",
                                                       "BatchMode=yes",
                                                       "-F",
                                                       "/dev/null",
                                                       "-p",
                                                       std::to_string(sandbox.ssh_port),
                                                       sandbox.user + "@" + sandbox.host,
                                                       "sbatch",
                                                       "--parsable",
                                                       "-p",
                                                       "debug",
                                                       "-t",
                                                       "1",
                                                       "-J",
                                                       kBenchJobName,
                                                       "-o",
                                                       "/dev/null",
                                                       "--wrap",
                                                       "true"},
                                                      std::nullopt},
                                              sortie::remote::deadline_after(30s));
    return output && output->exit_code == 0;
  });

  // Leave the cluster as found.
  if (!submitted.empty()) {
    std::vector<std::string> argv = {"scancel"};
    argv.insert(argv.end(), submitted.begin(), submitted.end());
    (void)remote->run_one(Command{argv, std::nullopt}, 30s);
  }
  (void)sortie::remote::run_process(
      Command{{"env", "SLURM_CONF=" + sandbox.slurm_conf, "scancel", "--name", kBenchJobName},
              std::nullopt},
      sortie::remote::deadline_after(30s));
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);

  if (!round_trip || !warm || !local || !fresh || !validation || !records || !pool_mkdir ||
      !pool_cat || !pool_sbatch) {
    return 1;
  }
  fmt::print("{:<48} {:>5} {:>10} {:>10}\n", "operation", "runs", "median ms", "p90 ms");
  for (const auto& figures : {*warm, *pool_mkdir, *pool_cat, *pool_sbatch, *validation, *records,
                              *local, *round_trip, *fresh}) {
    fmt::print("{:<48} {:>5} {:>10.2f} {:>10.2f}\n", figures.name, figures.runs, figures.median_ms,
               figures.p90_ms);
  }
  const double limit = local->median_ms + round_trip->median_ms;
  const double ratio_limit = warm->median_ms / limit;
  const double speedup = fresh->median_ms / warm->median_ms;
  const bool near_limit = ratio_limit <= 1.5;
  const bool beats_ssh = speedup >= 20;
  fmt::print("warm submit / (local sbatch + one round trip) = {:.2f}x (target <= 1.5x): {}\n",
             ratio_limit, near_limit ? "PASS" : "FAIL");
  fmt::print("fresh ssh sbatch / warm submit = {:.1f}x faster (target >= 20x): {}\n", speedup,
             beats_ssh ? "PASS" : "FAIL");
  return near_limit && beats_ssh ? 0 : 1;
}

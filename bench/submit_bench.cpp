// How close a warm `sortie submit` comes to the physical limit of submitting a job.
//
// Runs against the sandbox cluster (sandbox/up.sh) and prints, from one run:
//   warm jobs::submit (cluster facts cached by the process, so one submission exchange + SQLite
//   records) through one process's pooled SSH session, and its submission exchange alone; the
//   validation exchange a cold submit adds; the same rendered script submitted with
//   `sbatch --parsable --hold` here as root with the sandbox's SLURM_CONF (no SSH at all); warm
//   round trips through the pool with and without a process; a fresh OpenSSH
//   `ssh ... sbatch --parsable --hold` of that script. Every copy is held: jobs starting on this
//   same machine would slow what follows, and root's copies must not run in the researcher's
//   workspace. Then the targets: warm submit <= 1.5x (local sbatch + one network round trip) and
//   >= 20x faster than fresh ssh, with that second target's ceiling here. Every job it submits is
//   cancelled at the end.

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
  // Held like every other copy here: jobs starting on this same machine would slow what follows.
  request.resources.extra_sbatch_lines = {"#SBATCH --hold"};
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
  // The network part alone: a step the shell does with a builtin (`[ -d / ]`), no process.
  auto network = measure("warm round trip, no process: `[ -d / ]`", 50, [&] {
    auto output = remote->run_one(Command::ensure_directory("/"), 30s);
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
  // The exchange a warm submit makes, alone: ensure <workspace>/jobs, write the script, sbatch.
  auto planned = sortie::jobs::plan(*remote, request, sortie::jobs::new_submission_key());
  if (!planned) {
    std::fprintf(stderr, "plan: %s\n", planned.error().message.c_str());
    return 1;
  }
  auto exchange = sortie::jobs::submission_commands(*planned, std::nullopt);
  exchange.back().argv.insert(exchange.back().argv.begin() + 1, "--hold");
  auto pool_exchange = measure("  pool: the submission exchange alone (held)", 20, [&] {
    auto outputs = remote->run(exchange, 30s, sortie::remote::OnFailure::stop_batch);
    if (!outputs || outputs->size() != exchange.size() || outputs->back().exit_code != 0) {
      return false;
    }
    submitted.push_back(outputs->back().out.substr(0, outputs->back().out.find('\n')));
    return true;
  });
  auto pool_sbatch = measure("  pool: `sbatch --parsable --hold SCRIPT` alone", 20, [&] {
    auto output = remote->run_one(exchange.back(), 30s);
    if (!output || output->exit_code != 0) return false;
    submitted.push_back(output->out.substr(0, output->out.find('\n')));
    return true;
  });
  // The same script, submitted on the login node itself: the physical limit.
  const std::filesystem::path local_script = dir / "job.sbatch";
  {
    std::FILE* file = std::fopen(local_script.c_str(), "w");
    if (file == nullptr) return 2;
    std::fwrite(planned->script.data(), 1, planned->script.size(), file);
    std::fclose(file);
  }
  auto warm = measure("warm jobs::submit (1 exchange + SQLite)", 30, submit_once);
  auto local = measure("local `sbatch --parsable --hold SCRIPT` (no SSH)", 30, [&] {
    auto output =
        sortie::remote::run_process(Command{{"env", "SLURM_CONF=" + sandbox.slurm_conf, "sbatch",
                                             "--parsable", "--hold", local_script.string()},
                                            std::nullopt},
                                    sortie::remote::deadline_after(30s));
    if (!output || output->exit_code != 0) return false;
    submitted.push_back(output->out.substr(0, output->out.find('\n')));
    return true;
  });
  auto fresh = measure("fresh OpenSSH `ssh ... sbatch --parsable`", 10, [&] {
    auto output = sortie::remote::run_process(
        Command{{"ssh", "-i", sandbox.key, "-o", "UserKnownHostsFile=" + sandbox.known_hosts, "-o",
                 "BatchMode=yes", "-F", "/dev/null", "-p", std::to_string(sandbox.ssh_port),
                 sandbox.user + "@" + sandbox.host, "sbatch", "--parsable", "--hold",
                 planned->paths.script},
                std::nullopt},
        sortie::remote::deadline_after(30s));
    if (!output || output->exit_code != 0) return false;
    submitted.push_back(output->out.substr(0, output->out.find('\n')));
    return true;
  });

  // Leave the cluster as found.
  // As root: some of the jobs are root's (local sbatch), the rest the researcher's.
  std::vector<std::string> cancel = {"env", "SLURM_CONF=" + sandbox.slurm_conf, "scancel"};
  cancel.insert(cancel.end(), submitted.begin(), submitted.end());
  (void)sortie::remote::run_process(Command{cancel, std::nullopt},
                                    sortie::remote::deadline_after(30s));
  (void)sortie::remote::run_process(
      Command{{"env", "SLURM_CONF=" + sandbox.slurm_conf, "scancel", "--name", kBenchJobName},
              std::nullopt},
      sortie::remote::deadline_after(30s));
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);

  if (!round_trip || !warm || !local || !fresh || !validation || !records || !pool_mkdir ||
      !pool_exchange || !pool_sbatch || !network) {
    return 1;
  }
  fmt::print("{:<48} {:>5} {:>10} {:>10}\n", "operation", "runs", "median ms", "p90 ms");
  for (const auto& figures : {*warm, *pool_exchange, *pool_mkdir, *pool_sbatch, *validation,
                              *records, *local, *round_trip, *network, *fresh}) {
    fmt::print("{:<48} {:>5} {:>10.2f} {:>10.2f}\n", figures.name, figures.runs, figures.median_ms,
               figures.p90_ms);
  }
  // One network round trip is the exchange without any process: `true` would add a fork+exec.
  const double limit = local->median_ms + network->median_ms;
  const double ratio_limit = warm->median_ms / limit;
  const double speedup = fresh->median_ms / warm->median_ms;
  const bool near_limit = ratio_limit <= 1.5;
  const bool beats_ssh = speedup >= 20;
  fmt::print(
      "warm submit / (local sbatch + one network round trip) = {:.2f}x (target <= 1.5x): {}\n",
      ratio_limit, near_limit ? "PASS" : "FAIL");
  fmt::print("fresh ssh sbatch / warm submit = {:.1f}x faster (target >= 20x): {}\n", speedup,
             beats_ssh ? "PASS" : "FAIL");
  // No submit can beat the physical limit, so this is the most the second target could show here.
  fmt::print(
      "  ceiling on this machine: fresh ssh sbatch / (local sbatch + network round trip) = "
      "{:.1f}x\n",
      fresh->median_ms / limit);
  return near_limit && beats_ssh ? 0 : 1;
}

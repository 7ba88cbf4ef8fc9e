#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sortie/cli/context.hpp"
#include "sortie/cli/interrupt.hpp"
#include "sortie/cli/server_file.hpp"
#include "sortie/http/client.hpp"
#include "sortie/json/api.hpp"
#include "sortie/clusters/connect.hpp"
#include "sortie/jobs/cancel.hpp"
#include "sortie/jobs/launch.hpp"
#include "sortie/jobs/logs.hpp"
#include "sortie/jobs/purge.hpp"
#include "sortie/jobs/rerun.hpp"
#include "sortie/jobs/submit.hpp"
#include "sortie/jobs/sweep.hpp"
#include "sortie/jobs/template.hpp"
#include "sortie/jobs/track.hpp"
#include "sortie/json/jobs.hpp"
#include "sortie/script/resources.hpp"
#include "sortie/store/store.hpp"

namespace sortie::cli {
namespace {

struct JobOptions {
  std::string project;
  std::string cluster;
  std::string partition;
  std::string gpus;
  int nodes = 1;
  std::string time;
  int cpus = 0;
  std::string memory;
  std::string mode;
  std::string name;
  std::string account;
  std::string qos;
  std::string constraint;
  std::vector<std::string> arguments;
  bool multirun = false;  // -m: the arguments are a Hydra sweep, submitted as one array
  bool paired = false;
  int parallel = 0;  // --parallel: tasks of the array running at once; 0: no limit

  std::string sweep;    // --sweep: a sweep id or the start of one
  bool failed = false;  // rerun --sweep --failed
  std::string state;
  bool refresh = false;
  bool json = false;
  int limit = 50;

  std::int64_t job = 0;
  std::size_t tail_lines = 50;
  bool tail_given = false;  // --tail was on the command line
  bool stderr_log = false;
  bool follow = false;
  bool purge = false;
  double timeout_seconds = 60;
  double submit_grace_seconds = 120;
};

jobs::LaunchSpec launch_spec(const JobOptions& options) {
  jobs::LaunchSpec spec;
  spec.partition = options.partition;
  spec.gpus = options.gpus;
  spec.nodes = options.nodes;
  spec.cpus_per_task = options.cpus;
  spec.memory = options.memory;
  spec.time = options.time;
  spec.mode = options.mode;
  spec.name = options.name;
  spec.account = options.account;
  spec.qos = options.qos;
  spec.constraint = options.constraint;
  spec.arguments = options.arguments;
  return spec;
}

core::Result<jobs::SubmitRequest> read_request(Context& context, store::Store& store,
                                               const JobOptions& options) {
  auto project = find_project(store, options.project);
  if (!project) return std::unexpected(project.error());
  const std::string cluster_name =
      !options.cluster.empty()
          ? options.cluster
          : (project->settings.default_cluster ? project->settings.default_cluster->value
                                               : std::string());
  auto cluster = context.cluster(cluster_name);
  if (!cluster) return std::unexpected(cluster.error());

  return jobs::prepare_request(*project, **cluster, launch_spec(options));
}

// The sweep named by `text`: its id, or the start of the hex part after "sortie-".
core::Result<store::SweepId> find_sweep(store::Store& store, const std::string& text) {
  auto found = store.find_sweeps(text, 2);
  if (!found) return std::unexpected(found.error());
  if (found->empty()) {
    return core::fail(core::ErrorCode::not_found,
                      fmt::format("there is no sweep '{}' (`sortie jobs` shows each task's "
                                  "sweep in its SWEEP column)",
                                  text));
  }
  if (found->size() > 1) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("'{}' names more than one sweep ({}, {}, ...): give more of "
                                  "its id",
                                  text, (*found)[0].value, (*found)[1].value));
  }
  return found->front();
}

// How listings show a sweep: the first 8 hex digits of its id ("3fa91b2c").
std::string short_sweep(const store::SweepId& sweep) {
  std::string_view id = sweep.value;
  if (id.starts_with("sortie-")) id.remove_prefix(7);
  return std::string(id.substr(0, 8));
}

store::SweepMode sweep_mode(const JobOptions& options) {
  return options.paired ? store::SweepMode::paired : store::SweepMode::cartesian;
}

std::optional<int> max_parallel(const JobOptions& options) {
  if (options.parallel == 0) return std::nullopt;
  return options.parallel;
}

// The combinations of `sortie submit/render -m`, announced on stderr.
core::Result<jobs::SweepRequest> read_sweep(store::Store& store, const JobOptions& options) {
  auto project = find_project(store, options.project);
  if (!project) return std::unexpected(project.error());
  if (options.parallel < 0) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("--parallel {}: give a positive number of tasks that may run "
                                  "at once",
                                  options.parallel));
  }
  auto expanded = jobs::expand_sweep(*project, options.arguments, sweep_mode(options));
  if (!expanded) return std::unexpected(expanded.error());
  jobs::SweepRequest sweep;
  sweep.combinations = std::move(expanded->combinations);
  sweep.max_parallel = max_parallel(options);
  sweep.mode = sweep_mode(options);
  sweep.overrides = options.arguments;
  fmt::print(stderr, "{} combination{} ({}{}){}\n", sweep.combinations.size(),
             sweep.combinations.size() == 1 ? "" : "s", store::to_string(sweep.mode),
             expanded->composed ? ", each composed without errors" : "",
             expanded->note.empty() ? std::string() : "; " + expanded->note);
  if (auto ok = jobs::check_sweep(sweep); !ok) return std::unexpected(ok.error());
  return sweep;
}

std::string status_text(const store::Job& job) {
  if (job.status.phase != store::Phase::submitted || !job.status.state) {
    return std::string(store::to_string(job.status.phase));
  }
  return std::string(slurm::to_string(*job.status.state));
}

std::string code_text(const store::CodeDelivery& code) {
  return code.mode == store::DeliveryMode::git
             ? fmt::format("commit {}", code.commit.substr(0, 12))
             : fmt::format("snapshot {}", code.snapshot_hash.value_or("").substr(0, 12));
}

// One tracking tick for the job's cluster, so a decision rests on what SLURM says now.
core::Result<void> refresh_cluster(store::Store& store, const config::Cluster& cluster,
                                   remote::Remote& remote, const JobOptions& options) {
  jobs::TrackOptions track_options;
  track_options.timeout = seconds(options.timeout_seconds);
  jobs::Tracker tracker(store, track_options);
  auto ticked = tracker.tick(cluster, remote);
  if (!ticked) return std::unexpected(ticked.error());
  return {};
}

// What `submit -m` and `rerun --sweep` print: the sweep, its array and each task.
int print_sweep(const jobs::SweepOutcome& outcome, std::optional<store::SweepId> rerun_of) {
  const auto& tasks = outcome.tasks;
  if (tasks.empty())
    return report(outcome.error.value_or(
        core::Error{core::ErrorCode::io_error, "the sweep's tasks could not be read"}));
  const auto& first = tasks.front();
  if (outcome.error) {
    fmt::print("sweep {} ({} tasks, {}): {}\n", outcome.sweep_id.value, tasks.size(),
               status_text(first), first.reason);
    return report(*outcome.error);
  }
  fmt::print(
      "Submitted sweep {} ({}) as SLURM array job {} on {}{}: {} tasks, {}\n",
      outcome.sweep_id.value, short_sweep(outcome.sweep_id),
      first.slurm_job_id ? first.slurm_job_id->value : 0, first.spec.cluster.value,
      rerun_of ? fmt::format(", a rerun of sweep {}", short_sweep(*rerun_of)) : std::string(),
      tasks.size(), code_text(first.spec.code));
  for (const auto& task : tasks) {
    fmt::print("  task {}: job {}  {}\n", task.spec.array_task_index.value_or(0), task.id.value,
               fmt::join(task.spec.arguments, " "));
  }
  fmt::print("  logs: {}\n", jobs::stdout_path(first));
  return 0;
}

// When a `sortie serve` runs on this database, sends it the request so that the work reuses its
// warm connection to the cluster and its monitor hears of the job at once. nullopt when no
// server answers (or SORTIE_NO_SERVER is set, or a fault-injection test runs): work directly.
std::optional<core::Result<http::ClientResponse>> through_server(
    Context& context, std::string_view method, const std::string& path, const std::string& body,
    double timeout_seconds) {
  if (const char* off = std::getenv("SORTIE_NO_SERVER"); off && *off) return std::nullopt;
  if (const char* fault = std::getenv("SORTIE_FAULT_EXIT_AT"); fault && *fault) return std::nullopt;
  auto server = running_server(context.db_file);
  if (!server) return std::nullopt;
  auto answer = http::send(server->url, method, path, body,
                           seconds(std::max(timeout_seconds, 150.0)), server->secret);
  if (!answer && answer.error().code == core::ErrorCode::connection_failed) return std::nullopt;
  return answer;
}

// The error of a server's refusal, naming the record it left when there is one.
int report_server_refusal(const http::ClientResponse& answer) {
  auto error = json::read_error(answer.body);
  if (!error) {
    return report({core::ErrorCode::command_failed,
                   fmt::format("sortie serve answered status {}", answer.status)});
  }
  const auto created = json::read_created(answer.body);
  if (!created.job_ids.empty()) {
    fmt::print("job {}: not submitted\n", created.job_ids.front());
  }
  return report(*error);
}

void print_submitted(const store::Job& job, std::optional<store::JobId> rerun_of) {
  fmt::print("Submitted job {} (SLURM job {}) on {}{}: {}\n", job.id.value,
             job.slurm_job_id ? job.slurm_job_id->value : 0, job.spec.cluster.value,
             rerun_of ? fmt::format(", a rerun of job {}", rerun_of->value) : std::string(),
             code_text(job.spec.code));
  fmt::print("  logs: {}\n", jobs::stdout_path(job));
}

// Prints what a server's 201 created, read back from the shared database.
int print_created(store::Store& store, const http::ClientResponse& answer,
                  std::optional<store::JobId> rerun_of) {
  if (answer.status != 201) return report_server_refusal(answer);
  const auto created = json::read_created(answer.body);
  std::vector<store::Job> jobs_created;
  for (auto id : created.job_ids) {
    auto job = store.job(store::JobId{id});
    if (!job) return report(job.error());
    jobs_created.push_back(std::move(*job));
  }
  if (jobs_created.empty()) {
    return report({core::ErrorCode::parse_error, "sortie serve's answer names no job"});
  }
  if (created.sweep_id) {
    jobs::SweepOutcome outcome;
    outcome.sweep_id = store::SweepId{*created.sweep_id};
    outcome.tasks = std::move(jobs_created);
    return print_sweep(outcome, std::nullopt);
  }
  print_submitted(jobs_created.front(), rerun_of);
  return 0;
}

int submit(Context& context, const JobOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  {
    auto project = find_project(store, options.project);
    if (!project) return report(project.error());
    json::LaunchBody launch;
    launch.project_id = project->id.value;
    launch.cluster = options.cluster;
    launch.spec = launch_spec(options);
    launch.multirun = options.multirun;
    launch.paired = options.paired;
    if (options.parallel > 0) launch.parallelism = options.parallel;
    if (auto answer = through_server(context, "POST", "/api/jobs", json::launch_document(launch),
                                     options.timeout_seconds)) {
      if (!*answer) return report(answer->error());
      return print_created(store, **answer, std::nullopt);
    }
  }
  auto request = read_request(context, store, options);
  if (!request) return report(request.error());
  auto remote = clusters::open_remote(request->cluster);

  jobs::SubmitOptions submit_options;
  // Fault injection for tests: die like a killed process (no cleanup) at the named step.
  if (const char* step = std::getenv("SORTIE_FAULT_EXIT_AT"); step && *step) {
    submit_options.checkpoint = [at = std::string(step)](std::string_view passed) {
      if (passed == at) std::_Exit(137);
    };
  }
  if (options.multirun) {
    auto sweep = read_sweep(store, options);
    if (!sweep) return report(sweep.error());
    auto outcome = jobs::submit_sweep(store, *remote, *request, *sweep, submit_options);
    if (!outcome) return report(outcome.error());
    return print_sweep(*outcome, std::nullopt);
  }
  // A Hydra app refuses a sweep without --multirun; say so before a job fails on the cluster.
  if (auto ok = jobs::check_single_run_arguments(request->project, options.arguments); !ok) {
    return report(ok.error());
  }
  auto outcome = jobs::submit(store, *remote, *request, submit_options);
  if (!outcome) return report(outcome.error());
  const auto& job = outcome->job;
  if (outcome->error) {
    fmt::print("job {} ({}): {}\n", job.id.value, status_text(job), job.reason);
    return report(*outcome->error);
  }
  print_submitted(job, std::nullopt);
  return 0;
}

int render(Context& context, const JobOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  auto request = read_request(context, store, options);
  if (!request) return report(request.error());
  auto remote = clusters::open_remote(request->cluster);
  if (options.multirun) {
    // One script for the whole array; each task reads its overrides from its own file.
    auto sweep = read_sweep(store, options);
    if (!sweep) return report(sweep.error());
    request->arguments.clear();
    request->resources.array = jobs::array_spec(sweep->combinations.size(), sweep->max_parallel);
  } else if (auto ok = jobs::check_single_run_arguments(request->project, options.arguments); !ok) {
    return report(ok.error());
  }
  auto planned = jobs::plan(*remote, *request, jobs::new_submission_key());
  if (!planned) return report(planned.error());
  fmt::print("{}", planned->script);
  return 0;
}

// One tick for every configured cluster that has unfinished jobs. Every cluster is ticked and
// every job SLURM's answer could be read for is updated; then fails (after saying each on
// stderr) when a cluster could not be refreshed or a row of SLURM's answer could not be read.
core::Result<void> refresh(Context& context, store::Store& store, const JobOptions& options) {
  auto clusters = context.clusters();
  if (!clusters) return std::unexpected(clusters.error());
  jobs::TrackOptions track_options;
  track_options.timeout = seconds(options.timeout_seconds);
  track_options.submit_grace =
      std::chrono::seconds(static_cast<std::int64_t>(options.submit_grace_seconds));
  jobs::Tracker tracker(store, track_options);
  std::vector<std::string> failed_clusters;
  std::size_t unreadable = 0;
  std::optional<core::ErrorCode> code;
  for (const auto& cluster : (*clusters)->clusters) {
    auto unfinished = store.unfinished_jobs(store::ClusterName{cluster.name});
    if (!unfinished) return std::unexpected(unfinished.error());
    if (unfinished->empty()) continue;
    auto remote = clusters::open_remote(cluster);
    auto ticked = tracker.tick(cluster, *remote);
    if (!ticked) {
      fmt::print(stderr, "sortie: could not refresh {}: {}\n", cluster.name,
                 ticked.error().message);
      failed_clusters.push_back(cluster.name);
      if (!code) code = ticked.error().code;
      continue;
    }
    for (const auto& message : ticked->unknown) fmt::print(stderr, "sortie: {}\n", message);
    for (const auto& message : ticked->unreadable) {
      fmt::print(stderr, "sortie: {}: {}\n", cluster.name, message);
    }
    unreadable += ticked->unreadable.size();
  }
  if (unreadable == 0 && failed_clusters.empty()) return {};
  std::vector<std::string> what;
  if (unreadable > 0) {
    what.push_back(fmt::format("{} row(s) of SLURM's answer could not be read (listed above; "
                               "those jobs are left as they were, every other job is updated)",
                               unreadable));
  }
  if (!failed_clusters.empty()) {
    what.push_back(fmt::format("could not refresh {}", fmt::join(failed_clusters, ", ")));
  }
  return core::fail(code.value_or(core::ErrorCode::parse_error),
                    fmt::format("refresh incomplete: {}", fmt::join(what, "; ")));
}

json::JobDocument document(const store::Job& job, std::string project) {
  return json::JobDocument{job, std::move(project), jobs::stdout_path(job), jobs::stderr_path(job)};
}

std::string time_text(const std::optional<store::Timestamp>& at) {
  return at ? fmt::format("{:%Y-%m-%d %H:%M:%S}", *at) : std::string("-");
}

int list(Context& context, const JobOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  // A refresh that could not read everything still lists what it has, then fails.
  std::optional<core::Error> refresh_error;
  if (options.refresh) {
    if (auto ok = refresh(context, store, options); !ok) refresh_error = ok.error();
  }
  const auto finish = [&] { return refresh_error ? report(*refresh_error) : 0; };

  store::JobFilter filter;
  if (!options.sweep.empty()) {
    auto sweep = find_sweep(store, options.sweep);
    if (!sweep) return report(sweep.error());
    filter.sweep = *sweep;
  }
  if (!options.project.empty()) {
    auto project = find_project(store, options.project);
    if (!project) return report(project.error());
    filter.project = project->id;
  }
  if (!options.state.empty()) {
    if (auto phase = store::parse_phase(options.state)) {
      filter.phase = phase;
    } else if (auto state = slurm::parse_job_state(options.state)) {
      filter.state = state;
    } else {
      return report(core::Error{core::ErrorCode::invalid_argument,
                                fmt::format("--state '{}': use a SLURM state (PENDING, RUNNING, "
                                            "COMPLETED, FAILED, ...) or submitting/submit_failed",
                                            options.state)});
    }
  }
  store::PageRequest request;
  request.limit = std::max(1, options.limit);
  auto page = store.list_jobs(filter, request);
  if (!page) return report(page.error());
  auto projects = store.projects();
  if (!projects) return report(projects.error());
  std::map<std::int64_t, std::string> names;
  for (const auto& project : *projects) names[project.id.value] = project.name;

  if (options.json) {
    std::vector<json::JobDocument> documents;
    for (const auto& job : page->jobs)
      documents.push_back(document(job, names[job.spec.project.value]));
    fmt::print("{}\n", json::to_json(documents));
    return finish();
  }
  fmt::print("{:<6} {:<16} {:<12} {:<12} {:<14} {:<5} {:<20} {:<12} {}\n", "ID", "PROJECT",
             "CLUSTER", "SLURM", "STATE", "EXIT", "SUBMITTED", "SWEEP", "NAME");
  for (const auto& job : page->jobs) {
    // A task shows as SLURM names it (123_4), and under its sweep with its index (3fa91b2c/4).
    std::string slurm_id = "-";
    if (job.slurm_job_id) {
      slurm_id = job.spec.array_task_index
                     ? fmt::format("{}_{}", job.slurm_job_id->value, *job.spec.array_task_index)
                     : std::to_string(job.slurm_job_id->value);
    }
    const std::string sweep = job.spec.sweep ? fmt::format("{}/{}", short_sweep(*job.spec.sweep),
                                                           job.spec.array_task_index.value_or(0))
                                             : "-";
    fmt::print("{:<6} {:<16} {:<12} {:<12} {:<14} {:<5} {:<20} {:<12} {}\n", job.id.value,
               names[job.spec.project.value], job.spec.cluster.value, slurm_id, status_text(job),
               job.exit_code ? std::to_string(*job.exit_code) : "-",
               time_text(job.submitted_at ? job.submitted_at : job.created_at), sweep,
               job.spec.name);
  }
  return finish();
}

int show(Context& context, const JobOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  auto job = store.job(store::JobId{options.job});
  if (!job) return report(job.error());
  auto project = store.project(job->spec.project);
  const std::string project_name = project ? project->name : std::string();
  if (options.json) {
    fmt::print("{}\n", json::to_json(document(*job, project_name)));
    return 0;
  }
  fmt::print("job {} ({}) of {} on {}\n", job->id.value, job->spec.name, project_name,
             job->spec.cluster.value);
  fmt::print("  status:    {}{}\n", status_text(*job),
             job->reason.empty() ? std::string() : fmt::format(" ({})", job->reason));
  if (job->slurm_job_id) {
    if (job->spec.array_task_index) {
      fmt::print("  slurm id:  {}_{}\n", job->slurm_job_id->value, *job->spec.array_task_index);
    } else {
      fmt::print("  slurm id:  {}\n", job->slurm_job_id->value);
    }
  }
  if (job->spec.sweep) {
    fmt::print("  sweep:     {} ({}), task {}\n", job->spec.sweep->value,
               short_sweep(*job->spec.sweep), job->spec.array_task_index.value_or(0));
  }
  if (!job->spec.arguments.empty()) {
    fmt::print("  arguments: {}\n", fmt::join(job->spec.arguments, " "));
  }
  if (job->exit_code) fmt::print("  exit code: {}\n", *job->exit_code);
  if (job->signal && *job->signal != 0) fmt::print("  signal:    {}\n", *job->signal);
  if (job->cancelled_by) fmt::print("  cancelled by: {}\n", *job->cancelled_by);
  fmt::print("  submitted: {}\n  started:   {}\n  ended:     {}\n", time_text(job->submitted_at),
             time_text(job->started_at), time_text(job->ended_at));
  if (job->nodes) fmt::print("  nodes:     {}\n", *job->nodes);
  const auto& code = job->spec.code;
  fmt::print("  code:      {} {}{}\n", code.mode == store::DeliveryMode::git ? "git" : "snapshot",
             code.commit.substr(0, 12),
             code.snapshot_hash ? fmt::format(" (snapshot {})", code.snapshot_hash->substr(0, 12))
                                : std::string());
  if (job->spec.rerun_of) fmt::print("  rerun of:  job {}\n", job->spec.rerun_of->value);
  for (const auto& url : job->wandb_urls) fmt::print("  W&B:       {}\n", url);
  if (!jobs::stdout_path(*job).empty()) fmt::print("  stdout:    {}\n", jobs::stdout_path(*job));
  return 0;
}

// The job or sweep a command names: exactly one of JOB and --sweep.
core::Result<void> one_target(const JobOptions& options, std::string_view command) {
  if ((options.job != 0) == !options.sweep.empty()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("sortie {}: name a job (JOB) or a sweep (--sweep SWEEP), not "
                                  "both or neither",
                                  command));
  }
  return {};
}

int cancel_sweep(Context& context, store::Store& store, const JobOptions& options) {
  auto sweep = find_sweep(store, options.sweep);
  if (!sweep) return report(sweep.error());
  auto recorded = store.sweep(*sweep);
  if (!recorded) return report(recorded.error());
  auto tasks = store.sweep_tasks(*sweep);
  if (!tasks) return report(tasks.error());
  auto cluster = context.cluster(recorded->spec.cluster.value);
  if (!cluster) return report(cluster.error());
  auto remote = clusters::open_remote(**cluster);

  // scancel of the array; each task's record changes only when SLURM reports it.
  if (auto ok = jobs::cancel_sweep(*tasks, *remote, seconds(options.timeout_seconds)); !ok) {
    return report(ok.error());
  }
  jobs::Tracker tracker(store);
  (void)tracker.tick(**cluster, *remote);
  auto after = store.sweep_tasks(*sweep);
  std::map<std::string, int> states;
  for (const auto& task : after ? *after : *tasks) ++states[status_text(task)];
  std::vector<std::string> counts;
  for (const auto& [state, count] : states) counts.push_back(fmt::format("{} {}", count, state));
  const auto array = std::ranges::find_if(
      *tasks, [](const store::Job& task) { return task.slurm_job_id.has_value(); });
  fmt::print("Asked SLURM to cancel sweep {} (SLURM array job {}, {} tasks); now: {}\n",
             sweep->value, array->slurm_job_id->value, tasks->size(), fmt::join(counts, ", "));
  return 0;
}

int cancel(Context& context, const JobOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  if (auto ok = one_target(options, "cancel"); !ok) return report(ok.error());
  if (!options.sweep.empty()) return cancel_sweep(context, store, options);
  auto job = store.job(store::JobId{options.job});
  if (!job) return report(job.error());
  if (auto answer = through_server(context, "POST", fmt::format("/api/jobs/{}/cancel", job->id.value),
                                   "", options.timeout_seconds)) {
    if (!*answer) return report(answer->error());
    if ((*answer)->status != 200) return report_server_refusal(**answer);
    auto after = store.job(job->id);
    fmt::print("Asked SLURM to cancel job {} (SLURM job {}{}); it is now {}\n", job->id.value,
               job->slurm_job_id ? job->slurm_job_id->value : 0,
               job->spec.array_task_index ? fmt::format("_{}", *job->spec.array_task_index)
                                          : std::string(),
               after ? status_text(*after) : std::string("?"));
    return 0;
  }
  auto cluster = context.cluster(job->spec.cluster.value);
  if (!cluster) return report(cluster.error());
  auto remote = clusters::open_remote(**cluster);

  // scancel; the record changes only when SLURM reports CANCELLED (the tick below, or later).
  if (auto ok = jobs::cancel(*job, *remote, seconds(options.timeout_seconds)); !ok) {
    return report(ok.error());
  }
  jobs::Tracker tracker(store);
  (void)tracker.tick(**cluster, *remote);
  auto after = store.job(job->id);
  fmt::print(
      "Asked SLURM to cancel job {} (SLURM job {}{}); it is now {}\n", job->id.value,
      job->slurm_job_id->value,
      job->spec.array_task_index ? fmt::format("_{}", *job->spec.array_task_index) : std::string(),
      after ? status_text(*after) : std::string("?"));
  return 0;
}

int rerun_sweep(Context& context, store::Store& store, const JobOptions& options) {
  auto sweep = find_sweep(store, options.sweep);
  if (!sweep) return report(sweep.error());
  auto recorded = store.sweep(*sweep);
  if (!recorded) return report(recorded.error());
  auto tasks = store.sweep_tasks(*sweep);
  if (!tasks) return report(tasks.error());
  auto project = store.project(recorded->spec.project);
  if (!project) return report(project.error());
  auto cluster = context.cluster(recorded->spec.cluster.value);
  if (!cluster) return report(cluster.error());
  auto chosen = jobs::choose_template(*project, **cluster);
  if (!chosen) return report(chosen.error());
  auto rerun = jobs::rerun_sweep_request(
      *recorded, *tasks, *project, **cluster, std::move(chosen->script_template),
      options.failed ? jobs::RerunTasks::failed : jobs::RerunTasks::all);
  if (!rerun) return report(rerun.error());
  auto remote = clusters::open_remote(**cluster);

  // A new array, on the same exactly-once path as `submit -m`.
  auto outcome = jobs::submit_sweep(store, *remote, rerun->request, rerun->sweep);
  if (!outcome) return report(outcome.error());
  if (options.json && !outcome->error) {
    std::vector<json::JobDocument> documents;
    for (const auto& task : outcome->tasks) documents.push_back(document(task, project->name));
    fmt::print("{}\n", json::to_json(documents));
    return 0;
  }
  return print_sweep(*outcome, *sweep);
}

int rerun(Context& context, const JobOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  if (auto ok = one_target(options, "rerun"); !ok) return report(ok.error());
  if (!options.sweep.empty()) return rerun_sweep(context, store, options);
  if (options.failed) {
    return report(core::Error{core::ErrorCode::invalid_argument,
                              "--failed goes with --sweep: it reruns a sweep's failed tasks"});
  }
  auto job = store.job(store::JobId{options.job});
  if (!job) return report(job.error());
  if (!options.json) {
    if (auto answer = through_server(context, "POST",
                                     fmt::format("/api/jobs/{}/rerun", job->id.value), "",
                                     options.timeout_seconds)) {
      if (!*answer) return report(answer->error());
      return print_created(store, **answer, job->id);
    }
  }
  auto project = store.project(job->spec.project);
  if (!project) return report(project.error());
  auto cluster = context.cluster(job->spec.cluster.value);
  if (!cluster) return report(cluster.error());
  auto chosen = jobs::choose_template(*project, **cluster);
  if (!chosen) return report(chosen.error());
  auto request = jobs::rerun_request(*job, *project, **cluster, std::move(chosen->script_template));
  if (!request) return report(request.error());
  auto remote = clusters::open_remote(**cluster);

  // The same exactly-once path as submit: recorded before sbatch, reconciled by its key.
  auto outcome = jobs::submit(store, *remote, *request);
  if (!outcome) return report(outcome.error());
  const auto& rerun_job = outcome->job;
  if (outcome->error) {
    fmt::print("job {} (rerun of job {}, {}): {}\n", rerun_job.id.value, job->id.value,
               status_text(rerun_job), rerun_job.reason);
    return report(*outcome->error);
  }
  if (options.json) {
    fmt::print("{}\n", json::to_json(document(rerun_job, project->name)));
    return 0;
  }
  print_submitted(rerun_job, job->id);
  return 0;
}

std::string active_refusal(const store::Job& job) {
  if (job.status.phase == store::Phase::submitting) {
    return fmt::format(
        "job {} is still being submitted (SLURM may have it): `sortie jobs --refresh` settles "
        "it; if it then runs, `sortie cancel {}` first",
        job.id.value, job.id.value);
  }
  return fmt::format("job {} is {}: cancel it first with `sortie cancel {}`, then `sortie rm {}`",
                     job.id.value, status_text(job), job.id.value, job.id.value);
}

int remove(Context& context, const JobOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  auto job = store.job(store::JobId{options.job});
  if (!job) return report(job.error());

  // An active record may be stale (the job ended since): ask SLURM before refusing.
  std::unique_ptr<remote::Remote> remote;
  const config::Cluster* cluster = nullptr;
  auto connect = [&]() -> core::Result<void> {
    if (remote) return {};
    auto found = context.cluster(job->spec.cluster.value);
    if (!found) return std::unexpected(found.error());
    cluster = *found;
    remote = clusters::open_remote(*cluster);
    return {};
  };
  if (jobs::is_active(*job)) {
    if (auto ok = connect(); ok) {
      if (auto refreshed = refresh_cluster(store, *cluster, *remote, options); refreshed) {
        if (auto again = store.job(job->id); again) job = std::move(again);
      }
    }
    if (jobs::is_active(*job)) {
      return report(core::Error{core::ErrorCode::invalid_argument, active_refusal(*job)});
    }
  }

  // Files first: if the cluster cannot be reached, the record stays and rm can be retried.
  if (options.purge) {
    auto commands = jobs::purge_commands(*job);
    if (!commands) return report(commands.error());
    if (!commands->empty()) {
      if (auto ok = connect(); !ok) return report(ok.error());
      auto outputs = remote->run(*commands, seconds(options.timeout_seconds),
                                 remote::OnFailure::continue_batch);
      if (!outputs) return report(outputs.error());
      for (std::size_t i = 0; i < outputs->size(); ++i) {
        if ((*outputs)[i].exit_code != 0) {
          return report(core::Error{
              core::ErrorCode::command_failed,
              fmt::format("could not remove job {}'s files on {} (`{}` exited with status {}: "
                          "{}); the job is still recorded",
                          job->id.value, job->spec.cluster.value, (*commands)[i].argv.front(),
                          (*outputs)[i].exit_code, (*outputs)[i].err)});
        }
      }
    }
  }
  auto deleted = store.delete_job(job->id);
  if (!deleted) return report(deleted.error());
  if (options.purge) {
    fmt::print("Removed job {} and its files on {}{}\n", job->id.value, job->spec.cluster.value,
               job->rendered.workspace.empty() ? std::string()
                                               : fmt::format(" ({}*)", job->rendered.workspace));
  } else {
    fmt::print("Removed job {} (its files on {} are kept; `--purge` removes them too)\n",
               job->id.value, job->spec.cluster.value);
  }
  return 0;
}

int follow_log(Context& context, store::Store& store, const store::Job& job,
               const std::string& path, const JobOptions& options) {
  // Before any connection: Ctrl-C then ends the loop instead of the process.
  InterruptWatch interrupt;
  auto cluster = context.cluster(job.spec.cluster.value);
  if (!cluster) return report(cluster.error());
  auto remote = clusters::open_remote(**cluster);

  jobs::FollowOptions follow_options;
  if (options.tail_given) {
    auto tail =
        jobs::tail_with_end(*remote, path, options.tail_lines, seconds(options.timeout_seconds));
    if (tail) {
      std::fwrite(tail->text.data(), 1, tail->text.size(), stdout);
      std::fflush(stdout);
      follow_options.offset = tail->end;
    } else if (tail.error().code != core::ErrorCode::not_found) {
      return report(tail.error());
    }
  }
  jobs::FollowHooks hooks;
  hooks.print = [](std::string_view bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
  };
  hooks.finished = [&]() -> core::Result<bool> {
    if (auto ok = refresh_cluster(store, **cluster, *remote, options); !ok) {
      return std::unexpected(ok.error());
    }
    auto now = store.job(job.id);
    if (!now) return std::unexpected(now.error());
    return store::is_finished(now->status);
  };
  hooks.on_retry = [](const core::Error& error, std::chrono::milliseconds delay) {
    fmt::print(stderr, "sortie: {}; trying again in {} s\n", error.message,
               std::chrono::duration_cast<std::chrono::seconds>(delay).count());
  };
  auto ended = jobs::follow(*remote, path, hooks, follow_options, interrupt.token());
  if (!ended) return report(ended.error());
  // Interrupted: the output so far is complete up to where it stops; say so by the status.
  return *ended == jobs::FollowEnd::stopped ? 130 : 0;
}

int logs(Context& context, const JobOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  auto job = store.job(store::JobId{options.job});
  if (!job) return report(job.error());
  const std::string path = options.stderr_log ? jobs::stderr_path(*job) : jobs::stdout_path(*job);
  if (path.empty()) {
    return report(core::Error{core::ErrorCode::not_found,
                              fmt::format("job {} has no SLURM job, hence no log", job->id.value)});
  }
  if (options.follow) return follow_log(context, store, *job, path, options);
  auto cluster = context.cluster(job->spec.cluster.value);
  if (!cluster) return report(cluster.error());
  auto remote = clusters::open_remote(**cluster);
  auto text = jobs::tail(*remote, path, options.tail_lines, seconds(options.timeout_seconds));
  if (!text) return report(text.error());
  fmt::print("{}", *text);
  if (!text->empty() && text->back() != '\n') fmt::print("\n");
  return 0;
}

void add_request_options(CLI::App* command, JobOptions& options) {
  command->add_option("project", options.project, "Project name or id")->required();
  command->add_option("--cluster,-c", options.cluster,
                      "Cluster (default: the project's, or the only one)");
  command->add_option("--partition,-p", options.partition, "Partition (default: SLURM's default)");
  command->add_option("--gpus", options.gpus, "GPUs per node: TYPE:N or N");
  command->add_option("--nodes", options.nodes, "Nodes")->capture_default_str();
  command->add_option("--time", options.time, "Time limit (90, 2:00:00, 1-12)");
  command->add_option("--cpus", options.cpus, "CPUs per task");
  command->add_option("--mem", options.memory, "Memory per node (64G)");
  command->add_option("--mode", options.mode,
                      "Code delivery: git or snapshot (default: git when pushed and clean)");
  command->add_option("--name", options.name, "Job name shown in listings");
  command->add_option("--account", options.account, "SLURM account to charge (--account)");
  command->add_option("--qos", options.qos, "SLURM quality of service (--qos)");
  command->add_option("--constraint", options.constraint,
                      "Node features the job needs (--constraint, e.g. 'a100&ib')");
  command->add_flag("--multirun,-m", options.multirun,
                    "The arguments are Hydra overrides with sweeps: submit every combination as "
                    "one SLURM job array");
  command->add_flag("--paired", options.paired,
                    "With -m: task i takes value i of every sweep (all sweeps of equal length)");
  command->add_option("--parallel", options.parallel,
                      "With -m: at most this many tasks run at once (--array=...%P)");
  command->add_option("arguments", options.arguments, "Arguments for the entry command (after --)");
}

}  // namespace

void add_job_commands(CLI::App& app, Context& context) {
  auto options = std::make_shared<JobOptions>();

  auto* submit_command =
      app.add_subcommand("submit", "Submit a project's training run to a cluster");
  add_request_options(submit_command, *options);
  submit_command->callback([&context, options] { context.status = submit(context, *options); });

  auto* render_command = app.add_subcommand(
      "render", "Print the exact sbatch script submit would use; submits nothing");
  add_request_options(render_command, *options);
  render_command->callback([&context, options] { context.status = render(context, *options); });

  auto* jobs_command = app.add_subcommand("jobs", "List jobs, newest first");
  jobs_command->add_option("--project", options->project, "Only this project");
  jobs_command->add_option("--sweep", options->sweep,
                           "Only the tasks of this sweep (its id, or the start of it)");
  jobs_command->add_option("--state", options->state,
                           "Only this state (RUNNING, FAILED, submit_failed, ...)");
  jobs_command->add_flag("--refresh", options->refresh,
                         "Ask the clusters first (one exchange each)");
  jobs_command
      ->add_option("--submit-grace", options->submit_grace_seconds,
                   "Seconds an unsettled submission may stay unseen by SLURM before it is "
                   "recorded as failed")
      ->capture_default_str();
  jobs_command->add_flag("--json", options->json, "Print JSON");
  jobs_command->add_option("--limit", options->limit, "At most this many")->capture_default_str();
  jobs_command->callback([&context, options] { context.status = list(context, *options); });

  auto* show_command = app.add_subcommand("show", "Show one job");
  show_command->add_option("job", options->job, "Job id")->required();
  show_command->add_flag("--json", options->json, "Print JSON");
  show_command->callback([&context, options] { context.status = show(context, *options); });

  auto* cancel_command =
      app.add_subcommand("cancel", "Cancel a job, one task of a sweep, or a whole sweep (scancel)");
  cancel_command->add_option("job", options->job, "Job id (a task: that task only)");
  cancel_command->add_option("--sweep", options->sweep,
                             "Cancel every task of this sweep (its id, or the start of it)");
  cancel_command->callback([&context, options] { context.status = cancel(context, *options); });

  auto* rerun_command = app.add_subcommand(
      "rerun", "Submit a job again: the same code, command, arguments and resources");
  rerun_command->add_option("job", options->job, "Job id (a task: its overrides, as one job)");
  rerun_command->add_option("--sweep", options->sweep,
                            "Rerun this sweep as a new array (its id, or the start of it)");
  rerun_command->add_flag("--failed", options->failed,
                          "With --sweep: only the tasks that did not complete");
  rerun_command->add_flag("--json", options->json, "Print the new job as JSON");
  rerun_command->callback([&context, options] { context.status = rerun(context, *options); });

  auto* rm_command = app.add_subcommand("rm", "Forget a finished job (refused while it is active)");
  rm_command->add_option("job", options->job, "Job id")->required();
  rm_command->add_flag("--purge", options->purge,
                       "Also remove its files on the cluster (job dir, script, logs)");
  rm_command->callback([&context, options] { context.status = remove(context, *options); });

  auto* logs_command = app.add_subcommand("logs", "Print the end of a job's log");
  logs_command->add_option("job", options->job, "Job id")->required();
  auto* tail_option =
      logs_command->add_option("--tail,-n", options->tail_lines, "Lines")->capture_default_str();
  logs_command->add_flag("--stderr", options->stderr_log, "The standard error log");
  logs_command->add_flag("--follow,-f", options->follow,
                         "Print the log as it grows until the job ends (from the start, or "
                         "after the last --tail lines)");
  logs_command->callback([&context, options, tail_option] {
    options->tail_given = tail_option->count() > 0;
    context.status = logs(context, *options);
  });
}

}  // namespace sortie::cli

// /api/jobs/...: list (a page, answered from a cache while the database is unchanged), submit,
// preview, show, cancel, rerun, delete, refresh, events, script, logs, and the live streams
// (/api/events for every change, /api/jobs/{id}/logs/stream for a log as it grows).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "sortie/api/app.hpp"
#include "sortie/api/responses.hpp"
#include "sortie/jobs/cancel.hpp"
#include "sortie/jobs/launch.hpp"
#include "sortie/jobs/logs.hpp"
#include "sortie/jobs/purge.hpp"
#include "sortie/jobs/rerun.hpp"
#include "sortie/jobs/submit.hpp"
#include "sortie/jobs/sweep.hpp"
#include "sortie/jobs/template.hpp"
#include "sortie/jobs/track.hpp"
#include "sortie/json/api.hpp"

namespace sortie::api {
namespace {

json::JobDocument document(const store::Job& job, std::string project) {
  return {job, std::move(project), jobs::stdout_path(job), jobs::stderr_path(job)};
}

core::Result<json::JobDocument> read_document(store::Store& store, store::JobId id) {
  auto job = store.job(id);
  if (!job) return std::unexpected(job.error());
  auto project = store.project(job->spec.project);
  return document(*job, project ? project->name : std::string());
}

http::Response job_response(int status, const json::JobDocument& job) {
  return http::Response::json(status, json::job_compact(job));
}

// A failed submission whose record exists: the error and the record, with the error's status.
http::Response failed_submission(const core::Error& error, const json::JobDocument& job) {
  auto response = error_response(error);
  response.body.pop_back();
  response.body += R"(,"job":)" + json::job_compact(job) + "}";
  return response;
}

// Answers GET /api/jobs/ from memory while nothing was written to the database: a listing
// costs one `PRAGMA data_version` on its own connection then, not a query and an encoding.
class ListCache {
 public:
  explicit ListCache(std::filesystem::path file) : m_file(std::move(file)) {}

  struct Entry {
    std::shared_ptr<const std::string> body;
    std::int64_t total = 0;
  };

  // The cached answer for `key`, and the token under which to store a fresh one.
  std::pair<std::optional<Entry>, std::optional<store::ChangeToken>> get(const std::string& key) {
    std::lock_guard lock(m_mutex);
    if (!m_database) {
      auto opened = store::Database::open(m_file);
      if (!opened) return {std::nullopt, std::nullopt};
      m_database.emplace(std::move(*opened));
      m_store.emplace(*m_database);
    }
    auto token = m_store->change_token();
    if (!token) return {std::nullopt, std::nullopt};
    if (!m_token || !(*m_token == *token)) {
      m_entries.clear();
      m_token = *token;
    }
    auto found = m_entries.find(key);
    if (found == m_entries.end()) return {std::nullopt, *token};
    return {found->second, *token};
  }

  // Keeps `entry` when the database is still as it was at `token` (taken before reading).
  void put(const std::string& key, const store::ChangeToken& token, Entry entry) {
    std::lock_guard lock(m_mutex);
    if (!m_token || !(*m_token == token)) return;
    if (m_entries.size() >= 256) m_entries.clear();
    m_entries.emplace(key, std::move(entry));
  }

 private:
  std::filesystem::path m_file;
  std::mutex m_mutex;
  std::optional<store::Database> m_database;
  std::optional<store::Store> m_store;
  std::optional<store::ChangeToken> m_token;
  std::map<std::string, Entry> m_entries;
};

core::Result<store::JobFilter> read_filter(Context& context, const http::Request& request) {
  store::JobFilter filter;
  if (auto sweep = request.query_value("sweep_id"); sweep && !sweep->empty()) {
    filter.sweep = store::SweepId{*sweep};
  }
  if (request.query_value("project_id")) {
    auto project = query_integer(request, "project_id", 0, 1,
                                 std::numeric_limits<std::int64_t>::max());
    if (!project) return std::unexpected(project.error());
    filter.project = store::ProjectId{*project};
  }
  if (auto cluster = request.query_value("cluster"); cluster && !cluster->empty()) {
    auto known = context.cluster(*cluster);
    if (!known) return std::unexpected(known.error());
    filter.cluster = store::ClusterName{*cluster};
  }
  if (auto state = request.query_value("state"); state && !state->empty()) {
    if (auto phase = store::parse_phase(*state)) {
      filter.phase = phase;
    } else if (auto slurm_state = slurm::parse_job_state(*state)) {
      filter.state = slurm_state;
    } else {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("state '{}' is not a SLURM state (PENDING, RUNNING, "
                                    "COMPLETED, FAILED, ...) nor submitting/submitted/"
                                    "submit_failed",
                                    state->substr(0, 40)));
    }
  }
  return filter;
}

// Server-Sent Events framing of one event.
std::string sse(std::string_view name, std::string_view data, std::optional<std::uint64_t> id) {
  std::string frame;
  if (id) frame += fmt::format("id: {}\n", *id);
  frame += fmt::format("event: {}\ndata: {}\n\n", name, data);
  return frame;
}

// Waits up to `duration` in short steps, returning early when the sink closes.
bool wait_open(http::StreamSink& sink, std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (sink.open()) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        left, std::chrono::milliseconds(250)));
  }
  return false;
}

// Where a UTF-8 text may be cut without splitting a character: at most `size`.
std::size_t utf8_boundary(std::string_view text, std::size_t size) {
  if (size >= text.size()) return text.size();
  std::size_t cut = size;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut == 0 ? size : cut;
}

struct StreamSlot {
  std::atomic<int>& open;
  explicit StreamSlot(std::atomic<int>& counter) : open(counter) { ++open; }
  ~StreamSlot() { --open; }
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;
};

std::optional<http::Response> refuse_more_streams(Context& context) {
  if (context.open_streams.load() < context.options.max_streams) return std::nullopt;
  return error_response(503, "unavailable",
                        fmt::format("{} live streams are open, the most this server holds; close "
                                    "some tabs or try again",
                                    context.options.max_streams));
}

http::Response event_stream(std::function<void(http::StreamSink&)> body) {
  http::Response response;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  response.stream = std::move(body);
  return response;
}

// The job with `id`, read with a connection held only for the read.
core::Result<store::Job> load_job(Context& context, std::int64_t id) {
  auto store = context.stores.acquire();
  if (!store) return std::unexpected(store.error());
  return (*store)->job(store::JobId{id});
}

jobs::SubmitOptions submit_options(Context& context) {
  jobs::SubmitOptions options;
  options.facts_cache = &context.facts;
  options.validation_timeout = context.options.cluster_timeout;
  options.submission_timeout = context.options.submit_timeout;
  return options;
}

// Submits exactly once over the cluster's warm connection, tells the monitor to look soon, and
// answers 201 with the job, or the error with the record it left.
http::Response submit_and_answer(Context& context, store::Store& store,
                                 const config::Cluster& cluster,
                                 const jobs::SubmitRequest& request) {
  auto outcome = jobs::submit(store, context.remotes.get(cluster), request, submit_options(context));
  if (!outcome) return error_response(outcome.error());
  if (context.hurry) context.hurry(cluster.name);
  auto job = read_document(store, outcome->job.id);
  if (!job) return error_response(job.error());
  if (outcome->error) return failed_submission(*outcome->error, *job);
  if (outcome->job.status.phase == store::Phase::submit_failed) {
    return failed_submission({core::ErrorCode::command_failed, outcome->job.reason}, *job);
  }
  auto response = job_response(201, *job);
  response.headers.emplace_back("Location", fmt::format("/api/jobs/{}", outcome->job.id.value));
  return response;
}

}  // namespace

void add_job_routes(http::Router& router, Context& context) {
  auto cache = std::make_shared<ListCache>(context.options.database);

  router.add("GET", "/api/jobs", [&context, cache](const http::Request& request) {
    auto limit = query_integer(request, "limit", 50, 1, 1000);
    if (!limit) return error_response(limit.error());
    auto offset = query_integer(request, "offset", 0, 0, 1'000'000'000);
    if (!offset) return error_response(offset.error());
    std::optional<std::int64_t> before;
    if (request.query_value("before")) {
      auto cursor = query_integer(request, "before", 0, 1, std::numeric_limits<std::int64_t>::max());
      if (!cursor) return error_response(cursor.error());
      before = *cursor;
    }
    auto filter = read_filter(context, request);
    if (!filter) return error_response(filter.error());

    const std::string key = fmt::format(
        "{}|{}|{}|{}|{}|{}|{}|{}", filter->sweep ? filter->sweep->value : std::string(), *limit,
        *offset, before.value_or(0),
        filter->project ? filter->project->value : 0,
        filter->cluster ? filter->cluster->value : std::string(),
        filter->phase ? store::to_string(*filter->phase) : std::string_view(),
        filter->state ? slurm::to_string(*filter->state) : std::string_view());
    auto [cached, token] = cache->get(key);
    ListCache::Entry entry;
    if (cached) {
      entry = std::move(*cached);
    } else {
      auto store = context.stores.acquire();
      if (!store) return error_response(store.error());
      store::PageRequest page;
      page.limit = static_cast<int>(*limit);
      page.offset = *offset;
      if (before) page.before = store::JobId{*before};
      auto jobs = (*store)->list_jobs(*filter, page);
      if (!jobs) return error_response(jobs.error());
      auto total = (*store)->count_jobs(*filter);
      if (!total) return error_response(total.error());
      auto projects = (*store)->projects();
      if (!projects) return error_response(projects.error());
      std::map<std::int64_t, std::string> names;
      for (const auto& project : *projects) names[project.id.value] = project.name;
      std::vector<json::JobDocument> documents;
      documents.reserve(jobs->jobs.size());
      for (const auto& job : jobs->jobs) documents.push_back(document(job, names[job.spec.project.value]));
      entry.body = std::make_shared<const std::string>(json::jobs_array(documents));
      entry.total = *total;
      if (token) cache->put(key, *token, entry);
    }
    auto response = http::Response::json(200, *entry.body);
    response.headers.emplace_back("X-Total-Count", std::to_string(entry.total));
    return response;
  });

  // Builds the submission from a launch body: the project, its cluster and the request.
  auto prepare = [&context](const json::LaunchBody& launch)
      -> core::Result<std::pair<jobs::SubmitRequest, const config::Cluster*>> {
    store::Project project;
    {
      auto store = context.stores.acquire();
      if (!store) return std::unexpected(store.error());
      auto found = (*store)->project(store::ProjectId{launch.project_id});
      if (!found) return std::unexpected(found.error());
      project = std::move(*found);
    }
    std::string cluster_name = launch.cluster;
    if (cluster_name.empty() && project.settings.default_cluster) {
      cluster_name = project.settings.default_cluster->value;
    }
    auto cluster = context.cluster(cluster_name);
    if (!cluster) return std::unexpected(cluster.error());
    auto request = jobs::prepare_request(project, **cluster, launch.spec);
    if (!request) return std::unexpected(request.error());
    return std::pair{std::move(*request), *cluster};
  };

  // A multirun's tasks: the arguments are Hydra overrides, expanded (and composed when the
  // project has a Hydra app) into one combination per task.
  auto sweep_of = [](const json::LaunchBody& launch,
                     const jobs::SubmitRequest& submit_request) -> core::Result<jobs::SweepRequest> {
    const auto mode = launch.paired ? store::SweepMode::paired : store::SweepMode::cartesian;
    auto expanded = jobs::expand_sweep(submit_request.project, launch.spec.arguments, mode);
    if (!expanded) return std::unexpected(expanded.error());
    jobs::SweepRequest sweep;
    sweep.combinations = std::move(expanded->combinations);
    sweep.max_parallel = launch.parallelism;
    sweep.mode = mode;
    sweep.overrides = launch.spec.arguments;
    if (auto ok = jobs::check_sweep(sweep); !ok) return std::unexpected(ok.error());
    return sweep;
  };

  router.add("POST", "/api/jobs/preview", [&context, prepare, sweep_of](const http::Request& request) {
    auto launch = json::read_launch(request.body);
    if (!launch) return error_response(launch.error());
    auto prepared = prepare(*launch);
    if (!prepared) return error_response(prepared.error());
    auto& [submit_request, cluster] = *prepared;
    std::size_t tasks = 1;
    if (launch->multirun) {
      // One script for the whole array; each task reads its overrides from its own file.
      auto sweep = sweep_of(*launch, submit_request);
      if (!sweep) return error_response(sweep.error());
      tasks = sweep->combinations.size();
      submit_request.arguments.clear();
      submit_request.resources.array = jobs::array_spec(tasks, sweep->max_parallel);
    } else if (auto ok = jobs::check_single_run_arguments(submit_request.project,
                                                          launch->spec.arguments);
               !ok) {
      return error_response(ok.error());
    }
    auto plan = jobs::plan(context.remotes.get(*cluster), submit_request,
                           jobs::new_submission_key(), submit_options(context));
    if (!plan) return error_response(plan.error());
    return http::Response::json(
        200, fmt::format(R"({{"script":{},"tasks":{},"cluster":{}}})", json::quoted(plan->script),
                         tasks, json::quoted(cluster->name)));
  });

  router.add("POST", "/api/jobs", [&context, prepare, sweep_of](const http::Request& request) {
    auto launch = json::read_launch(request.body);
    if (!launch) return error_response(launch.error());
    auto prepared = prepare(*launch);
    if (!prepared) return error_response(prepared.error());
    auto& [submit_request, cluster] = *prepared;
    if (launch->multirun) {
      auto sweep = sweep_of(*launch, submit_request);
      if (!sweep) return error_response(sweep.error());
      auto store = context.stores.acquire();
      if (!store) return error_response(store.error());
      auto outcome = jobs::submit_sweep(**store, context.remotes.get(*cluster), submit_request,
                                        *sweep, submit_options(context));
      if (!outcome) return error_response(outcome.error());
      if (context.hurry) context.hurry(cluster->name);
      std::vector<json::JobDocument> tasks;
      for (const auto& task : outcome->tasks) {
        auto read = read_document(**store, task.id);
        if (!read) return error_response(read.error());
        tasks.push_back(std::move(*read));
      }
      const std::string body = fmt::format(R"({{"sweep_id":{},"jobs":{}}})",
                                           json::quoted(outcome->sweep_id.value),
                                           json::jobs_array(tasks));
      if (outcome->error) {
        auto response = error_response(*outcome->error);
        response.body.pop_back();
        response.body += "," + body.substr(1);
        return response;
      }
      return http::Response::json(201, body);
    }
    // A Hydra app refuses a sweep without multirun; say so before a job fails on the cluster.
    if (auto ok = jobs::check_single_run_arguments(submit_request.project, launch->spec.arguments);
        !ok) {
      return error_response(ok.error());
    }
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    return submit_and_answer(context, **store, *cluster, submit_request);
  });

  router.add("GET", "/api/jobs/{id}", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto job = read_document(**store, store::JobId{*id});
    if (!job) return error_response(job.error());
    return job_response(200, *job);
  });

  router.add("GET", "/api/jobs/{id}/events", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    if (auto job = (*store)->job(store::JobId{*id}); !job) return error_response(job.error());
    auto events = (*store)->events(store::JobId{*id});
    if (!events) return error_response(events.error());
    return http::Response::json(200, json::events_array(*events));
  });

  router.add("GET", "/api/jobs/{id}/script", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto job = (*store)->job(store::JobId{*id});
    if (!job) return error_response(job.error());
    if (job->rendered.script.empty()) {
      return error_response(404, "not_found",
                            fmt::format("job {} has no script: it was never rendered ({})",
                                        *id, job->reason));
    }
    return http::Response::json(200, fmt::format(R"({{"script":{}}})",
                                                 json::quoted(job->rendered.script)));
  });

  // Cancels, then ticks the job's cluster so the answer usually shows CANCELLED already.
  router.add("POST", "/api/jobs/{id}/cancel", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    // Read under a short lease: what follows talks to the cluster.
    auto job = load_job(context, *id);
    if (!job) return error_response(job.error());
    if (!jobs::is_active(*job)) {
      return error_response(409, "conflict",
                            fmt::format("job {} has ended ({}); there is nothing to cancel", *id,
                                        job->status.state ? slurm::to_string(*job->status.state)
                                                          : store::to_string(job->status.phase)));
    }
    auto cluster = context.cluster(job->spec.cluster.value);
    if (!cluster) return error_response(cluster.error());
    auto& remote = context.remotes.get(**cluster);
    if (auto ok = jobs::cancel(*job, remote, context.options.cluster_timeout); !ok) {
      return error_response(ok.error());
    }
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    jobs::Tracker tracker(**store);
    (void)tracker.tick(**cluster, remote);
    if (context.hurry) context.hurry((*cluster)->name);
    auto after = read_document(**store, job->id);
    if (!after) return error_response(after.error());
    return job_response(200, *after);
  });

  router.add("POST", "/api/jobs/{id}/rerun", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto job = (*store)->job(store::JobId{*id});
    if (!job) return error_response(job.error());
    auto project = (*store)->project(job->spec.project);
    if (!project) return error_response(project.error());
    auto cluster = context.cluster(job->spec.cluster.value);
    if (!cluster) return error_response(cluster.error());
    auto chosen = jobs::choose_template(*project, **cluster);
    if (!chosen) return error_response(chosen.error());
    auto rerun = jobs::rerun_request(*job, *project, **cluster, std::move(chosen->script_template));
    if (!rerun) return error_response(rerun.error());
    return submit_and_answer(context, **store, **cluster, *rerun);
  });

  router.add("DELETE", "/api/jobs/{id}", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    const bool purge = request.query_value("purge") == "true";
    // Read under a short lease: what follows talks to the cluster.
    auto job = load_job(context, *id);
    if (!job) return error_response(job.error());
    if (jobs::is_active(*job)) {
      return error_response(409, "conflict",
                            fmt::format("job {} is still active; cancel it first, then delete "
                                        "it once SLURM reports it ended",
                                        *id));
    }
    // Files first: when the cluster cannot be reached, the record stays and delete can be
    // retried.
    if (purge) {
      auto commands = jobs::purge_commands(*job);
      if (!commands) return error_response(commands.error());
      if (!commands->empty()) {
        auto cluster = context.cluster(job->spec.cluster.value);
        if (!cluster) return error_response(cluster.error());
        auto outputs = context.remotes.get(**cluster).run(*commands, context.options.cluster_timeout,
                                                          remote::OnFailure::continue_batch);
        if (!outputs) return error_response(outputs.error());
        for (const auto& output : *outputs) {
          if (output.exit_code != 0) {
            return error_response(core::Error{
                core::ErrorCode::command_failed,
                fmt::format("could not remove job {}'s files: {}", *id, output.err)});
          }
        }
      }
    }
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto removed = (*store)->delete_job(job->id);
    if (!removed) return error_response(removed.error());
    return http::Response::empty();
  });

  router.add("POST", "/api/jobs/{id}/refresh-status", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto job = (*store)->job(store::JobId{*id});
    if (!job) return error_response(job.error());
    if (jobs::is_active(*job)) {
      auto cluster = context.cluster(job->spec.cluster.value);
      if (!cluster) return error_response(cluster.error());
      jobs::TrackOptions options;
      options.timeout = context.options.cluster_timeout;
      jobs::Tracker tracker(**store, options);
      auto ticked = tracker.tick(**cluster, context.remotes.get(**cluster));
      if (!ticked) return error_response(ticked.error());
    }
    auto after = read_document(**store, job->id);
    if (!after) return error_response(after.error());
    return job_response(200, *after);
  });

  // The log: its last `tail` lines (default), or `length` bytes from `offset`.
  router.add("GET", "/api/jobs/{id}/logs", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    const std::string stream = request.query_value("stream").value_or("stdout");
    if (stream != "stdout" && stream != "stderr") {
      return error_response(400, "invalid_argument", "query parameter 'stream' must be stdout or stderr");
    }
    auto tail = query_integer(request, "tail", 200, 1, 100'000);
    if (!tail) return error_response(tail.error());
    // Read under a short lease: what follows talks to the cluster.
    auto job = load_job(context, *id);
    if (!job) return error_response(job.error());
    const std::string path = stream == "stdout" ? jobs::stdout_path(*job) : jobs::stderr_path(*job);
    if (path.empty()) {
      return error_response(404, "not_found",
                            fmt::format("job {} has no log yet: SLURM has not given it an id",
                                        *id));
    }
    auto cluster = context.cluster(job->spec.cluster.value);
    if (!cluster) return error_response(cluster.error());
    auto& remote = context.remotes.get(**cluster);
    std::string text;
    std::uint64_t start = 0, end = 0;
    if (request.query_value("offset")) {
      auto offset = query_integer(request, "offset", 0, 0, std::numeric_limits<std::int64_t>::max());
      if (!offset) return error_response(offset.error());
      auto length = query_integer(request, "length", 1 << 20, 1, 8 << 20);
      if (!length) return error_response(length.error());
      auto read = remote.read_file(path, static_cast<std::uint64_t>(*offset),
                                   static_cast<std::uint64_t>(*length));
      if (!read) return error_response(read.error());
      text = std::move(*read);
      start = static_cast<std::uint64_t>(*offset);
      end = start + text.size();
    } else {
      auto read = jobs::tail_with_end(remote, path, static_cast<std::size_t>(*tail),
                                      context.options.cluster_timeout);
      if (!read) return error_response(read.error());
      text = std::move(read->text);
      end = read->end;
      start = end - std::min<std::uint64_t>(end, text.size());
    }
    return http::Response::json(
        200, fmt::format(R"({{"stream":"{}","path":{},"text":{},"offset":{},"next_offset":{}}})",
                         stream, json::quoted(path), json::quoted(text), start, end));
  });

  router.add("GET", "/api/jobs/{id}/logs/stream", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    const std::string stream = request.query_value("stream").value_or("stdout");
    if (stream != "stdout" && stream != "stderr") {
      return error_response(400, "invalid_argument", "query parameter 'stream' must be stdout or stderr");
    }
    auto requested = query_integer(request, "offset", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (!requested) return error_response(requested.error());
    std::uint64_t start = static_cast<std::uint64_t>(*requested);
    // EventSource sends the last id it saw when it reconnects: the offset to resume from.
    if (auto last = request.header("last-event-id")) {
      http::Request resumed;
      resumed.query.emplace("offset", *last);
      if (auto value = query_integer(resumed, "offset", 0, 0, std::numeric_limits<std::int64_t>::max())) {
        start = static_cast<std::uint64_t>(*value);
      }
    }
    {
      auto store = context.stores.acquire();
      if (!store) return error_response(store.error());
      if (auto job = (*store)->job(store::JobId{*id}); !job) return error_response(job.error());
    }
    if (auto refused = refuse_more_streams(context)) return std::move(*refused);
    const store::JobId job_id{*id};
    return event_stream([&context, job_id, stream, start](http::StreamSink& sink) {
      StreamSlot slot(context.open_streams);
      std::uint64_t offset = start;
      auto last_write = std::chrono::steady_clock::now();
      bool final_seen = false;
      if (!sink.write("retry: 2000\n\n")) return;
      while (sink.open()) {
        std::optional<store::Job> job;
        {
          auto store = context.stores.acquire();
          if (!store) return;
          auto found = (*store)->job(job_id);
          if (!found) {
            sink.write(sse("end", R"({"reason":"the job was deleted"})", std::nullopt));
            return;
          }
          job = std::move(*found);
        }
        const bool finished = !jobs::is_active(*job);
        const std::string path =
            stream == "stdout" ? jobs::stdout_path(*job) : jobs::stderr_path(*job);
        std::string chunk;
        if (!path.empty()) {
          if (auto cluster = context.cluster(job->spec.cluster.value)) {
            auto read = context.remotes.get(**cluster).read_file(path, offset, 256u << 10);
            if (read) chunk = std::move(*read);
          }
        }
        if (!chunk.empty()) {
          chunk.resize(utf8_boundary(chunk, chunk.size()));
          const std::uint64_t next = offset + chunk.size();
          const std::string data = fmt::format(R"({{"offset":{},"next_offset":{},"text":{}}})",
                                               offset, next, json::quoted(chunk));
          if (!sink.write(sse("log", data, next))) return;
          offset = next;
          last_write = std::chrono::steady_clock::now();
          continue;  // more may be waiting
        }
        if (finished) {
          // One more read after the job ended found nothing: the log is complete.
          if (final_seen || path.empty()) {
            sink.write(sse("end", fmt::format(R"({{"next_offset":{}}})", offset), offset));
            return;
          }
          final_seen = true;
          continue;
        }
        if (std::chrono::steady_clock::now() - last_write > std::chrono::seconds(15)) {
          if (!sink.write(": keep-alive\n\n")) return;
          last_write = std::chrono::steady_clock::now();
        }
        if (!wait_open(sink, std::chrono::milliseconds(1500))) return;
      }
    });
  });

  router.add("GET", "/api/events", [&context](const http::Request& request) {
    if (auto refused = refuse_more_streams(context)) return std::move(*refused);
    std::uint64_t after = context.events.last_id();
    if (auto last = request.header("last-event-id")) {
      http::Request resumed;
      resumed.query.emplace("id", *last);
      if (auto value = query_integer(resumed, "id", 0, 0, std::numeric_limits<std::int64_t>::max())) {
        after = std::min<std::uint64_t>(static_cast<std::uint64_t>(*value), after);
      }
    }
    return event_stream([&context, after](http::StreamSink& sink) mutable {
      StreamSlot slot(context.open_streams);
      if (!sink.write("retry: 2000\n\n")) return;
      while (sink.open() && !context.stopping.load()) {
        auto events = context.events.wait_after(after, std::chrono::seconds(15));
        if (events.empty()) {
          if (!sink.write(": keep-alive\n\n")) return;
          continue;
        }
        for (const auto& event : events) {
          if (!sink.write(sse(event.name, event.data, event.id))) return;
          after = event.id;
        }
      }
    });
  });
}

}  // namespace sortie::api

#include "sortie/api/app.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "sortie/api/responses.hpp"
#include "sortie/http/server.hpp"
#include "sortie/http/static_files.hpp"
#include "sortie/jobs/logs.hpp"
#include "sortie/jobs/track.hpp"
#include "sortie/json/api.hpp"

namespace sortie::api {

core::Result<const config::Cluster*> Context::cluster(const std::string& name) const {
  const auto& known = options.clusters.clusters;
  if (name.empty()) {
    if (known.size() == 1) return &known.front();
    if (known.empty()) {
      return core::fail(core::ErrorCode::not_found,
                        fmt::format("no cluster is configured in {}",
                                    options.clusters.file.string()));
    }
  }
  for (const auto& cluster : known) {
    if (cluster.name == name) return &cluster;
  }
  std::vector<std::string> names;
  for (const auto& cluster : known) names.push_back(cluster.name);
  if (name.empty()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("name a cluster: one of {}", fmt::join(names, ", ")));
  }
  return core::fail(core::ErrorCode::not_found,
                    fmt::format("no cluster '{}' in {}; known: {}", name.substr(0, 100),
                                options.clusters.file.string(), fmt::join(names, ", ")));
}

App::App(AppOptions options) : m_context(std::make_unique<Context>(std::move(options))) {
  Context& context = *m_context;
  m_router.add("GET", "/api/health", [&context](const http::Request&) {
    // The version is sortie's own build string, never user input.
    return http::Response::json(
        200, fmt::format(R"({{"status":"ok","version":"{}"}})", context.options.version));
  });
  m_router.add("GET", "/openapi.json", [](const http::Request&) {
    return http::Response::json(200, std::string(openapi_document()));
  });
  add_session_routes(m_router, context);
  add_project_routes(m_router, context);
  add_job_routes(m_router, context);
  add_cluster_routes(m_router, context);
  add_hydra_routes(m_router, context);
}

App::~App() { stop(); }

void App::start() {
  Context& context = *m_context;
  context.gpus = std::make_unique<GpuCache>(
      context.options.clusters.clusters,
      [&context](const config::Cluster& cluster) {
        gpus::Filters filters{cluster.allowed_partitions, cluster.allowed_gpu_types};
        return gpus::query_snapshot(context.remotes.get(cluster), filters, cluster.name,
                                    context.options.cluster_timeout);
      },
      context.options.gpu_max_age,
      [&context](const std::string&, const gpus::Snapshot& snapshot) {
        context.events.publish(
            "gpus", json::availability_open(snapshot.availability) +
                        R"(,"age_seconds":0,"refreshing":false,"error":null})");
      });

  if (context.options.run_monitor && !context.options.clusters.clusters.empty()) {
    auto database = store::Database::open(context.options.database);
    if (database) {
      m_monitor_database = std::make_unique<store::Database>(std::move(*database));
      m_monitor_store = std::make_unique<store::Store>(*m_monitor_database);
      m_monitor = std::make_unique<jobs::Monitor>(
          *m_monitor_store, context.options.clusters.clusters,
          [&context](const config::Cluster& cluster) -> remote::Remote& {
            return context.remotes.get(cluster);
          },
          context.options.monitor);
      context.hurry = [this](const std::string& cluster) { m_monitor->hurry(cluster); };
      m_monitor->start();
    }
  }
  m_watcher = std::jthread([this](std::stop_token stop) { watch_events(stop); });
}

void App::stop() {
  if (!m_context) return;
  m_context->stopping.store(true);
  m_context->events.close();
  if (m_watcher.joinable()) {
    m_watcher.request_stop();
    m_watcher.join();
  }
  if (m_monitor) m_monitor->stop();
  if (m_context->gpus) m_context->gpus->stop();
}

// Turns job events written by anyone (the monitor, the CLI, a handler) into live "job" events.
void App::watch_events(std::stop_token stop) {
  Context& context = *m_context;
  std::optional<std::int64_t> last_sequence;
  std::optional<store::ChangeToken> seen;
  std::map<std::int64_t, std::string> project_names;
  while (!stop.stop_requested()) {
    jobs::interruptible_wait(std::chrono::milliseconds(500), stop);
    auto store = context.stores.acquire();
    if (!store) continue;
    auto token = (*store)->change_token();
    if (!token || (seen && *token == *seen)) continue;
    seen = *token;
    if (!last_sequence) {
      auto latest = (*store)->latest_event_sequence();
      if (latest) last_sequence = *latest;
      continue;
    }
    auto events = (*store)->events_after(*last_sequence, 500);
    if (!events || events->empty()) continue;
    last_sequence = events->back().sequence;
    std::set<std::int64_t> published;
    for (const auto& event : *events) {
      if (!published.insert(event.job.value).second) continue;
      auto job = (*store)->job(event.job);
      if (!job) continue;
      auto& name = project_names[job->spec.project.value];
      if (name.empty()) {
        auto project = (*store)->project(job->spec.project);
        name = project ? project->name : std::string();
      }
      context.events.publish(
          "job", json::job_compact({*job, name, jobs::stdout_path(*job), jobs::stderr_path(*job)}));
    }
  }
}

std::optional<http::Response> App::refuse_unauthenticated(const http::Request& request) {
  Context& context = *m_context;
  if (!needs_credentials(context.options)) return std::nullopt;
  if (request.path == "/api/health" || request.path == "/openapi.json" ||
      request.path.starts_with("/api/session")) {
    return std::nullopt;
  }
  if (auto header = request.header("authorization"); header && header->starts_with("Bearer ")) {
    const auto given = std::string_view(*header).substr(7);
    if (context.options.local_secret && constant_time_equal(given, *context.options.local_secret)) {
      return std::nullopt;
    }
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto name = (*store)->token_name(token_hash(given));
    if (!name) return error_response(name.error());
    if (*name) return std::nullopt;
    return error_response(401, "unauthorized",
                          "the API token is not known (revoked, or the secret of an earlier run "
                          "of sortie serve?); make one with `sortie tokens create NAME`");
  }
  if (auto session = request.cookie(kSessionCookie)) {
    if (auto owner = context.sessions.who(*session)) {
      bool still_valid = owner->credential == Credential::local_secret;
      if (!still_valid) {
        auto store = context.stores.acquire();
        if (!store) return error_response(store.error());
        auto tokens = (*store)->tokens();
        if (!tokens) return error_response(tokens.error());
        still_valid = std::any_of(tokens->begin(), tokens->end(), [&](const store::ApiToken& t) {
          return t.name == owner->token_name;
        });
      }
      if (!still_valid) {
        context.sessions.close(*session);
      } else if (request.method != "GET" && request.method != "HEAD") {
        // A cookie travels with cross-site requests too; SameSite=Strict stops most, the
        // Origin check (here and in the server's request gate) stops the rest.
        auto origin = request.header("origin");
        auto host = request.header("host");
        if (origin && host && *origin != "http://" + *host && *origin != "https://" + *host) {
          return error_response(403, "forbidden",
                                "the request came from another site (Origin " +
                                    origin->substr(0, 100) + ")");
        }
        return std::nullopt;
      } else {
        return std::nullopt;
      }
    }
  }
  auto response = error_response(
      401, "unauthorized",
      context.options.local_secret
          ? "sign in: open the link `sortie serve` printed when it started "
            "(http://.../?token=...), or send Authorization: Bearer TOKEN (the CLI reads the "
            "secret from <database>.server; other clients use `sortie tokens create NAME`)"
          : "sign in: send Authorization: Bearer TOKEN, or sign in on the web UI (make a token "
            "with `sortie tokens create NAME`)");
  response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

http::Response App::handle(const http::Request& request) {
  const std::string& path = request.path;
  if (path == "/api" || path.starts_with("/api/") || path == "/openapi.json") {
    if (auto refused = refuse_unauthenticated(request)) return std::move(*refused);
    auto match = m_router.match(request.method, path);
    if (!match.route) {
      if (!match.allowed_methods.empty()) {
        auto response = error_response(
            405, "method_not_allowed",
            fmt::format("{} is not allowed on {}; use {}", request.method.substr(0, 10),
                        path.substr(0, 200), fmt::join(match.allowed_methods, ", ")));
        response.headers.emplace_back("Allow", fmt::format("{}", fmt::join(match.allowed_methods, ", ")));
        return response;
      }
      return error_response(404, "not_found",
                            fmt::format("no API route {} {}; the routes are listed at /docs",
                                        request.method.substr(0, 10), path.substr(0, 200)));
    }
    if (auto refused = refuse_non_json(request)) return std::move(*refused);
    http::Request routed = request;
    routed.params = std::move(match.params);
    auto response = match.route->handler(routed);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  }

  if (request.method != "GET" && request.method != "HEAD") {
    return error_response(405, "method_not_allowed", "the web UI's files are read with GET");
  }
  if (auto signed_in = follow_sign_in_link(*m_context, request)) return std::move(*signed_in);
  const auto& web = m_context->options.web_dir;
  if (path == "/docs") {
    auto response = http::Response::empty(308);
    response.headers.emplace_back("Location", "/docs/");
    return response;
  }
  if (auto file = http::serve_file(web, path)) {
    if (path.starts_with("/docs/")) {
      // Swagger UI sets styles inline; scripts stay same-origin only.
      file->headers.emplace_back(
          "Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src "
          "'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'");
    }
    return std::move(*file);
  }
  // A path of the single-page app (/jobs/12): the app's page, which routes it.
  const bool looks_like_file = path.rfind('.') != std::string::npos &&
                               path.rfind('.') > path.rfind('/');
  if (!looks_like_file) {
    if (auto index = http::serve_file(web, "/index.html")) return std::move(*index);
  }
  if (web.empty() || !http::serve_file(web, "/index.html")) {
    return error_response(404, "not_found",
                          "the web UI is not built or not installed beside sortie: run `make "
                          "build`, or pass --web-dir; the API is at /api and its docs need the "
                          "UI's files too");
  }
  return error_response(404, "not_found", fmt::format("no file {}", path.substr(0, 200)));
}

}  // namespace sortie::api

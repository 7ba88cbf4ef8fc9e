#pragma once

// The API application: every route of `sortie serve`, the web UI's files and the API docs,
// behind one http::Handler. It owns what the routes share (services.hpp), the monitor that
// follows jobs, and a watcher that turns new job events into live events.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "sortie/api/auth.hpp"
#include "sortie/api/services.hpp"
#include "sortie/config/clusters.hpp"
#include "sortie/http/message.hpp"
#include "sortie/http/router.hpp"
#include "sortie/jobs/monitor.hpp"
#include "sortie/jobs/submit.hpp"

namespace sortie::api {

struct AppOptions {
  std::filesystem::path database;
  config::Clusters clusters;
  // The built web UI (index.html, assets/, docs/); empty or missing: the API only.
  std::filesystem::path web_dir;
  // Every /api call needs a token or a session (the server listens beyond loopback).
  bool auth_required = false;
  // The local secret of this run (auth.hpp): when set, every /api call needs it (Bearer), a
  // token, or a session, and GET /?token=SECRET trades it for a session cookie. Unset:
  // --no-local-auth.
  std::optional<std::string> local_secret;
  std::chrono::seconds gpu_max_age{15};
  std::chrono::milliseconds cluster_timeout{20'000};
  std::chrono::milliseconds submit_timeout{120'000};
  std::size_t database_connections = 4;
  bool run_monitor = true;
  jobs::MonitorOptions monitor;
  std::string version = "dev";
  // When set, the session cookie is marked Secure (HTTPS).
  bool secure_cookies = false;
  // Live streams (SSE) open at once; each holds one of the server's threads.
  int max_streams = 128;
};

// Whether a call must show a credential (a token, the local secret or a session).
inline bool needs_credentials(const AppOptions& options) {
  return options.auth_required || options.local_secret.has_value();
}

// Everything a route handler may use. Safe across threads.
struct Context {
  AppOptions options;
  StorePool stores;
  Remotes remotes;
  EventHub events;
  Sessions sessions;
  jobs::ClusterFactsCache facts{std::chrono::seconds(60)};
  std::unique_ptr<GpuCache> gpus;
  std::function<void(const std::string& cluster)> hurry;  // tells the monitor to look soon
  std::atomic<bool> stopping{false};
  std::atomic<int> open_streams{0};

  explicit Context(AppOptions app_options)
      : options(std::move(app_options)),
        stores(options.database, options.database_connections) {}

  // The cluster named `name` (the only one when empty); not_found lists the known names.
  core::Result<const config::Cluster*> cluster(const std::string& name) const;
};

class App {
 public:
  explicit App(AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Starts the monitor (when asked), the GPU cache and the event watcher.
  void start();
  // Ends live streams and background threads. Idempotent.
  void stop();

  // Answers one request: /api/..., /openapi.json, /docs, else the web UI's files.
  http::Response handle(const http::Request& request);

  const http::Router& router() const { return m_router; }
  Context& context() { return *m_context; }

 private:
  std::optional<http::Response> refuse_unauthenticated(const http::Request& request);
  void watch_events(std::stop_token stop);

  std::unique_ptr<Context> m_context;
  http::Router m_router;
  std::unique_ptr<store::Database> m_monitor_database;
  std::unique_ptr<store::Store> m_monitor_store;
  std::unique_ptr<jobs::Monitor> m_monitor;
  std::jthread m_watcher;
};

// The routes of each concern (routes_*.cpp).
void add_project_routes(http::Router& router, Context& context);
void add_job_routes(http::Router& router, Context& context);
void add_cluster_routes(http::Router& router, Context& context);
void add_hydra_routes(http::Router& router, Context& context);
void add_session_routes(http::Router& router, Context& context);

// The sign-in link `GET /...?token=SECRET` (routes_session.cpp): a 303 to the same path without
// the secret, with a session cookie; 401 when the secret is not this run's; nullopt when the
// request carries no `token` (or the server has no local secret).
std::optional<http::Response> follow_sign_in_link(Context& context, const http::Request& request);

// The OpenAPI 3 document of every route above (openapi.cpp).
std::string_view openapi_document();

}  // namespace sortie::api

// `sortie serve`: the long-running process. It serves the REST API, the web UI and the API
// docs, and holds the monitor that follows every unfinished job of every configured cluster
// until they end, within the SLURM call cap.

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>

#include <filesystem>
#include <fstream>
#include <thread>
#include <malloc.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sortie/api/app.hpp"
#include "sortie/cli/context.hpp"
#include "sortie/cli/server_file.hpp"
#include "sortie/http/request_gate.hpp"
#include "sortie/http/server.hpp"
#include "sortie/jobs/monitor.hpp"

namespace sortie::cli {

namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8028";
  std::string web_dir;
  std::string tls_certificate;
  std::string tls_key;
  bool require_tokens = false;
  bool no_local_auth = false;
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> public_urls;
  int slurm_calls_per_minute = 12;
  double fastest_seconds = 3;
  double slowest_seconds = 60;
  double submit_grace_seconds = 120;
  double longest_backoff_seconds = 300;
};

std::string now_text() {
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::localtime(std::time(nullptr)));
}

// What a tick did, as one log line; nullopt for a quiet tick (nothing to say).
std::optional<std::string> describe(const std::string& cluster,
                                    const core::Result<jobs::TickReport>& report,
                                    std::map<std::string, bool>& failing) {
  if (!report) {
    // Say a failure once per streak, not on every retry.
    if (failing[cluster]) return std::nullopt;
    failing[cluster] = true;
    return fmt::format("{}: cannot follow jobs: {} (retrying with backoff)", cluster,
                       report.error().message);
  }
  std::string line;
  if (failing[cluster]) line = fmt::format("{}: reachable again", cluster);
  failing[cluster] = false;
  if (report->state_changes + report->reconciled + report->failed > 0) {
    if (!line.empty()) line += "; ";
    line += fmt::format(
        "{}: {} state change(s), {} submission(s) settled, {} failed ({} SLURM "
        "call(s))",
        cluster, report->state_changes, report->reconciled, report->failed, report->slurm_calls);
  }
  // Jobs SLURM no longer knows, and rows of SLURM's answer that could not be read (their jobs
  // are left as they were; every other job was updated).
  for (const auto* messages : {&report->unknown, &report->unreadable}) {
    for (const auto& message : *messages) {
      if (!line.empty()) line += "\n" + now_text() + " ";
      line += fmt::format("{}: {}", cluster, message);
    }
  }
  if (line.empty()) return std::nullopt;
  return line;
}

// HOST:PORT, [V6]:PORT or PORT.
core::Result<std::pair<std::string, int>> read_listen(const std::string& text) {
  std::string host = "127.0.0.1";
  std::string port = text;
  if (auto colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
  }
  int number = -1;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (error != std::errc{} || end != port.data() + port.size() || number < 0 || number > 65535 ||
      host.empty()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("--listen '{}': write HOST:PORT (127.0.0.1:8028, [::1]:8028, "
                                  "0.0.0.0:8028) or a port",
                                  text));
  }
  return std::pair{host, number};
}

// The IP literal `host` is bound as: itself when it is one, 127.0.0.1 for localhost, else the
// first address the resolver gives (what the HTTP library would bind).
core::Result<std::string> bound_address(const std::string& host) {
  if (host == "localhost") return std::string("127.0.0.1");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("--listen: cannot resolve '{}'; give an IP address", host));
  }
  char text[NI_MAXHOST] = {};
  const int named = getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof text, nullptr, 0,
                                NI_NUMERICHOST);
  freeaddrinfo(found);
  if (named != 0) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("--listen: cannot resolve '{}'; give an IP address", host));
  }
  return std::string(text);
}

// The built web UI: --web-dir, else `web/` beside the binary, else ../share/sortie/web.
std::filesystem::path find_web_dir(const std::string& given) {
  if (!given.empty()) return given;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const auto& candidate :
       {exe.parent_path() / "web", exe.parent_path() / ".." / "share" / "sortie" / "web"}) {
    if (std::filesystem::is_regular_file(candidate / "index.html", ec)) return candidate;
  }
  return {};
}

int serve(Context& context, const ServeOptions& options) {
  if (options.slurm_calls_per_minute < 1) {
    return report({core::ErrorCode::invalid_argument,
                   "--slurm-calls-per-minute must be at least 1 (each tick needs one squeue)"});
  }
  if (options.fastest_seconds <= 0 || options.slowest_seconds < options.fastest_seconds ||
      options.longest_backoff_seconds < options.fastest_seconds) {
    return report({core::ErrorCode::invalid_argument,
                   "--fastest must be above 0, and --slowest and --longest-backoff at least "
                   "--fastest (seconds)"});
  }
  if (options.tls_certificate.empty() != options.tls_key.empty()) {
    return report({core::ErrorCode::invalid_argument,
                   "HTTPS needs both --tls-cert and --tls-key"});
  }
  auto listen = read_listen(options.listen);
  if (!listen) return report(listen.error());
  for (const auto& url : options.public_urls) {
    if (auto problem = http::public_url_problem(url)) {
      return report({core::ErrorCode::invalid_argument, *problem});
    }
  }
  // Loopback is decided by the address bound, never by how it is spelled ("127.evil.example").
  auto address = bound_address(listen->first);
  if (!address) return report(address.error());
  const bool loopback = http::is_loopback_address(*address);
  std::vector<std::string> allowed_hosts = options.allowed_hosts;
  // Listening on a name: that name is how clients address the server.
  if (listen->first != *address && listen->first != "localhost") {
    allowed_hosts.push_back(listen->first);
  }
  // Other users of this machine reach loopback too: by default every call needs this run's
  // secret (or a token).
  std::optional<std::string> local_secret;
  if (!options.no_local_auth) {
    auto secret = api::new_local_secret();
    if (!secret) return report(secret.error());
    local_secret = std::move(*secret);
  }
  auto clusters = context.clusters();
  if (!clusters) return report(clusters.error());
  auto store = context.store();
  if (!store) return report(store.error());

  // Beyond loopback, anyone who reaches the port could launch jobs: refuse without tokens.
  const bool auth_required = options.require_tokens || !loopback;
  if (auth_required) {
    auto tokens = (*store)->tokens();
    if (!tokens) return report(tokens.error());
    if (tokens->empty()) {
      return report({core::ErrorCode::invalid_argument,
                     options.require_tokens
                         ? std::string("--require-tokens: no API token exists; make one with "
                                       "`sortie tokens create NAME`")
                         : fmt::format("--listen {} is reachable from other machines, so every "
                                       "API call needs a token, and none exists: make one with "
                                       "`sortie tokens create NAME` (and use "
                                       "--tls-cert/--tls-key), or listen on 127.0.0.1",
                                       options.listen)});
    }
  }

  // SIGINT/SIGTERM are taken by sigwait() below; block them before any thread starts so that
  // every thread inherits the mask and none is interrupted mid-tick.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::map<std::string, bool> failing;
  std::mutex log_mutex;
  api::AppOptions app_options;
  app_options.database = context.db_file;
  app_options.clusters = **clusters;
  app_options.web_dir = find_web_dir(options.web_dir);
  app_options.auth_required = auth_required;
  app_options.local_secret = local_secret;
  app_options.secure_cookies = !options.tls_certificate.empty();
  app_options.version = std::string(kVersion);
  auto& monitor_options = app_options.monitor;
  monitor_options.pacing.slurm_calls_per_minute = options.slurm_calls_per_minute;
  monitor_options.pacing.fastest =
      std::chrono::milliseconds(static_cast<std::int64_t>(options.fastest_seconds * 1000));
  monitor_options.pacing.slowest =
      std::chrono::milliseconds(static_cast<std::int64_t>(options.slowest_seconds * 1000));
  monitor_options.pacing.longest_backoff =
      std::chrono::milliseconds(static_cast<std::int64_t>(options.longest_backoff_seconds * 1000));
  monitor_options.tracking.submit_grace =
      std::chrono::seconds(static_cast<std::int64_t>(options.submit_grace_seconds));
  monitor_options.on_tick = [&](const std::string& cluster,
                                const core::Result<jobs::TickReport>& ticked) {
    std::lock_guard lock(log_mutex);
    if (auto line = describe(cluster, ticked, failing)) {
      fmt::print(stderr, "{} {}\n", now_text(), *line);
    }
  };

  // glibc gives each busy thread its own malloc arena; with a pool of connection threads that
  // build large JSON answers, that multiplies the memory held. Two arenas keep it small.
  mallopt(M_ARENA_MAX, 2);
  api::App app(app_options);
  http::ServerOptions server_options;
  server_options.host = *address;
  server_options.port = listen->second;
  server_options.allowed_hosts = allowed_hosts;
  server_options.public_urls = options.public_urls;
  if (!options.tls_certificate.empty()) {
    server_options.tls_certificate = options.tls_certificate;
    server_options.tls_key = options.tls_key;
  }
  http::Server server(server_options,
                      [&app](const http::Request& request) { return app.handle(request); });
  if (auto bound = server.bind(); !bound) return report(bound.error());
  app.start();

  const std::string scheme = options.tls_certificate.empty() ? "http" : "https";
  // On every interface, the URL to print is loopback's (0.0.0.0 is no address to browse to).
  const std::string shown_address = http::is_wildcard_address(*address) ? "127.0.0.1" : *address;
  const std::string host_text =
      shown_address.find(':') != std::string::npos ? "[" + shown_address + "]" : shown_address;
  const std::string url = fmt::format("{}://{}:{}", scheme, host_text, server.port());
  // The CLI talks to the server over loopback, with the secret (or without any credential
  // when none is needed).
  ServerFile server_file(context.db_file);
  if (loopback && (local_secret || !auth_required)) server_file.write(url, local_secret);

  // The sign-in link is the way in for the browser (like Jupyter's): the secret leaves the
  // address bar at once (a redirect), and is kept in a cookie only this site's pages send.
  const std::string link = local_secret ? fmt::format("{}/?token={}", url, *local_secret) : url;
  fmt::print(stderr,
             "{} sortie serve: {} (web UI{}, API at /api, docs at /docs) on {}; following the "
             "jobs of {} cluster(s) (at most {} SLURM calls per minute per cluster); stop with "
             "Ctrl-C\n",
             now_text(), link, app_options.web_dir.empty() ? " not built: run `make build`" : "",
             context.db_file, (*clusters)->clusters.size(), options.slurm_calls_per_minute);
  if (local_secret) {
    fmt::print(stderr,
               "{} sortie serve: open the link above to sign in; the CLI reads the secret from "
               "{}.server (only you can read it); other clients need `sortie tokens create "
               "NAME`\n",
               now_text(), context.db_file);
  } else {
    fmt::print(stderr,
               "{} sortie serve: --no-local-auth: {}any program of any user of this machine "
               "that reaches {} may read your projects and jobs and submit and cancel jobs on "
               "your cluster accounts (web pages of other sites still may not: Host and Origin "
               "are checked)\n",
               now_text(), auth_required ? "on loopback without a token, " : "",
               url);
  }
  if (auth_required) {
    fmt::print(stderr, "{} sortie serve: every API call needs a token{} ({})\n", now_text(),
               local_secret ? " or the secret" : "",
               options.require_tokens ? "--require-tokens" : "listening beyond loopback");
  }
  if (!loopback && options.tls_certificate.empty()) {
    fmt::print(stderr,
               "{} sortie serve: WARNING: listening on {} beyond loopback without TLS: the "
               "secret, tokens and session cookies cross the network in clear text, readable "
               "by anyone on the way; give --tls-cert and --tls-key\n",
               now_text(), *address);
  }
  if (!loopback) {
    fmt::print(stderr, "{} sortie serve: answering requests for {} (more with --allow-host)\n",
               now_text(), fmt::join(server.allowed_hosts(), ", "));
  }

  std::jthread waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    if (!server.stopping()) {
      fmt::print(stderr, "{} sortie serve: {}, stopping after the tick under way\n", now_text(),
                 received == SIGINT ? "interrupted" : "terminated");
    }
    app.stop();
    server.stop();
  });
  server.run();
  if (!server.stopping()) kill(getpid(), SIGTERM);  // wake the waiter when run() failed
  waiter.join();
  server_file.remove();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Context& context) {
  auto options = std::make_shared<ServeOptions>();
  auto* command = app.add_subcommand(
      "serve", "Serve the web UI and REST API, and follow every job until it ends");
  command
      ->add_option("--listen", options->listen,
                   "Address and port (beyond loopback, API tokens are required)")
      ->capture_default_str();
  command->add_option("--web-dir", options->web_dir,
                      "The built web UI (default: web/ beside the binary)");
  command->add_option("--tls-cert", options->tls_certificate, "HTTPS certificate (PEM)");
  command->add_option("--tls-key", options->tls_key, "HTTPS private key (PEM)");
  command->add_flag("--require-tokens", options->require_tokens,
                    "Require an API token even on loopback (besides the local secret)");
  command->add_flag("--no-local-auth", options->no_local_auth,
                    "No local secret: on loopback, every user and program of this machine may "
                    "use the API (today's behaviour before the secret; web pages still may not)");
  command->add_option("--allow-host", options->allowed_hosts,
                      "Also answer requests naming this host (NAME or NAME:PORT) in Host; "
                      "repeatable");
  command->add_option("--public-url", options->public_urls,
                      "The URL browsers use when a proxy is in front (https://sortie.example.org): "
                      "its host is answered and its origin may write; repeatable");
  command
      ->add_option("--slurm-calls-per-minute", options->slurm_calls_per_minute,
                   "Most SLURM calls per minute per cluster, whatever the number of jobs")
      ->capture_default_str();
  command
      ->add_option("--fastest", options->fastest_seconds,
                   "Seconds between ticks right after a submission or a change")
      ->capture_default_str();
  command
      ->add_option("--slowest", options->slowest_seconds,
                   "Seconds between ticks once nothing has changed for a while")
      ->capture_default_str();
  command
      ->add_option("--longest-backoff", options->longest_backoff_seconds,
                   "Most seconds between ticks while a cluster keeps failing")
      ->capture_default_str();
  command
      ->add_option("--submit-grace", options->submit_grace_seconds,
                   "Seconds an unsettled submission may stay unseen by SLURM before it is "
                   "recorded as failed")
      ->capture_default_str();
  command->callback([&context, options] { context.status = serve(context, *options); });
}

}  // namespace sortie::cli

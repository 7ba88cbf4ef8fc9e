#pragma once

// A real `sortie serve` for the API's integration tests: the real binary on a free loopback
// port, a fresh SQLite file, the sandbox cluster's clusters.yaml; and a copy of
// examples/tiny-train pushed to a bare remote the cluster user can read, ready to register.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/api/http_client.hpp"
#include "tests/integration/jobs/sandbox_project.hpp"
#include "tests/integration/sandbox.hpp"

namespace sortie::testing {

// A port nobody listens on now (the kernel's choice for a socket bound to port 0).
inline int free_loopback_port() {
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

// `sortie --config CLUSTERS --db DB serve --listen 127.0.0.1:PORT EXTRA...`, stopped with
// SIGTERM (then SIGKILL) on destruction. Its stderr goes to `log`.
class ServeProcess {
 public:
  ServeProcess(const std::filesystem::path& database, const std::filesystem::path& log,
               std::vector<std::string> extra = {},
               const std::string& clusters_yaml = sandbox().clusters_yaml)
      : m_port(free_loopback_port()), m_log(log) {
    std::vector<std::string> arguments = {SORTIE_BINARY, "--config",  clusters_yaml,
                                          "--db",        database.string(), "serve",
                                          "--listen",    "127.0.0.1:" + std::to_string(m_port),
                                          "--fastest",   "1"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    m_pid = ::fork();
    if (m_pid == 0) {
      const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(out, 2);
      ::dup2(out, 1);
      std::vector<char*> argv;
      for (auto& argument : arguments) argv.push_back(argument.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~ServeProcess() { stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return m_port; }
  pid_t pid() const { return m_pid; }

  // Waits until /api/health answers 200; false (with the server's log) after `limit`.
  bool wait_healthy(std::chrono::seconds limit = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        ADD_FAILURE() << "sortie serve exited: " << git::fixtures::read_file(m_log);
        return false;
      }
      auto health = http_request(m_port, "GET", "/api/health", std::nullopt, {},
                                 std::chrono::seconds(2));
      if (health.status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "sortie serve did not answer /api/health: " << git::fixtures::read_file(m_log);
    return false;
  }

  void stop() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
        m_pid = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "sortie serve did not stop within 5 s of SIGTERM";
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
  }

 private:
  int m_port;
  std::filesystem::path m_log;
  pid_t m_pid = -1;
};

// A running server over a fresh database, with examples/tiny-train copied into a Git checkout
// whose remote the cluster user can clone.
class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    start_server();
  }

  void TearDown() override {
    // Leave nothing running on the shared sandbox.
    for (auto id : m_jobs) request("POST", "/api/jobs/" + std::to_string(id) + "/cancel");
    m_server.reset();
  }

  void start_server(std::vector<std::string> extra = {}) {
    m_server.reset();
    m_server = std::make_unique<ServeProcess>(m_dir / "sortie.db", m_dir / "serve.log",
                                              std::move(extra));
    ASSERT_TRUE(m_server->wait_healthy());
    m_secret = server_secret();
  }

  int port() const { return m_server->port(); }

  // The local secret the running server wrote beside the database (`<db>.server`: URL, pid,
  // secret), as the CLI finds it; empty with --no-local-auth.
  std::string server_secret() const {
    std::ifstream file(m_dir / "sortie.db.server");
    std::string url, pid, secret;
    file >> url >> pid >> secret;
    return secret == "-" ? std::string() : secret;
  }

  // What a client that has a credential sends: the test's token, else the server's secret.
  Headers auth() const {
    if (!m_token.empty()) return {{"Authorization", "Bearer " + m_token}};
    if (!m_secret.empty()) return {{"Authorization", "Bearer " + m_secret}};
    return {};
  }
  Headers with_auth(Headers headers) const {
    for (auto& header : auth()) headers.push_back(header);
    return headers;
  }

  HttpResponse request(const std::string& method, const std::string& target,
                       const std::optional<std::string>& body = std::nullopt,
                       const Headers& headers = {}) {
    auto headers_with_auth = headers;
    for (auto& header : auth()) headers_with_auth.push_back(header);
    auto response = http_request(port(), method, target, body, headers_with_auth);
    EXPECT_NE(response.status, 0) << method << " " << target << ": " << response.failure;
    EXPECT_NE(response.status, 500) << method << " " << target << ": " << response.body;
    return response;
  }

  static nlohmann::json parse(const HttpResponse& response) {
    auto parsed = nlohmann::json::parse(response.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << response.body;
    return parsed;
  }

  // A Git checkout of examples/tiny-train (plus `sleeper.py`, which sleeps, for jobs that must
  // stay running) pushed to a bare remote the cluster user can read. Returns its path.
  std::filesystem::path prepare_tiny_train() {
    namespace fs = std::filesystem;
    const auto checkout = m_dir / "tiny-train";
    if (fs::exists(checkout)) return checkout;
    fs::copy(fs::path(SORTIE_SOURCE_DIR) / "examples" / "tiny-train", checkout,
             fs::copy_options::recursive);
    git::fixtures::write_file(checkout / "sleeper.py", kTrainPy);
    git::fixtures::git(m_dir.path(), "init -q --bare remote.git");
    git::fixtures::git(checkout, "init -q");
    git::fixtures::git(checkout, "add -A");
    git::fixtures::git(checkout, "commit -q -m 'tiny-train'");
    git::fixtures::git(checkout, "remote add origin " +
                                     git::fixtures::shell_quote((m_dir / "remote.git").string()));
    git::fixtures::git(checkout, "push -q -u origin main");
    git::fixtures::run_shell("chmod -R a+rX " + git::fixtures::shell_quote(m_dir.path().string()) +
                             " && chown -R researcher " +
                             git::fixtures::shell_quote((m_dir / "remote.git").string()));
    return checkout;
  }

  // Registers tiny-train through the API; returns the project's id.
  std::int64_t register_project(const std::string& name = "tiny",
                                const std::string& entry = "python3 train.py") {
    const auto checkout = prepare_tiny_train();
    nlohmann::json body = {{"path", checkout.string()},
                           {"name", name},
                           {"entry_command", entry},
                           {"default_cluster", "sandbox"}};
    auto created = request("POST", "/api/projects", body.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    auto project = parse(created);
    return project.value("id", std::int64_t{0});
  }

  // Submits a job of `project` on the sandbox's debug partition; returns the job's id (it is
  // cancelled at the end of the test).
  std::int64_t submit(std::int64_t project, const std::vector<std::string>& arguments = {}) {
    nlohmann::json body = {{"project_id", project}, {"cluster", "sandbox"},
                           {"partition", "debug"},  {"time", "5"},
                           {"arguments", arguments}};
    auto submitted = request("POST", "/api/jobs", body.dump());
    EXPECT_EQ(submitted.status, 201) << submitted.body;
    const auto id = parse(submitted).value("id", std::int64_t{0});
    if (id > 0) m_jobs.push_back(id);
    return id;
  }

  // Polls GET /api/jobs/{id} until its state is `state` or `limit` passes; the last record.
  nlohmann::json wait_for_state(std::int64_t id, const std::string& state,
                                std::chrono::seconds limit = std::chrono::seconds(60)) {
    nlohmann::json job;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      job = parse(request("GET", "/api/jobs/" + std::to_string(id)));
      if (job.is_object() && job.value("state", nlohmann::json()) == state) return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    ADD_FAILURE() << "job " << id << " did not reach " << state << ": " << job.dump(2);
    return job;
  }

  SharedDir m_dir;
  std::unique_ptr<ServeProcess> m_server;
  std::string m_token;
  std::string m_secret;
  std::vector<std::int64_t> m_jobs;
};

}  // namespace sortie::testing

// How much the warm connection pool saves over a fresh SSH connection per command.
//
// Runs against the sandbox cluster (sandbox/up.sh) and prints one table:
//   warm pool `true`, a warm batch of 3 commands, a cold first call through a new SshRemote,
//   a fresh OpenSSH `ssh ... true` per command, LocalRemote `true`, and a loopback TCP round trip.

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench/measure.hpp"
#include "sortie/remote/local_remote.hpp"
#include "sortie/remote/process.hpp"
#include "sortie/ssh/ssh_remote.hpp"
#include "tests/integration/sandbox.hpp"

namespace {

using namespace std::chrono_literals;
using sortie::remote::Command;
using Clock = std::chrono::steady_clock;

using sortie::bench::Figures;
using sortie::bench::measure;

sortie::ssh::Target sandbox_target() {
  auto sandbox = sortie::testing::sandbox();
  sortie::ssh::Target target;
  target.host = sandbox.host;
  target.port = sandbox.ssh_port;
  target.user = sandbox.user;
  target.identity_file = sandbox.key;
  target.known_hosts_file = sandbox.known_hosts;
  target.ssh_config_file = "/dev/null";
  target.cluster_name = "sandbox";
  return target;
}

// One-byte ping-pong over loopback TCP, with a thread echoing.
std::optional<Figures> loopback_round_trip(std::size_t runs) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(listener);
    return std::nullopt;
  }
  std::jthread echo([listener] {
    int peer = ::accept(listener, nullptr, nullptr);
    int one = 1;
    ::setsockopt(peer, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    char byte = 0;
    while (::read(peer, &byte, 1) == 1) {
      if (::write(peer, &byte, 1) != 1) break;
    }
    ::close(peer);
  });
  int client = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(client, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    ::close(client);
    ::close(listener);
    return std::nullopt;
  }
  auto figures = measure("loopback TCP round trip (1 byte)", runs, [&] {
    char byte = 'x';
    return ::write(client, &byte, 1) == 1 && ::read(client, &byte, 1) == 1;
  });
  ::close(client);
  echo.join();
  ::close(listener);
  return figures;
}

}  // namespace

int main() {
  auto sandbox = sortie::testing::sandbox();
  std::vector<Figures> table;
  auto add = [&](std::optional<Figures> figures) {
    if (figures) table.push_back(*figures);
    return figures;
  };

  sortie::ssh::SshRemote pool(sandbox_target());
  auto first = pool.run_one(Command{{"true"}, std::nullopt}, 60s);
  if (!first) {
    std::fprintf(stderr, "the sandbox cluster is not reachable (start it with sandbox/up.sh): %s\n",
                 first.error().message.c_str());
    return 1;
  }
  auto warm = add(measure("warm pool: `true`", 200, [&] {
    auto output = pool.run_one(Command{{"true"}, std::nullopt}, 30s);
    return output && output->exit_code == 0;
  }));
  auto batch = add(measure("warm pool: batch of 3 (true; echo x; printf y)", 100, [&] {
    auto outputs = pool.run({Command{{"true"}, std::nullopt}, Command{{"echo", "x"}, std::nullopt},
                             Command{{"printf", "y"}, std::nullopt}},
                            30s, sortie::remote::OnFailure::stop_batch);
    return outputs && outputs->size() == 3;
  }));
  add(measure("warm pool: `sinfo -h -o %P` (SLURM's own cost)", 50, [&] {
    auto output = pool.run_one(Command{{"sinfo", "-h", "-o", "%P"}, std::nullopt}, 30s);
    return output && output->exit_code == 0;
  }));
  auto cold = add(measure("cold SshRemote: connect + auth + bash -l + `true`", 10, [&] {
    sortie::ssh::SshRemote fresh(sandbox_target());
    auto output = fresh.run_one(Command{{"true"}, std::nullopt}, 30s);
    return output && output->exit_code == 0;
  }));
  auto openssh = add(measure("fresh OpenSSH `ssh ... true`", 20, [&] {
    auto output = sortie::remote::run_process(
        Command{{"ssh", "-i", sandbox.key, "-o", "UserKnownHostsFile=" + sandbox.known_hosts, "-o",
                 "BatchMode=yes", "-F", "/dev/null", "-p", std::to_string(sandbox.ssh_port),
                 sandbox.user + "@" + sandbox.host, "true"},
                std::nullopt},
        sortie::remote::deadline_after(30s));
    return output && output->exit_code == 0;
  }));
  sortie::remote::LocalRemote local;
  add(measure("LocalRemote: `true` (fork+exec here)", 200, [&] {
    auto output = local.run_one(Command{{"true"}, std::nullopt}, 30s);
    return output && output->exit_code == 0;
  }));
  auto loopback = add(loopback_round_trip(2000));

  std::printf("\n%-52s %6s %12s %12s\n", "operation", "runs", "median ms", "p90 ms");
  std::printf("%s\n", std::string(85, '-').c_str());
  for (const auto& row : table) {
    std::printf("%-52s %6zu %12.3f %12.3f\n", row.name.c_str(), row.runs, row.median_ms,
                row.p90_ms);
  }
  std::printf("\n");
  if (warm && openssh) {
    std::printf("warm pool `true` is %.1fx faster than a fresh OpenSSH `ssh ... true`\n",
                openssh->median_ms / warm->median_ms);
  }
  if (warm && cold) {
    std::printf("warm pool `true` is %.1fx faster than a cold sortie connection\n",
                cold->median_ms / warm->median_ms);
  }
  if (batch && openssh) {
    std::printf("a warm batch of 3 is %.1fx faster than 3 fresh OpenSSH commands\n",
                3 * openssh->median_ms / batch->median_ms);
  }
  if (warm && loopback) {
    std::printf("warm pool `true` costs %.0f loopback TCP round trips\n",
                warm->median_ms / loopback->median_ms);
  }
  return 0;
}

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>
#include <string>

#include "sortie/cli/context.hpp"
#include "sortie/clusters/connect.hpp"
#include "sortie/gpus/availability.hpp"
#include "sortie/gpus/query.hpp"
#include "sortie/gpus/table.hpp"
#include "sortie/json/clusters.hpp"
#include "sortie/json/gpus.hpp"
#include "sortie/slurm/commands.hpp"
#include "sortie/slurm/partition.hpp"
#include "sortie/slurm/time.hpp"
#include "sortie/slurm/version.hpp"
#include "sortie/ssh/trust.hpp"

namespace sortie::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct ClusterOptions {
  bool json = false;
  bool names_only = false;
  bool replace = false;
  std::string cluster;
  std::string partition;
  double timeout_seconds = 30;
};

int clusters_list(Context& context, const ClusterOptions& options) {
  auto loaded = context.clusters();
  if (!loaded) return report(loaded.error());
  const config::Clusters* clusters = *loaded;
  if (options.names_only) {
    for (const auto& cluster : clusters->clusters) fmt::print("{}\n", cluster.name);
    return 0;
  }
  if (options.json) {
    fmt::print("{}\n", json::to_json(*clusters));
    return 0;
  }
  if (clusters->clusters.empty()) {
    fmt::print("No clusters in {}.\n", clusters->file.string());
    return 0;
  }
  fmt::print("{:<16} {:<32} {:<24} {:<20} {}\n", "NAME", "HOST", "WORKSPACE", "PARTITIONS",
             "GPU TYPES");
  auto list = [](const std::vector<std::string>& values) {
    return values.empty() ? std::string("(all)") : fmt::format("{}", fmt::join(values, ","));
  };
  for (const auto& cluster : clusters->clusters) {
    std::string host = cluster.host;
    if (cluster.port) host += fmt::format(":{}", *cluster.port);
    if (cluster.proxy_jump) host += fmt::format(" via {}", *cluster.proxy_jump);
    fmt::print("{:<16} {:<32} {:<24} {:<20} {}\n", cluster.name, host, cluster.workspace,
               list(cluster.allowed_partitions), list(cluster.allowed_gpu_types));
  }
  return 0;
}

int clusters_test(Context& context, const ClusterOptions& options) {
  auto cluster = context.cluster(options.cluster);
  if (!cluster) return report(cluster.error());
  auto remote = clusters::open_remote(**cluster);

  const auto started = Clock::now();
  // One exchange: the SLURM version and the partitions.
  auto outputs = remote->run({slurm::version(), slurm::show_partitions()}, seconds(options.timeout_seconds),
                             remote::OnFailure::continue_batch);
  if (!outputs) return report(outputs.error());
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  fmt::print("{}: connected to {} ({} ms, including connecting)\n", (*cluster)->name,
             (*cluster)->is_local() ? std::string("this machine") : (*cluster)->host,
             elapsed.count());

  if (auto ok = slurm::check((*outputs)[0], "sinfo --version"); !ok) return report(ok.error());
  fmt::print("SLURM: {}\n", slurm::parse_version((*outputs)[0].out));
  if (auto ok = slurm::check((*outputs)[1], "scontrol show partition"); !ok)
    return report(ok.error());
  auto partitions = slurm::parse_partitions((*outputs)[1].out);
  if (!partitions) return report(partitions.error());
  fmt::print("Partitions:\n");
  for (const auto& partition : *partitions) {
    bool allowed = (*cluster)->allowed_partitions.empty() ||
                   std::find((*cluster)->allowed_partitions.begin(),
                             (*cluster)->allowed_partitions.end(),
                             partition.name) != (*cluster)->allowed_partitions.end();
    fmt::print("  {:<12} {:<8} {:>4} nodes  default time {:<12} max time {:<12}{}{}\n",
               partition.name, slurm::to_string(partition.state), partition.total_nodes,
               slurm::format_time_limit(partition.default_time),
               slurm::format_time_limit(partition.max_time), partition.is_default ? " (default)" : "",
               allowed ? "" : " (not allowed in clusters.yaml)");
  }
  return 0;
}

int clusters_trust(Context& context, const ClusterOptions& options) {
  auto cluster = context.cluster(options.cluster);
  if (!cluster) return report(cluster.error());
  if ((*cluster)->is_local()) {
    fmt::print("{} runs on this machine (host: local): there is no host key to trust.\n",
               (*cluster)->name);
    return 0;
  }
  auto trusted = ssh::trust(clusters::ssh_target(**cluster),
                            options.replace ? ssh::Replace::yes : ssh::Replace::no);
  if (!trusted) return report(trusted.error());
  if (trusted->added)
    fmt::print("Trusted {} key {} for {}: added to {}\n", trusted->key_type, trusted->fingerprint,
               (*cluster)->name, trusted->known_hosts_file);
  else
    fmt::print("{} key {} for {} is already trusted in {}\n", trusted->key_type,
               trusted->fingerprint, (*cluster)->name, trusted->known_hosts_file);
  return 0;
}

int gpus(Context& context, const ClusterOptions& options) {
  auto cluster = context.cluster(options.cluster);
  if (!cluster) return report(cluster.error());

  gpus::Filters filters{(*cluster)->allowed_partitions, (*cluster)->allowed_gpu_types};
  if (!options.partition.empty()) {
    const auto& allowed = (*cluster)->allowed_partitions;
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), options.partition) == allowed.end())
      return report({core::ErrorCode::invalid_argument,
                     fmt::format("partition '{}' is not allowed on {} (allowed: {})",
                                 options.partition, (*cluster)->name, fmt::join(allowed, ", "))});
    filters.partitions = {options.partition};
  }
  auto remote = clusters::open_remote(**cluster);
  auto availability = gpus::query(*remote, filters, (*cluster)->name, seconds(options.timeout_seconds));
  if (!availability) return report(availability.error());
  if (!options.partition.empty() && availability->partitions.empty())
    return report({core::ErrorCode::not_found,
                   fmt::format("no partition '{}' on {} (see `sortie clusters test {}`)",
                               options.partition, (*cluster)->name, (*cluster)->name)});
  if (options.json)
    fmt::print("{}\n", json::to_json(*availability));
  else
    fmt::print("{}", gpus::render_table(*availability));
  return 0;
}

}  // namespace

void add_cluster_commands(CLI::App& app, Context& context) {
  auto options = std::make_shared<ClusterOptions>();
  auto* clusters = app.add_subcommand("clusters", "List, test and trust configured clusters");
  clusters->require_subcommand(1);
  auto* list = clusters->add_subcommand("list", "List the clusters in clusters.yaml");
  list->add_flag("--json", options->json, "Print JSON");
  list->add_flag("--names", options->names_only, "Print only the names, one per line");
  list->callback([&context, options] { context.status = clusters_list(context, *options); });

  auto* test = clusters->add_subcommand(
      "test", "Connect, authenticate, and print the SLURM version and partitions");
  test->add_option("name", options->cluster, "Cluster name (optional when only one is configured)");
  test->add_option("--timeout", options->timeout_seconds, "Seconds to wait")->capture_default_str();
  test->callback([&context, options] { context.status = clusters_test(context, *options); });

  auto* trust = clusters->add_subcommand(
      "trust", "Fetch the cluster's SSH host key and add it to its known_hosts file");
  trust->add_option("name", options->cluster, "Cluster name (optional when only one is configured)");
  trust->add_flag("--replace", options->replace,
                  "Replace a known_hosts entry whose key changed (only after checking the new "
                  "fingerprint with the cluster's admins)");
  trust->callback([&context, options] { context.status = clusters_trust(context, *options); });

  auto* gpus = app.add_subcommand("gpus", "Show GPU availability per type, partition and node");
  gpus->add_option("name", options->cluster, "Cluster name (optional when only one is configured)");
  gpus->add_option("--partition,-p", options->partition, "Only this partition");
  gpus->add_flag("--json", options->json, "Print JSON (shape in the README)");
  gpus->add_option("--timeout", options->timeout_seconds, "Seconds to wait")->capture_default_str();
  gpus->callback([&context, options] { context.status = cli::gpus(context, *options); });
}

}  // namespace sortie::cli

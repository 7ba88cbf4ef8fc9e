// /api/clusters/...: the configured clusters, GPU availability (from the cache), nodes for the
// picture, partitions, and a connection test.
#include <fmt/format.h>

#include <chrono>

#include "sortie/api/app.hpp"
#include "sortie/api/responses.hpp"
#include "sortie/json/api.hpp"
#include "sortie/json/clusters.hpp"
#include "sortie/slurm/commands.hpp"
#include "sortie/slurm/partition.hpp"
#include "sortie/slurm/version.hpp"

namespace sortie::api {
namespace {

std::string age_suffix(const GpuCache::View& view) {
  std::string suffix;
  if (view.snapshot) {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now() - view.snapshot->availability.queried_at);
    suffix += fmt::format(R"(,"age_seconds":{})", std::max<std::int64_t>(0, age.count()));
  } else {
    suffix += R"(,"age_seconds":null)";
  }
  suffix += fmt::format(R"(,"refreshing":{})", view.refreshing);
  if (view.error) {
    suffix += R"(,"error":)" +
              json::error_object(core::to_string(view.error->code), view.error->message);
  } else {
    suffix += R"(,"error":null)";
  }
  return suffix + "}";
}

}  // namespace

void add_cluster_routes(http::Router& router, Context& context) {
  router.add("GET", "/api/clusters", [&context](const http::Request&) {
    auto response = http::Response::json(200, json::clusters_array(context.options.clusters));
    response.headers.emplace_back("X-Total-Count",
                                  std::to_string(context.options.clusters.clusters.size()));
    return response;
  });

  router.add("GET", "/api/clusters/{name}/gpu-availability",
             [&context](const http::Request& request) {
               auto cluster = context.cluster(request.params.at("name"));
               if (!cluster) return error_response(cluster.error());
               const bool force = request.query_value("refresh") == "true";
               auto view = context.gpus->get((*cluster)->name, force);
               if (!view.snapshot) {
                 if (view.error && !view.refreshing) return error_response(*view.error);
                 // Nothing known yet: say so, with the query under way.
                 return http::Response::json(
                     200, fmt::format(R"({{"cluster":{},"queried_at":null,"pending_untyped":0,)"
                                      R"("gpu_types":[],"partitions":[]{})",
                                      json::quoted((*cluster)->name), age_suffix(view)));
               }
               return http::Response::json(200, view.availability_open + age_suffix(view));
             });

  router.add("GET", "/api/clusters/{name}/nodes", [&context](const http::Request& request) {
    auto cluster = context.cluster(request.params.at("name"));
    if (!cluster) return error_response(cluster.error());
    auto view = context.gpus->get((*cluster)->name, request.query_value("refresh") == "true");
    if (!view.snapshot) {
      if (view.error && !view.refreshing) return error_response(*view.error);
      return error_response(503, "unavailable",
                            "the cluster's nodes are being read for the first time; try again "
                            "in a few seconds");
    }
    return http::Response::json(200, view.nodes);
  });

  router.add("GET", "/api/clusters/{name}/partitions", [&context](const http::Request& request) {
    auto cluster = context.cluster(request.params.at("name"));
    if (!cluster) return error_response(cluster.error());
    auto& remote = context.remotes.get(**cluster);
    auto output = remote.run_one(slurm::show_partitions(), context.options.cluster_timeout);
    if (!output) return error_response(output.error());
    if (auto ok = slurm::check(*output, "scontrol show partition"); !ok) {
      return error_response(ok.error());
    }
    auto partitions = slurm::parse_partitions(output->out);
    if (!partitions) return error_response(partitions.error());
    const auto& allowed = (*cluster)->allowed_partitions;
    if (!allowed.empty()) {
      std::erase_if(*partitions, [&](const slurm::Partition& partition) {
        return std::find(allowed.begin(), allowed.end(), partition.name) == allowed.end();
      });
    }
    return http::Response::json(200, json::partitions_array(*partitions));
  });

  router.add("POST", "/api/clusters/{name}/test-connection",
             [&context](const http::Request& request) {
               auto cluster = context.cluster(request.params.at("name"));
               if (!cluster) return error_response(cluster.error());
               auto& remote = context.remotes.get(**cluster);
               const auto started = std::chrono::steady_clock::now();
               auto output = remote.run_one(slurm::version(), context.options.cluster_timeout);
               const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started);
               core::Result<void> checked =
                   output ? slurm::check(*output, "sinfo --version")
                          : core::Result<void>(std::unexpected(output.error()));
               if (!checked) {
                 const auto& error = checked.error();
                 return http::Response::json(
                     200, fmt::format(R"({{"ok":false,"latency_ms":{},"error":{}}})",
                                      latency.count(),
                                      json::error_object(core::to_string(error.code),
                                                         error.message)));
               }
               return http::Response::json(
                   200, fmt::format(R"({{"ok":true,"latency_ms":{},"slurm_version":{}}})",
                                    latency.count(),
                                    json::quoted(slurm::parse_version(output->out))));
             });
}

}  // namespace sortie::api

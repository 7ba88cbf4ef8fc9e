#include "sortie/gpus/query.hpp"

#include "sortie/slurm/commands.hpp"
#include "sortie/slurm/node.hpp"
#include "sortie/slurm/squeue.hpp"

namespace sortie::gpus {

core::Result<Availability> query(remote::Remote& remote, const Filters& filters,
                                 std::string cluster_name, std::chrono::milliseconds timeout) {
  auto snapshot = query_snapshot(remote, filters, std::move(cluster_name), timeout);
  if (!snapshot) return std::unexpected(std::move(snapshot.error()));
  return std::move(snapshot->availability);
}

core::Result<Snapshot> query_snapshot(remote::Remote& remote, const Filters& filters,
                                      std::string cluster_name,
                                      std::chrono::milliseconds timeout) {
  // Both commands in one exchange: one round trip, and the two views are of nearly one moment.
  // When the controller is down the first command already says so after SLURM's own retries
  // (about 9 s); stopping there spares the user a second wait.
  auto outputs = remote.run({slurm::show_nodes(), slurm::pending_jobs()}, timeout,
                            remote::OnFailure::stop_batch);
  if (!outputs) return std::unexpected(std::move(outputs.error()));
  const auto queried_at = std::chrono::system_clock::now();

  // A failed command must not pass for "no nodes" or "no pending jobs".
  if (outputs->empty()) {
    return core::fail(core::ErrorCode::connection_lost,
                      "the cluster answered none of the GPU query; try again");
  }
  if (auto checked = slurm::check((*outputs)[0], "scontrol show node"); !checked) {
    return std::unexpected(std::move(checked.error()));
  }
  if (outputs->size() != 2) {
    return core::fail(core::ErrorCode::connection_lost,
                      "the cluster answered only part of the GPU query; try again");
  }
  if (auto checked = slurm::check((*outputs)[1], "squeue"); !checked) {
    return std::unexpected(std::move(checked.error()));
  }

  auto nodes = slurm::parse_nodes((*outputs)[0].out);
  if (!nodes) return std::unexpected(std::move(nodes.error()));
  auto jobs = slurm::parse_pending_jobs((*outputs)[1].out);
  if (!jobs) return std::unexpected(std::move(jobs.error()));

  Availability availability = compute(*nodes, *jobs, filters);
  availability.cluster = std::move(cluster_name);
  availability.queried_at = queried_at;
  return Snapshot{std::move(availability), std::move(*nodes)};
}

}  // namespace sortie::gpus

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/config/clusters.hpp"
#include "sortie/core/error.hpp"
#include "sortie/slurm/node.hpp"
#include "sortie/slurm/partition.hpp"

namespace sortie::script {

// What a job asks SLURM for, as the user wrote it (CLI flags, project and cluster settings).
// Unset optionals take the cluster's defaults; check() resolves and validates them.
struct Resources {
  std::string job_name;                            // required; goes on an #SBATCH line
  std::optional<std::string> partition;            // nullopt: the cluster's default partition
  std::optional<std::string> gpu_type;             // nullopt: any type (an untyped `gpu:N` request)
  std::int64_t gpus = 0;                           // GPUs per node; 0: none
  std::int64_t nodes = 1;                          // >= 1
  std::optional<std::int64_t> tasks_per_node;      // --ntasks-per-node
  std::optional<std::int64_t> ntasks;              // --ntasks (whole job)
  std::optional<std::int64_t> cpus_per_task;       // --cpus-per-task
  std::optional<std::string> memory;               // per node, SLURM size: `64G`, `512M`, `1000`
  std::optional<std::chrono::minutes> time_limit;  // nullopt: DefaultTime, else MaxTime
  std::optional<std::string> account;
  std::optional<std::string> qos;
  std::optional<std::string> constraint;        // --constraint feature expression, e.g. `a100&ib`
  std::optional<std::string> array;             // --array spec, e.g. `0-5%2` or `1,3,7`
  std::vector<std::string> extra_sbatch_lines;  // whole lines, each `#SBATCH ...`
};

// Resources with every default resolved, known to fit the cluster as last seen.
struct CheckedResources {
  std::string job_name;
  std::string partition;
  std::string gpu_type;  // empty: any type
  std::int64_t gpus_per_node = 0;
  std::int64_t nodes = 1;
  std::optional<std::int64_t> tasks_per_node;
  std::optional<std::int64_t> ntasks;
  std::optional<std::int64_t> cpus_per_task;
  std::optional<std::string> memory;               // normalised: digits and an upper-case unit
  std::optional<std::chrono::minutes> time_limit;  // nullopt only when the partition has none
  std::optional<std::string> account;
  std::optional<std::string> qos;
  std::optional<std::string> constraint;
  std::optional<std::string> array;
  std::vector<std::string> extra_sbatch_lines;

  // GPUs over all nodes of the job.
  std::int64_t total_gpus() const { return gpus_per_node * nodes; }

  friend bool operator==(const CheckedResources&, const CheckedResources&) = default;
};

// Checks `resources` against the cluster's partitions and nodes (as parsed from scontrol) and
// its clusters.yaml entry, before anything reaches the cluster, and resolves the defaults:
// the partition (SLURM's default one), the time limit (the partition's DefaultTime, else its
// MaxTime). Refuses, with invalid_argument and a message naming the field and what would work:
// a partition that does not exist (listing those that do), is not allowed by clusters.yaml
// (listing those that are) or takes no jobs (DRAIN/INACTIVE); a time limit above MaxTime; a GPU
// type the partition lacks (listing those it has) or clusters.yaml does not allow; a request
// that fits on no node of the partition (e.g. 16 GPUs on one node when the biggest has 8, with
// a suggestion of nodes x GPUs that does fit) or needs more such nodes than it has; malformed
// memory, array, account, qos, constraint, job name or extra #SBATCH lines.
// Nodes belong to a partition by Node::partitions; their configured Gres count, not the free
// GPUs, decides the fit (a busy node frees up, a drained one may come back).
core::Result<CheckedResources> check(const Resources& resources,
                                     const std::vector<slurm::Partition>& partitions,
                                     const std::vector<slurm::Node>& nodes,
                                     const config::Cluster& cluster);

// Reads a time limit the user typed (`90`, `2:00:00`, `1-12`), in sbatch's --time formats.
// Fails with invalid_argument, naming `--time`, on anything else, on zero and on "no limit"
// words (UNLIMITED, INFINITE): a job asks for a finite time.
core::Result<std::chrono::minutes> parse_time_request(std::string_view text);

// Reads a SLURM memory size (`64G`, `512m`, `1000`): digits and an optional K/M/G/T unit in
// either case. Returns it with an upper-case unit. Fails with invalid_argument naming
// `--mem` otherwise.
core::Result<std::string> parse_memory(std::string_view text);

}  // namespace sortie::script

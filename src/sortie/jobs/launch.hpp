#pragma once

// What a user asks for when launching a job, as plain text and numbers (from the command line
// or a JSON body), and how it becomes a SubmitRequest. Shared by `sortie submit` and
// `POST /api/jobs/` so both check and name the same things.

#include <optional>
#include <string>
#include <vector>

#include "sortie/config/clusters.hpp"
#include "sortie/core/error.hpp"
#include "sortie/jobs/submit.hpp"
#include "sortie/store/model.hpp"

namespace sortie::jobs {

struct LaunchSpec {
  std::string partition;   // empty: SLURM's default
  std::string gpus;        // per node, "TYPE:N" or "N"; empty: none
  int nodes = 1;
  int cpus_per_task = 0;   // 0: SLURM's default
  std::string memory;      // per node, "64G"; empty: SLURM's default
  std::string time;        // "90", "2:00:00", "1-12"; empty: the partition's default
  std::string mode;        // "git", "snapshot" or empty (chosen from the Git state)
  std::string name;        // shown in listings; empty: the project's name
  std::string account;
  std::string qos;
  std::string constraint;
  std::vector<std::string> arguments;
};

// Reads "TYPE:N" or "N" into resources.gpus and resources.gpu_type. invalid_argument names the
// text and the accepted forms.
core::Result<void> read_gpus(const std::string& text, script::Resources& resources);

// The delivery mode named by `text` ("git", "snapshot"), nullopt for empty; invalid_argument
// for anything else.
core::Result<std::optional<store::DeliveryMode>> read_mode(const std::string& text);

// Checks `spec` and builds the request: resources, the template chosen for the project on the
// cluster, and the code to deliver (reads the Git state now). Fails with invalid_argument
// naming the field and what to write instead, or with the template's or the Git state's error.
core::Result<SubmitRequest> prepare_request(const store::Project& project,
                                            const config::Cluster& cluster,
                                            const LaunchSpec& spec);

}  // namespace sortie::jobs

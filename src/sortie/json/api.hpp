#pragma once

// The HTTP API's own JSON: error documents, compact lists, and the request bodies it reads.
// Every reader names the field that is wrong and what to send instead; none throws.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/gpus/query.hpp"
#include "sortie/jobs/launch.hpp"
#include "sortie/json/jobs.hpp"
#include "sortie/projects/registry.hpp"
#include "sortie/slurm/partition.hpp"
#include "sortie/store/model.hpp"

namespace sortie::json {

// {"error": {"code": CODE, "message": MESSAGE}}
std::string error_document(std::string_view code, std::string_view message);

// {"code": CODE, "message": MESSAGE}
std::string error_object(std::string_view code, std::string_view message);

// `text` as a JSON string literal, quotes included (bytes that are not UTF-8 replaced).
std::string quoted(std::string_view text);

// [job, ...], compact, each as to_json(JobDocument) writes it.
std::string jobs_array(const std::vector<JobDocument>& jobs);

// A job, compact.
std::string job_compact(const JobDocument& job);

// [{"sequence", "at", "from": {"phase","state","reason"}|null, "to": {...}, "detail"}, ...]
std::string events_array(const std::vector<store::JobEvent>& events);

// GPU availability, compact, without its closing brace, so that a cached copy can be
// completed per request with its age: `availability_open(a) + R"(, "age_seconds": 3})"`.
std::string availability_open(const gpus::Availability& availability);

// [{"name", "state", "capacity": "up"|"powered_down"|"unavailable", "reason", "partitions",
//   "gpus": [{"type", "total", "used"}]}, ...] for the nodes with GPUs, by name.
std::string nodes_array(const std::vector<slurm::Node>& nodes);

// [{"name", "default", "state", "nodes", "total_nodes", "total_cpus", "max_time_minutes"
//   (null: unlimited), "default_time_minutes"}, ...]
std::string partitions_array(const std::vector<slurm::Partition>& partitions);


// POST /api/projects/: {"path", "name"?, "entry_command"?, "setup"?: [..], "default_cluster"?}
core::Result<projects::Registration> read_registration(std::string_view body);

// PATCH /api/projects/{id}: every field optional; "default_cluster": null clears it.
struct ProjectPatch {
  std::optional<std::string> entry_command;
  std::optional<std::vector<std::string>> setup;
  std::optional<std::optional<std::string>> default_cluster;
};
core::Result<ProjectPatch> read_project_patch(std::string_view body);

// POST /api/jobs/ and /api/jobs/preview.
struct LaunchBody {
  std::int64_t project_id = 0;
  std::string cluster;  // empty: the project's default cluster, else the only one
  jobs::LaunchSpec spec;
  bool multirun = false;
  bool paired = false;
  std::optional<int> parallelism;
};
core::Result<LaunchBody> read_launch(std::string_view body);

// A launch body as read_launch() reads it (for the CLI going through a running server).
std::string launch_document(const LaunchBody& launch);

// The error of an {"error": {"code", "message"}} answer; nullopt when `body` is not one.
// Codes the CLI does not know become command_failed.
std::optional<core::Error> read_error(std::string_view body);

// The job ids of a created job ({"id": N, ...}) or sweep ({"sweep_id", "jobs": [{"id"}...]}),
// and the sweep id when it is one; the record a refused submission left ({"error", "job"}).
// Empty ids when `body` is none of these.
struct Created {
  std::vector<std::int64_t> job_ids;
  std::optional<std::string> sweep_id;
};
Created read_created(std::string_view body);

// POST /api/hydra/compose|expand|parse.
struct HydraBody {
  std::optional<std::int64_t> project_id;
  std::vector<std::string> overrides;
  bool paired = false;
};
core::Result<HydraBody> read_hydra(std::string_view body);

// POST /api/session: {"token": "..."}
core::Result<std::string> read_token(std::string_view body);

}  // namespace sortie::json

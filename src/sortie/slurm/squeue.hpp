#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"

namespace sortie::slurm {

// GPUs of one type asked for by a job, in total over all its nodes and tasks.
struct GpuRequest {
  std::string type;  // empty when the job named no type (`--gpus=2`, `--gres=gpu:2`)
  std::int64_t count = 0;

  friend bool operator==(const GpuRequest&, const GpuRequest&) = default;
};

// A pending job (one array task each) and the GPUs it waits for.
struct PendingJob {
  // As squeue's JobArrayID prints it: "1234", or "1234_7" for an array task. (Its JobID field
  // gives every task of an array the same id.)
  std::string job_id;
  std::vector<std::string> partitions;  // every partition the job may start in
  std::vector<GpuRequest> gpus;         // one entry per type, in the order first seen; may be empty
};

// The fields pending_jobs_format() asks squeue for, in order, separated by '|'.
inline constexpr std::string_view kPendingJobsFields =
    "JobArrayID,Partition,NumNodes,NumTasks,tres-per-node,tres-per-job,tres-per-task";

// The `--Format` value for squeue that parse_pending_jobs() reads: the fields above, each
// followed by '|'.
std::string pending_jobs_format();

// Parses the GPU part of a TRES request string as squeue prints `tres-per-*`: SLURM 22.05's
// `gres:gpu:a100:2` and newer `gres/gpu:a100=2` / `gres/gpu=2`, comma-separated, with or
// without the `gres` prefix. Non-GPU entries (`cpu=4`, `gres:shard:1`) are ignored; "N/A",
// "(null)" and an empty string ask for nothing. A GPU entry without a count asks for one. Fails
// with parse_error on a GPU entry whose count is not a number.
core::Result<std::vector<GpuRequest>> parse_tres_gpus(std::string_view text);

// Parses the output of the squeue command in commands.hpp (`pending_jobs()`): one job per
// line, fields separated by '|' (padding around them is ignored). GPUs asked per node count
// once per node, per task once per task, per job once. Empty output is no jobs. Fails with
// parse_error naming the line number on a line that does not have the fields in order.
core::Result<std::vector<PendingJob>> parse_pending_jobs(std::string_view output);

}  // namespace sortie::slurm

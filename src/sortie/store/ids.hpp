#pragma once

// Identifiers that are easy to mix up, each its own type: a JobId never passes for a
// SlurmJobId, and a cluster name is not any string.

#include <compare>
#include <cstdint>
#include <string>

namespace sortie::store {

// sortie's own number for a job; the one users see and type (`sortie logs 42`).
struct JobId {
  std::int64_t value = 0;
  friend auto operator<=>(const JobId&, const JobId&) = default;
};

// sortie's number for a registered project.
struct ProjectId {
  std::int64_t value = 0;
  friend auto operator<=>(const ProjectId&, const ProjectId&) = default;
};

// The number SLURM gave a job (`sbatch --parsable`); unique only within one cluster.
struct SlurmJobId {
  std::int64_t value = 0;
  friend auto operator<=>(const SlurmJobId&, const SlurmJobId&) = default;
};

// A cluster's name as written in clusters.yaml.
struct ClusterName {
  std::string value;
  friend auto operator<=>(const ClusterName&, const ClusterName&) = default;
};

// The key a submission is recorded under before `sbatch` runs; it is also written into the
// SLURM job (as its job name; sacct keeps no comments on 22.05) so a later reconcile can find
// the job by it.
struct SubmissionKey {
  std::string value;
  friend auto operator<=>(const SubmissionKey&, const SubmissionKey&) = default;
};

// Groups the jobs of one sweep (one SLURM array or a set of jobs started together).
struct SweepId {
  std::string value;
  friend auto operator<=>(const SweepId&, const SweepId&) = default;
};

}  // namespace sortie::store

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/script/resources.hpp"

namespace sortie::script {

// A Mustache sbatch template and the name it is known by in messages (a path, or
// "default.sbatch.mustache" for the one built in).
struct Template {
  std::string text;
  std::string file_name;
};

// How the job gets the project's code.
enum class CodeDelivery {
  git,       // the job clones the repository at `commit` through the cluster's clone cache
  snapshot,  // sortie uploaded a tar of the exact tree; the job extracts it
};

// One variable the job exports. `name` must be a shell identifier.
struct EnvironmentVariable {
  std::string name;
  std::string value;

  friend bool operator==(const EnvironmentVariable&, const EnvironmentVariable&) = default;
};

// Everything a template can use. Paths are on the cluster and absolute (`~` is not expanded
// inside quotes nor by sbatch): submit resolves the workspace to an absolute path first.
// See docs/TEMPLATES.md for the variable each field becomes.
struct ScriptContext {
  CheckedResources resources;
  std::string submission_key;  // unique per submission; goes into --comment
  std::string cluster;         // clusters.yaml name
  std::string project;         // project name
  std::string workspace_dir;   // the cluster's workspace root
  std::string job_dir;         // this job's directory; the job makes it (see log_patterns())
  std::string code_dir;        // where the code is checked out or extracted; the job cds there
  CodeDelivery delivery = CodeDelivery::git;
  std::string commit;           // full hex id; git: required; snapshot: the base commit, if any
  std::string repository_url;   // git: what the clone cache fetches from
  std::string clone_cache_dir;  // git: the per-project mirror, e.g. <workspace>/cache/<p>.git
  std::string snapshot_path;    // snapshot: the uploaded tar
  std::string snapshot_hash;    // snapshot: hash of the tree (printed in the log), if known
  std::vector<std::string> setup_lines;           // shell lines run before the entry command
  std::string entry_command = "python train.py";  // shell; may use template variables
  std::vector<std::string> arguments;             // appended to the entry command, quoted
  std::vector<EnvironmentVariable> environment;   // exported before the setup lines
  // Hook for job arrays (Hydra sweeps): when set, task i appends the lines of
  // `<task_arguments_dir>/<i>` (see task_arguments_file()) as arguments.
  std::optional<std::string> task_arguments_dir;
};

// Where SLURM writes a job's standard output and error: files beside its directory,
// `<job_dir>.%j.out` / `.err` (`%A_%a` for arrays; SLURM fills in the ids). Beside, not inside:
// SLURM needs their directory to exist when the job starts, and making a fresh directory would
// cost the submission a process on the cluster, while `<workspace>/jobs` exists already.
struct LogPatterns {
  std::string out;
  std::string err;
};
LogPatterns log_patterns(const ScriptContext& context);

// Renders `script_template` with the variables of `context`.
// `{{name}}` gives the value quoted for a POSIX shell (remote::quote); `{{{name}}}` and
// `{{&name}}` give it raw. The entry command and setup lines are templates themselves,
// rendered first with the same variables (so `--nproc_per_node={{gpus_per_node}}` works).
// Fails with invalid_argument, naming the template's file, line and the variable:
// - an unknown variable or section name (a typo like `{{partiton}}` is an error, not an
//   empty string), with the closest known name;
// - an unclosed, unopened or mismatched section; a partial (`{{>x}}`) or a delimiter change;
// - a shell-by-design variable (entry_command, arguments_shell, setup_lines,
//   extra_sbatch_lines) written with two braces, which would quote it into one word;
// - on a `#SBATCH` line: a variable with two braces (sbatch reads no shell quoting), or a
//   value that is not one plain word (a space, a quote, a line break would leak out of the
//   directive).
// Fails with invalid_argument naming the field when `context` is incomplete or unsafe: a
// missing or relative path, a commit that is not a full hex id, a NUL byte anywhere, a `%`
// in the job dir (sbatch reads it as a pattern), an environment name that is not an
// identifier, an extra line not starting with `#SBATCH `, a multi-line entry command.
core::Result<std::string> render(const Template& script_template, const ScriptContext& context);

// The names of every template variable, sorted; docs/TEMPLATES.md documents each.
std::vector<std::string> variable_names();

// The content of a per-task argument file for array jobs: one argument per line, as the
// default template reads it with `mapfile -t`. Fails with invalid_argument naming the
// argument when one contains a line break or NUL, which a line cannot carry.
core::Result<std::string> task_arguments_file(const std::vector<std::string>& arguments);

}  // namespace sortie::script

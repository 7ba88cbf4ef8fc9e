#include "sortie/script/default_template.hpp"

namespace sortie::script {

// Keep in sync with templates/default.sbatch.mustache (DefaultTemplate tests compare them):
// everything between the raw string's delimiters is that file, byte for byte.
Template default_template() {
  return {R"sortie_template(#!/bin/bash -l
#SBATCH --job-name={{{job_name}}}
#SBATCH --comment={{{submission_key}}}
#SBATCH --partition={{{partition}}}
#SBATCH --nodes={{{nodes}}}
{{#tasks_per_node}}
#SBATCH --ntasks-per-node={{{tasks_per_node}}}
{{/tasks_per_node}}
{{#ntasks}}
#SBATCH --ntasks={{{ntasks}}}
{{/ntasks}}
{{#cpus_per_task}}
#SBATCH --cpus-per-task={{{cpus_per_task}}}
{{/cpus_per_task}}
{{#gres}}
#SBATCH --gres={{{gres}}}
{{/gres}}
{{#memory}}
#SBATCH --mem={{{memory}}}
{{/memory}}
{{#time_limit}}
#SBATCH --time={{{time_limit}}}
{{/time_limit}}
{{#account}}
#SBATCH --account={{{account}}}
{{/account}}
{{#qos}}
#SBATCH --qos={{{qos}}}
{{/qos}}
{{#constraint}}
#SBATCH --constraint={{{constraint}}}
{{/constraint}}
{{#array}}
#SBATCH --array={{{array}}}
{{/array}}
#SBATCH --output={{{stdout_path}}}
#SBATCH --error={{{stderr_path}}}
{{#extra_sbatch_lines}}
{{{.}}}
{{/extra_sbatch_lines}}

# Rendered by sortie from its default template; `sortie render` prints this script.
# A login shell (bash -l) so that `module` and conda are set up as on the login node.
set -euo pipefail
# `exit` in a login shell (#!/bin/bash -l) runs ~/.bash_logout, and its last command's status
# replaces the script's (Debian's default turns every status into 1): leave without it.
sortie_exit() { exec /bin/sh -c 'exit "$1"' sh "$1"; }

export SORTIE_SUBMISSION_KEY={{submission_key}}
export SORTIE_CLUSTER={{cluster}}
export SORTIE_PROJECT={{project}}
export SORTIE_JOB_DIR={{job_dir}}
export SORTIE_CODE_DIR={{code_dir}}
export SORTIE_COMMIT={{commit}}

{{#git}}
printf 'sortie: job %s task %s on %s runs commit %s of %s\n' "${SLURM_JOB_ID:-?}" \
  "${SLURM_ARRAY_TASK_ID:-none}" "${HOSTNAME:-?}" {{commit}} {{repository_url}}
{{/git}}
{{#snapshot}}
printf 'sortie: job %s task %s on %s runs snapshot %s (based on commit %s)\n' \
  "${SLURM_JOB_ID:-?}" "${SLURM_ARRAY_TASK_ID:-none}" "${HOSTNAME:-?}" \
  {{#snapshot_hash}}{{snapshot_hash}}{{/snapshot_hash}}{{^snapshot_hash}}unknown{{/snapshot_hash}} \
  {{#commit}}{{commit}}{{/commit}}{{^commit}}none{{/commit}}
{{/snapshot}}

# The job makes its own directory (its logs sit beside it, where SLURM can open them).
mkdir -p "$SORTIE_JOB_DIR"

# Deliver the code once per job: tasks of an array share the code dir, and a requeued job
# finds it ready (and keeps whatever it wrote there).
sortie_lock() {
  if command -v flock >/dev/null 2>&1; then flock "$1"; fi
}
{
  sortie_lock 8
  if [ ! -e "$SORTIE_JOB_DIR/code.ready" ]; then
    rm -rf "$SORTIE_CODE_DIR"
{{#git}}
    sortie_repository={{repository_url}}
    sortie_cache={{clone_cache_dir}}
    mkdir -p "$(dirname "$sortie_cache")"
    {
      # Jobs of one project share the clone cache: one at a time updates it.
      sortie_lock 9
      if [ ! -d "$sortie_cache" ]; then
        rm -rf "$sortie_cache.partial"
        git clone --quiet --mirror "$sortie_repository" "$sortie_cache.partial"
        mv "$sortie_cache.partial" "$sortie_cache"
      fi
      if ! git -C "$sortie_cache" cat-file -e "$SORTIE_COMMIT^{commit}" 2>/dev/null; then
        git -C "$sortie_cache" fetch --quiet --prune origin ||
          printf 'sortie: could not update the clone cache %s\n' "$sortie_cache" >&2
      fi
      if ! git -C "$sortie_cache" cat-file -e "$SORTIE_COMMIT^{commit}" 2>/dev/null; then
        git -C "$sortie_cache" fetch --quiet origin "$SORTIE_COMMIT" 2>/dev/null || true
      fi
      if ! git -C "$sortie_cache" cat-file -e "$SORTIE_COMMIT^{commit}" 2>/dev/null; then
        printf 'sortie: commit %s is not in %s: push it, or submit with snapshot delivery\n' \
          "$SORTIE_COMMIT" "$sortie_repository" >&2
        sortie_exit 1
      fi
      git clone --quiet --shared --no-checkout "$sortie_cache" "$SORTIE_CODE_DIR"
    } 9>"$sortie_cache.lock"
    git -C "$SORTIE_CODE_DIR" -c advice.detachedHead=false checkout --quiet --detach "$SORTIE_COMMIT"
    git -C "$SORTIE_CODE_DIR" remote set-url origin "$sortie_repository"
{{/git}}
{{#snapshot}}
    mkdir -p "$SORTIE_CODE_DIR"
    tar -xf {{snapshot_path}} -C "$SORTIE_CODE_DIR"
{{/snapshot}}
    touch "$SORTIE_JOB_DIR/code.ready"
  fi
} 8>"$SORTIE_JOB_DIR/code.lock"

cd "$SORTIE_CODE_DIR"
{{#environment}}
export {{name}}={{value}}
{{/environment}}

# Setup lines are shell written by the project or cluster (module load, venv activation);
# activation scripts often read unset variables, so `set -u` is off while they run.
set +u
{{#setup_lines}}
{{{.}}}
{{/setup_lines}}
set -u

# Per-task arguments of an array job (Hydra sweeps): one argument per line.
sortie_task_arguments=()
{{#task_arguments_dir}}
if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
  sortie_task_file={{task_arguments_dir}}/"$SLURM_ARRAY_TASK_ID"
  if [ ! -f "$sortie_task_file" ]; then
    printf 'sortie: no argument file %s for task %s\n' "$sortie_task_file" \
      "$SLURM_ARRAY_TASK_ID" >&2
    sortie_exit 1
  fi
  mapfile -t sortie_task_arguments < "$sortie_task_file"
fi
{{/task_arguments_dir}}

sortie_status=0
{{{entry_command}}} {{{arguments_shell}}} ${sortie_task_arguments[@]+"${sortie_task_arguments[@]}"} || sortie_status=$?
printf 'sortie: entry command exited with status %s\n' "$sortie_status"
sortie_exit "$sortie_status"
)sortie_template",
          "default.sbatch.mustache"};
}

}  // namespace sortie::script

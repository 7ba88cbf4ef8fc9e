#!/usr/bin/env bash
# Captures real SLURM output from the running sandbox into tests/data/slurm/ (22.05) or
# tests/data/slurm/24.11/ (SORTIE_SANDBOX_SLURM=24.11) for parser tests (see the README.md
# beside them for what each file holds).
# Needs an idle sandbox (bash sandbox/up.sh) that nobody else is using: it submits jobs,
# drains l40-1, stops slurmctld for a moment, and undoes all that at the end.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=sandbox/lib.sh
. "$HERE/lib.sh"
default_out="$HERE/../tests/data/slurm"
[[ "$SLURM_SERIES" == 22.05 ]] || default_out+="/$SLURM_SERIES"
OUT="${1:-$default_out}"

# The admin's commands run wherever this sandbox's SLURM lives (in the chroot for 24.11).
squeue() { in_root squeue "$@"; }
sinfo() { in_root sinfo "$@"; }
sacct() { in_root sacct "$@"; }
scontrol() { in_root scontrol "$@"; }
scancel() { in_root scancel "$@"; }
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

SSH=(ssh -F "$SSHDIR/config" -o Port="$SSHD_PORT" sandbox)

# Runs a command as researcher over ssh (as sortie does); prints its stdout.
# ssh joins its arguments into one remote shell command: quote each one.
as_user() { "${SSH[@]}" "$(printf '%q ' "$@")"; }

# capture FILE CMD...: FILE gets exactly the command's stdout (run locally as root).
capture() {
  local file="$1"; shift
  "$@" >"$OUT/$file"
  say "captured $file ($(wc -l <"$OUT/$file") lines)"
}

queue_empty() { [[ -z "$(squeue -h -o %A)" ]]; }

# The scheduler has looked at every pending job once it has a reason other than None.
reasons_settled() { ! squeue -h -t PENDING -o '%r' | grep -qx None; }

all_running() { [[ -z "$(squeue -h -t PENDING,CONFIGURING -j "$1" -o %A)" ]]; }

sacct_settled() {
  local rows; rows="$(sacct -X -P -n -j "$1" -o JobName,Partition)"
  [[ -n "$rows" ]] && ! grep -qE '^allocation\||\|$' <<<"$rows"
}

# Jobs of other sandbox users would end up in the captures.
only_our_jobs() {
  local foreign
  foreign="$(squeue -h -o '%A %u %j' | grep -vE ' (train|eval|filler|pend)-' || true)"
  [[ -z "$foreign" ]] || die "foreign jobs in the queue, captures are polluted; rerun: $foreign"
}

submit() { as_user sbatch --parsable --output=/dev/null "$@"; }

# Our jobs only (by name), so a stray job of someone else is left alone.
our_jobs() {
  { squeue -h -o '%A %j' 2>/dev/null || true; } |
    awk '$2 ~ /^(train|eval|filler|pend|done)-/ {print $1}'
}

our_jobs_gone() { [[ -z "$(our_jobs)" ]]; }

cleanup() {
  scontrol update nodename=l40-1 state=resume 2>/dev/null || true
  local jobs; jobs="$(our_jobs)"
  # shellcheck disable=SC2086
  [[ -z "$jobs" ]] || scancel $jobs || true
}

main() {
  bash "$HERE/status.sh" >/dev/null || die "sandbox is not (fully) up: run sandbox/up.sh"
  wait_until 60 queue_empty || die "the sandbox queue is not empty (someone else uses it?): $(squeue -h -o '%A %u %j' | head -5)"
  trap cleanup EXIT

  # --- 1. all nodes idle
  capture versions.txt in_root bash -c 'squeue --version; sinfo --version'
  capture scontrol-show-node.idle.txt scontrol -d -o show node
  capture scontrol-show-partition.idle.txt scontrol -o show partition
  capture sinfo.idle.txt sinfo

  # Two short jobs so sacct later shows COMPLETED and FAILED too.
  local ok fail
  ok="$(submit -J done-ok --wrap 'true')"
  fail="$(submit -J done-fail --wrap 'exit 3')"
  wait_until 30 queue_empty || die "short jobs did not finish"

  # --- 2. busy: GPUs in use, l40-1 drained, pending jobs asking for GPUs in many ways
  local running=()
  running+=("$(submit -J train-a100x2 --gres=gpu:a100:2 --wrap 'sleep 600')")
  running+=("$(submit -J train-h100x8 -N 1 -w h100-1 --gres=gpu:h100:8 --wrap 'sleep 600')")
  running+=("$(submit -J eval-gpu1 -w gpu-1 --gres=gpu:1 --wrap 'sleep 600')")
  # Fillers so every pending job below really waits for GPUs.
  running+=("$(submit -J filler-a100x2 --gres=gpu:a100:2 --wrap 'sleep 600')")
  running+=("$(submit -J filler-h100x8 -w h100-2 --gres=gpu:h100:8 --wrap 'sleep 600')")
  local ids; ids="$(IFS=,; echo "${running[*]}")"
  wait_until 30 all_running "$ids" || die "jobs $ids did not all start"
  scontrol update nodename=l40-1 state=drain reason="fan failure on slot 2"

  local pending=()
  pending+=("$(submit -J pend-h100x8-2nodes --gres=gpu:h100:8 -N 2 --wrap 'sleep 60')")
  pending+=("$(submit -J pend-gpus3 --gpus=3 --wrap 'sleep 60')")
  pending+=("$(submit -J pend-gres2 --gres=gpu:2 --wrap 'sleep 60')")
  pending+=("$(submit -J pend-gpn-a100x4 --gpus-per-node=a100:4 --wrap 'sleep 60')")
  pending+=("$(submit -J pend-gpt1-n2 --gpus-per-task=1 -n 2 --wrap 'sleep 60')")
  pending+=("$(submit -J pend-l40-array --array=0-3 --gres=gpu:l40:1 --wrap 'sleep 60')")
  pending+=("$(submit -J pend-two-parts -p gpu,long --gres=gpu:h100:4 --wrap 'sleep 60')")
  wait_until 20 reasons_settled || say "warning: some pending jobs still have reason None"
  sleep 2   # let a backfill pass set its reasons too

  capture scontrol-show-node.busy.txt scontrol -d -o show node
  capture scontrol-show-partition.busy.txt scontrol -o show partition
  capture sinfo.busy.txt sinfo
  capture sinfo-nodes.busy.txt sinfo -h -N -O 'NodeList:|,Partition:|,StateLong:|,CPUsState:|,Gres:|,GresUsed:|,Reason:|'
  capture squeue.busy.txt squeue
  capture squeue-pending-O.busy.txt squeue -h -r -t PENDING -O 'JobID:|,Partition:|,NumNodes:|,NumTasks:|,tres-per-node:|,tres-per-job:|,tres-per-task:|,ReasonList:|'
  capture squeue-pending-o.busy.txt squeue -h -r -t PENDING -o '%i|%P|%D|%b'
  capture squeue-pending-O-arrayid.busy.txt squeue -h -r -t PENDING -O 'JobArrayID:|,ArrayJobID:|,ArrayTaskID:|,Name:|,UserName:|,Partition:|,NumNodes:|,NumTasks:|,tres-per-node:|,tres-per-job:|,tres-per-task:|,Reason:|,ReasonList:|'
  capture squeue-running-O.busy.txt squeue -h -r -t RUNNING -O 'JobArrayID:|,Name:|,UserName:|,Partition:|,NodeList:|,NumNodes:|,tres-per-node:|,tres-alloc:|'
  capture scontrol-show-job.busy.txt scontrol -d -o show job
  only_our_jobs

  # --- 3. undo: resume the node, cancel our jobs, wait until they are gone
  cleanup
  trap - EXIT
  wait_until 30 our_jobs_gone || die "our jobs did not go away after scancel"
  local all
  all="$ok,$fail,$ids,$(IFS=,; echo "${pending[*]}")"
  # Until slurmdbd has a job's submit record, sacct shows a stub named "allocation" with
  # no partition: wait for the real rows.
  wait_until 30 sacct_settled "$all" || say "warning: sacct still shows stub rows"
  capture sacct.done.txt sacct -X -P -n -j "$all" -o 'JobID,JobName,User,Partition,State,ExitCode,AllocTRES'

  # --- 4. slurmctld down: stdout, stderr and exit code of the commands sortie runs
  capture_ctld_down
}

# Stops slurmctld (only ours, by its pid file), runs the commands, then brings it back.
capture_ctld_down() {
  local pid file="$OUT/slurmctld-down.txt"
  pid="$(live_pid slurmctld)" || die "slurmctld is not running"
  kill -TERM "$pid"
  wait_until 20 pid_gone "$pid" || die "slurmctld did not stop"
  : >"$file"
  local cmd t0
  for cmd in 'scontrol -d -o show node' 'squeue'; do
    t0=$SECONDS
    # shellcheck disable=SC2086  # the command's words
    append_section "$file" "$cmd" $cmd
    say "slurmctld down: '$cmd' exited $SECTION_RC after $((SECONDS - t0)) s"
  done
  say "captured slurmctld-down.txt"
  bash "$HERE/up.sh" >/dev/null
  say "slurmctld restarted"
}

main "$@"

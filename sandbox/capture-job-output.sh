#!/usr/bin/env bash
# Captures what the SLURM commands sortie runs to track jobs print, from a running sandbox of
# either version (SORTIE_SANDBOX_SLURM=22.05|24.11), as the cluster's user over ssh, exactly as
# sortie asks (SLURM_TIME_FORMAT=%s, the same --Format/--format fields as src/sortie/slurm/
# jobs.hpp). Writes tests/data/slurm/<version>/jobs-*.txt; README.md there says what ran.
# Needs the sandbox's nodes idle (it submits a dozen short jobs and cancels what it started).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=sandbox/lib.sh
. "$HERE/lib.sh"
OUT="${1:-$HERE/../tests/data/slurm/$SLURM_SERIES}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# kSqueueJobFields and kSacctJobFields of src/sortie/slurm/jobs.hpp, with their delimiter.
D='|~|'
SQUEUE_FIELDS=JobArrayID,ArrayJobID,ArrayTaskID,State,Reason,UserName,Partition,SubmitTime,StartTime,EndTime,TimeUsed,TimeLimit,exit_code,NodeList,WorkDir,STDOUT,STDERR,Comment,Name
SACCT_FIELDS=JobID,JobIDRaw,State,ExitCode,Reason,User,Partition,Submit,Start,End,ElapsedRaw,TimelimitRaw,NodeList,WorkDir,Comment,JobName
SQ="$(tr ',' '\n' <<<"$SQUEUE_FIELDS" | sed "s/\$/:$D/" | paste -sd,)"

as_user() { ssh -F "$SSHDIR/config" -o Port="$SSHD_PORT" sandbox "$(printf '%q ' "$@")"; }

# capture FILE CMD...: FILE gets exactly the command's stdout, run as the user.
capture() {
  local file="$1"; shift
  as_user env SLURM_TIME_FORMAT=%s "$@" >"$OUT/$file"
  say "captured $file ($(wc -l <"$OUT/$file") lines)"
}

# capture_sections FILE CMD...: stdout, stderr and exit status of each command (one per
# argument, run by the user's shell), for answers that are errors.
capture_sections() {
  local file="$OUT/$1"; shift
  : >"$file"
  local cmd
  for cmd in "$@"; do
    append_section "$file" "$cmd" as_user bash -c "SLURM_TIME_FORMAT=%s $cmd"
  done
  say "captured $(basename "$file")"
}

submit() { as_user sbatch --parsable -p debug --time=5 "$@"; }

state_of() { as_user squeue -h -t all -j "$1" -o %T 2>/dev/null || true; }
is_state() { [[ "$(state_of "$1")" == "$2"* ]]; }

main() {
  SORTIE_SANDBOX_SLURM=$SLURM_SERIES bash "$HERE/status.sh" --quiet ||
    die "the $SLURM_SERIES sandbox is not (fully) up: run sandbox/up.sh"
  capture jobs-versions.txt bash -c 'sinfo --version; squeue --version; sacct --version'

  # A job of every kind of end, an array with a failing task, a held job.
  local ok fail signal long cancel_running cancel_pending held array
  ok="$(submit -J capture-ok --output=/dev/null --wrap 'true')"
  fail="$(submit -J capture-exit3 --output=/dev/null --wrap 'exit 3')"
  signal="$(submit -J capture-kill9 --output=/dev/null --wrap 'kill -9 $$')"
  long="$(submit -J capture-long --output='slurm-%j.out' --error='slurm-%j.err' --comment 'key=capture note' --wrap 'sleep 300')"
  cancel_running="$(submit -J capture-cancel-running --output=/dev/null --wrap 'sleep 300')"
  held="$(submit -J capture-held --hold --output=/dev/null --wrap 'true')"
  cancel_pending="$(submit -J capture-cancel-pending --hold --output=/dev/null --wrap 'true')"
  array="$(submit -J capture-array --array=0-5%2 --output=/dev/null --wrap '[ "$SLURM_ARRAY_TASK_ID" = 1 ] && exit 3; sleep 4')"
  local ids="$ok,$fail,$signal,$long,$cancel_running,$held,$cancel_pending,$array"
  wait_until 30 is_state "$cancel_running" RUNNING || die "job $cancel_running did not start"
  wait_until 30 is_state "$signal" FAILED || say "warning: $signal not FAILED yet"
  as_user scancel "$cancel_running" "$cancel_pending"
  sleep 2

  # While the ended jobs are still in squeue (MinJobAge).
  capture jobs-squeue.mixed.txt squeue -h -r -t all --jobs="$ids" --Format="$SQ"
  capture jobs-squeue.ranges.txt squeue -h -t all --jobs="$array" --Format="$SQ"
  capture jobs-scontrol.mixed.txt scontrol -o show job
  capture jobs-sacct.mixed.txt sacct -n -P -X --delimiter="$D" --format="$SACCT_FIELDS" \
    --starttime=now-10minutes --jobs="$ids"
  capture jobs-squeue.by-name.txt squeue -h -r -t all --user=researcher \
    --name=capture-held,capture-array --Format="$SQ"
  capture jobs-sacct.by-name.txt sacct -n -P -X --delimiter="$D" --format="$SACCT_FIELDS" \
    --starttime=now-10minutes --user=researcher --name=capture-exit3,capture-array

  # The array over, the long job cancelled while running.
  wait_until 60 bash -c "[[ -z \"\$(ssh -F '$SSHDIR/config' -o Port=$SSHD_PORT sandbox squeue -h -j $array -o %A)\" ]]" ||
    say "warning: array $array still active"
  as_user scancel "$long" "$held"
  sleep 2
  capture jobs-squeue.finished.txt squeue -h -r -t all --jobs="$ids" --Format="$SQ"
  capture jobs-sacct.finished.txt sacct -n -P -X --delimiter="$D" --format="$SACCT_FIELDS" \
    --starttime=now-10minutes --jobs="$ids"

  capture_sections jobs-squeue.unknown-ids.txt \
    "squeue -h -r -t all --jobs=999999 --Format='$SQ'" \
    "squeue -h -r -t all --jobs=999998,999999 --Format='$SQ'"
  capture_sections jobs-sbatch.txt \
    "sbatch --parsable -J capture-sbatch -p debug --time=1 --hold --output=/dev/null --wrap true" \
    "sbatch --parsable -J capture-sbatch -p nosuch --output=/dev/null --wrap true" \
    "sbatch --parsable -J capture-sbatch -p debug --gres=gpu:a100:9 --output=/dev/null --wrap true" \
    "sbatch --parsable -J capture-sbatch -p debug --time=2:00:00 --output=/dev/null --wrap true"
  local extra
  extra="$(as_user squeue -h -u researcher -n capture-sbatch -o %A | paste -sd' ')"
  [[ -z "$extra" ]] || as_user scancel $extra
  say "job ids: ok=$ok exit3=$fail kill9=$signal long=$long cancel-running=$cancel_running held=$held cancel-pending=$cancel_pending array=$array"
}

main "$@"

#!/usr/bin/env bash
# Stops what sandbox/up.sh started: only pids recorded in the state dir's pid files, and
# only if they still are that program of this sandbox. Sandbox jobs are cancelled first so
# no slurmstepd outlives its slurmd. State is kept for a fast next up.sh;
# `down.sh --purge` also removes the state dir. See docs/SANDBOX.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=sandbox/lib.sh
. "$HERE/lib.sh"

PURGE=0
STOPPED=()
case "${1:-}" in
  --purge) PURGE=1 ;;
  "") ;;
  *) die "usage: down.sh [--purge]" ;;
esac

# Cancels every job of the sandbox cluster and waits (briefly) until none is left running
# or completing, so their slurmstepd processes exit with them.
cancel_jobs() {
  live_pid slurmctld >/dev/null || return 0
  local jobs
  jobs="$(in_root squeue -h -o %A 2>/dev/null)" || return 0
  [[ -n "$jobs" ]] || return 0
  say "cancelling $(wc -l <<<"$jobs") job(s)"
  # shellcheck disable=SC2086
  in_root scancel $jobs 2>/dev/null || true
  # shellcheck disable=SC2016  # expanded by the inner bash
  wait_until 20 in_root bash -c '[[ -z "$(squeue -h -o %A 2>/dev/null)" ]]' ||
    say "warning: jobs still listed after 20 s: $(in_root squeue -h -o '%A %T' | tr '\n' ' ')"
}

# TERM, wait up to 20 s, then KILL: fail loudly if it still will not go.
stop_component() {
  local comp="$1" pid pidfile
  pidfile="$(pidfile_of "$comp")"
  if ! pid="$(live_pid "$comp")"; then
    [[ -e "$pidfile" ]] && rm -f "$pidfile"   # stale: the process is gone or is not ours
    return 0
  fi
  say "stopping $comp (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_until 20 pid_gone "$pid"; then
    say "$comp did not exit on TERM, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_until 5 pid_gone "$pid" || fail_component "$comp" "pid $pid will not exit"
  fi
  rm -f "$pidfile"
  STOPPED+=("$pid")
}

# A dead daemon stays a zombie until PID 1 reaps it (here that can take ~2 s); wait for
# that so `pgrep slurm` right after down.sh shows nothing.
await_reaped() {
  local pid
  for pid in "${STOPPED[@]}"; do
    wait_until 5 test ! -e "/proc/$pid" || true
  done
}

stop_all() {
  # Reverse start order: clients of a service go before the service.
  cancel_jobs
  local comps comp i
  mapfile -t comps < <(components)
  # sshd first, then slurmds in parallel (each is independent), then the rest in reverse.
  stop_component sshd
  local pid
  for comp in "${comps[@]}"; do
    if [[ "$comp" == slurmd:* ]] && pid="$(live_pid "$comp")"; then
      say "stopping $comp (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      STOPPED+=("$pid")
    fi
  done
  for comp in "${comps[@]}"; do
    if [[ "$comp" == slurmd:* ]]; then stop_component "$comp"; fi
  done
  for ((i = ${#comps[@]} - 1; i >= 0; i--)); do
    comp="${comps[$i]}"
    [[ "$comp" == slurmd:* || "$comp" == sshd ]] && continue
    stop_component "$comp"
  done
  await_reaped
  # The chroot's view of this machine goes with its daemons; the chroot itself is kept.
  [[ -z "$ROOT" ]] || unmount_under "$ROOT"
}

purge() {
  [[ -d "$DIR" ]] || return 0
  # Refuse to rm -rf anything that up.sh did not create.
  [[ -e "$MARKER" ]] || die "$DIR has no $(basename "$MARKER") marker; not removing it"
  [[ -z "$ROOT" ]] || unmount_under "$ROOT"
  say "removing $DIR"
  rm -rf -- "$DIR"
  # Only our key line goes; the user account stays (it may be shared with other tools).
  local ak="$ROOT$SANDBOX_HOME/.ssh/authorized_keys"
  if [[ -f "$ak" ]]; then
    { grep -v ' sortie-sandbox$' "$ak" || true; } >"$ak.tmp" && cat "$ak.tmp" >"$ak" && rm -f "$ak.tmp"
  fi
}

[[ $EUID -eq 0 ]] || die "must run as root"
take_lock
if [[ -d "$DIR" ]]; then
  stop_all
else
  say "no state dir $DIR: nothing to stop"
fi
((PURGE)) && purge
say "sandbox stopped"

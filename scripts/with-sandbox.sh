#!/usr/bin/env bash
# Runs a command with both sandbox SLURM clusters up: 22.05 (this machine's packages) and 24.11
# (Debian 13's, in a chroot made on first use; see docs/SANDBOX.md). Starts each sandbox that
# is not running and stops those it started afterwards; one that was already up
# (`make sandbox`) stays up. Exits with the command's status.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
series=(22.05 24.11)

started=()
stop_sandboxes() {
  local s
  for s in "${started[@]}"; do
    SORTIE_SANDBOX_SLURM=$s bash "$here/sandbox/down.sh" || echo "sandbox/down.sh ($s) failed" >&2
  done
}
trap stop_sandboxes EXIT

for s in "${series[@]}"; do
  if ! SORTIE_SANDBOX_SLURM=$s bash "$here/sandbox/status.sh" --quiet; then
    started+=("$s")
    SORTIE_SANDBOX_SLURM=$s bash "$here/sandbox/up.sh"
  fi
done
"$@"

#!/usr/bin/env bash
# Runs a command with the sandbox SLURM cluster up. Starts the sandbox if it is not running
# and stops it again afterwards; a sandbox that was already up (`make sandbox`) stays up.
# Exits with the command's status.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

started_sandbox=no
stop_sandbox() {
  if [[ $started_sandbox == yes ]]; then bash "$here/sandbox/down.sh" || echo "sandbox/down.sh failed" >&2; fi
}
trap stop_sandbox EXIT

if ! bash "$here/sandbox/status.sh" --quiet; then
  started_sandbox=yes
  bash "$here/sandbox/up.sh"
fi
"$@"

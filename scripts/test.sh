#!/usr/bin/env bash
# `make test`: unit tests, then integration tests against the sandbox SLURM cluster.
# Starts the sandbox if it is not running and stops it again afterwards; a sandbox that
# was already up (`make sandbox`) is left running.
set -euo pipefail
build_dir=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)

started_sandbox=no
stop_sandbox() {
  if [[ $started_sandbox == yes ]]; then bash "$here/sandbox/down.sh" || true; fi
}
trap stop_sandbox EXIT

if ! bash "$here/sandbox/status.sh" --quiet; then
  started_sandbox=yes
  bash "$here/sandbox/up.sh"
fi

cd "$build_dir"
ctest --output-on-failure --timeout 600

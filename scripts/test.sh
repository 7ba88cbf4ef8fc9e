#!/usr/bin/env bash
# `make test`: unit tests, then integration tests against the sandbox SLURM cluster.
set -euo pipefail
build_dir=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$build_dir"
exec bash "$here/scripts/with-sandbox.sh" ctest --output-on-failure --timeout 600

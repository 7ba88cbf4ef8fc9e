#!/usr/bin/env bash
# `make bench`: every bench/*_bench.cpp executable, each printing its figures next to a
# baseline measured in the same run. Needs the sandbox cluster (started and stopped here
# unless it was already running).
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

status=0
for bench in "$build_dir"/*_bench; do
  [[ -x $bench ]] || continue
  echo
  echo "== $(basename "$bench")"
  "$bench" || status=1
done
exit $status

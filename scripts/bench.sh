#!/usr/bin/env bash
# `make bench`: every bench/*_bench.cpp executable, each printing its figures next to a
# baseline measured in the same run. Needs the sandbox cluster.
set -euo pipefail
build_dir=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)

run_all() {
  local status=0
  for bench in "$build_dir"/*_bench; do
    [[ -x $bench ]] || continue
    echo
    echo "== $(basename "$bench")"
    "$bench" || status=1
  done
  return $status
}
# api_bench drives a real `sortie serve` with wrk (Debian package `wrk`).
if ! command -v wrk >/dev/null; then
  echo "wrk is missing; installing it (apt-get install wrk)"
  apt-get install -y -qq wrk >/dev/null || echo "could not install wrk: api_bench will fail"
fi

export -f run_all
export build_dir
exec bash "$here/scripts/with-sandbox.sh" bash -c run_all

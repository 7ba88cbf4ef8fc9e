#!/usr/bin/env bash
# `make test`: unit tests, then integration tests against the sandbox SLURM cluster (ctest),
# the web UI's unit tests (vitest), then the browser test (web/e2e, headless chromium against
# `sortie serve` and the sandbox; screenshots in BUILD_DIR/e2e-artifacts). All run within one
# sandbox lifetime; every part runs even when an earlier one failed.
set -euo pipefail
build_dir=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build_dir" && pwd)

all_tests() {
  local failed=()
  (cd "$build" && ctest --output-on-failure --timeout 600) || failed+=(ctest)
  echo
  echo "== web unit tests"
  (cd "$here/web" && npm test --silent) || failed+=("web unit tests")
  echo
  echo "== web end-to-end test"
  (cd "$here/web" && SORTIE_BIN="$build/sortie" E2E_ARTIFACTS="$build/e2e-artifacts" npm run --silent e2e) ||
    failed+=("web end-to-end test")
  if [[ ${#failed[@]} -gt 0 ]]; then
    echo "test: failed: ${failed[*]}" >&2
    return 1
  fi
}
export -f all_tests
export build here
exec bash "$here/scripts/with-sandbox.sh" bash -c all_tests

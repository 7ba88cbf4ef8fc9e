#!/usr/bin/env bash
# `make build`, the web part: builds web/ into BUILD_DIR/web, where `sortie serve` finds it
# (beside the binary). `npm ci` runs only when web/node_modules is missing or older than
# package-lock.json; the build only when a source is newer than the last build. Quiet unless
# something is done or fails (npm's output is shown then).
set -euo pipefail
build_dir=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build_dir"
out=$(cd "$build_dir" && pwd)/web
stamp=$out.stamp
web=$here/web
log=$(mktemp)
trap 'rm -f "$log"' EXIT

quietly() {
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "web: '$*' failed in $web" >&2
    exit 1
  fi
}

cd "$web"
# npm ci rewrites node_modules/.package-lock.json: it is the record of what is installed.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "web: npm ci"
  quietly npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

sources=(index.html package.json package-lock.json vite.config.ts tsconfig.json
         tailwind.config.js postcss.config.js src public plugins)
if [[ -f $stamp && -f $out/index.html ]] &&
   [[ -z $(find "${sources[@]}" -newer "$stamp" -print -quit) ]]; then
  exit 0
fi
started=$SECONDS
quietly env SORTIE_WEB_OUT="$out" npm run build
touch "$stamp"
echo "web: built $out in $((SECONDS - started)) s"

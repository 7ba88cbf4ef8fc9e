#!/usr/bin/env bash
# `make lint`: clang-tidy (the curated .clang-tidy list, warnings as errors) over sortie's
# own sources. Debian 12's default clang-tidy 14 cannot parse std::expected. clang-tidy-16
# can, given -std=c++2b (it does not know the name c++23) and told that libstdc++'s concepts
# guard holds (clang 16 implements what <expected> needs but reports __cpp_concepts 201907).
set -euo pipefail
build_dir=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

tidy=$(command -v clang-tidy-16 || true)
if [[ -z $tidy ]]; then
  echo "lint: clang-tidy-16 is missing: make deps installs it" >&2
  exit 1
fi
git ls-files 'src/*.cpp' | xargs -P "$(nproc)" -n 4 "$tidy" -p "$build_dir" --quiet \
  --extra-arg=-std=c++2b --extra-arg=-U__cpp_concepts --extra-arg=-D__cpp_concepts=202002L \
  --extra-arg=-Wno-builtin-macro-redefined
echo "lint: clean"

#!/usr/bin/env bash
# Installs the Debian packages sortie needs to build, test and run the sandbox cluster.
# Idempotent and quiet when everything is present.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config make git
  # libraries (each has one home under src/sortie/, see docs/ARCHITECTURE.md)
  libssh-dev libgit2-dev libsqlite3-dev libkainjow-mustache-dev libyaml-cpp-dev
  nlohmann-json3-dev libfmt-dev libcli11-dev libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev
  # the web UI (web/, built with Debian's Node 18 and npm 9)
  nodejs npm
  # tests and benchmarks: the browser tests drive Debian's chromium; wrk loads the HTTP API;
  # examples/tiny-train runs with python3 on the sandbox cluster
  libgtest-dev libgmock-dev libbenchmark-dev chromium wrk python3
  # the sandbox SLURM cluster
  slurm-wlm slurmdbd slurm-client munge mariadb-server libmariadb3 openssh-server
  # the 24.11 sandbox: a Debian 13 chroot (sandbox/up.sh with SORTIE_SANDBOX_SLURM=24.11)
  debootstrap openssh-client
  sudo procps passwd coreutils
  # code checks
  clang-format clang-tidy-16
)

# A Node.js from elsewhere (NodeSource's nodejs bundles npm and conflicts with Debian's npm
# package) counts as present: installing Debian's npm would remove it.
declare -A provided_by_command=([nodejs]=node [npm]=npm)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] && continue
  command=${provided_by_command[$package]:-}
  [[ -n $command ]] && command -v "$command" >/dev/null && continue
  missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then as_root=(sudo); else
    echo "deps: missing packages: ${missing[*]}" >&2
    echo "deps: run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start the machine's own munge/MariaDB/SLURM/sshd: the sandbox
# runs its own copies. policy-rc.d exit 101 tells invoke-rc.d "not now".
policy=/usr/sbin/policy-rc.d
created_policy=no
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee $policy >/dev/null
  "${as_root[@]}" chmod 755 $policy
  created_policy=yes
fi
cleanup() { [[ $created_policy == yes ]] && "${as_root[@]}" rm -f $policy; return 0; }
trap cleanup EXIT

"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"

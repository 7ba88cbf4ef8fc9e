#!/usr/bin/env bash
# Checks the README's promise: on a fresh Debian 12 with only make, git and ca-certificates,
# `make test` installs what is missing, builds and passes. Builds a minbase chroot with
# debootstrap (kept in $ROOT for the next run), clones this repository's HEAD into it, runs
# `make deps`, makes the 24.11 sandbox's chroot and runs the web UI's `npm ci` there (needs the
# Debian mirror and the npm registry),
# then `make test` in its own network and PID
# namespace so its sandbox cluster cannot meet the one on this machine.
# Usage (as root): scripts/fresh-debian-check.sh [ROOT]   (default /var/tmp/fresh-bookworm)
set -euo pipefail
root=${1:-/var/tmp/fresh-bookworm}
repo=$(cd "$(dirname "$0")/.." && pwd)

if [[ ! -x $root/usr/bin/apt-get ]]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"

in_chroot() {
  # Fresh mounts each time, undone when the namespace ends.
  unshare --mount --fork bash -c '
    root=$1; shift
    mount -t proc proc "$root/proc"; mount --rbind /sys "$root/sys"; mount --rbind /dev "$root/dev"
    chroot "$root" bash -c "$*"' _ "$root" "$@"
}

in_chroot 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq make git ca-certificates >/dev/null'
rm -rf "$root/root/sortie"
git clone -q "$repo" "$root/root/sortie"
# The web UI's npm packages too: `make test` below has no network.
# The 24.11 sandbox's Debian 13 chroot too (debootstrap needs the mirror).
in_chroot 'cd /root/sortie && make deps && SORTIE_SANDBOX_SLURM=24.11 bash sandbox/up.sh --prepare && cd web && npm ci --no-audit --no-fund --loglevel=error'

# No network inside: only loopback, plus one link-local address on a veth pair that no
# traffic uses (SLURM's daemons resolve their listening address with AI_ADDRCONFIG, which
# wants a non-loopback IPv4 address to exist).
unshare --net --pid --mount --fork bash -c '
  root=$1
  mount -t proc proc "$root/proc"; mount --rbind /sys "$root/sys"; mount --rbind /dev "$root/dev"
  ip link set lo up
  ip link add veth0 type veth peer name veth1
  ip addr add 169.254.77.1/32 dev veth0
  ip link set veth0 up; ip link set veth1 up
  chroot "$root" bash -c "cd /root/sortie && time make test"' _ "$root"

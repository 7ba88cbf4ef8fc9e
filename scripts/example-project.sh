#!/usr/bin/env bash
# Makes a copy of examples/tiny-train that sortie can register and the sandbox cluster can
# run: its own Git repository at WORKTREE, committed, with a bare repository REMOTE as
# `origin` (pushed). Jobs on the sandbox clone from REMOTE as the cluster user `researcher`,
# so REMOTE must be readable by that user and owned by it (git refuses to read repositories
# of other owners). Does nothing when WORKTREE is already a Git repository.
# Usage: scripts/example-project.sh WORKTREE REMOTE
set -euo pipefail
worktree=$1
remote=$2
here=$(cd "$(dirname "$0")/.." && pwd)
cluster_user=${SORTIE_SANDBOX_USER:-researcher}

[[ -d $worktree/.git ]] && exit 0

git_quiet() { git -c init.defaultBranch=main -c user.name=sortie -c user.email=sortie@localhost "$@"; }

mkdir -p "$(dirname "$remote")"
chmod 755 "$(dirname "$remote")"
rm -rf "$remote"
git_quiet init -q --bare "$remote"

mkdir -p "$worktree"
cp -R "$here/examples/tiny-train/." "$worktree/"
git_quiet -C "$worktree" init -q
git_quiet -C "$worktree" add -A
git_quiet -C "$worktree" commit -q -m "tiny-train, copied from sortie's examples/"
git_quiet -C "$worktree" remote add origin "$remote"
git_quiet -C "$worktree" push -q -u origin main

chmod -R a+rX "$remote"
if id "$cluster_user" >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
  chown -R "$cluster_user" "$remote"
  # Later pushes come from this user into a repository owned by the cluster user.
  git config --global --get-all safe.directory 2>/dev/null | grep -qxF "$remote" ||
    git config --global --add safe.directory "$remote"
fi

#!/usr/bin/env bash
# `make run`: when no cluster is configured, bring up the sandbox cluster and point sortie
# at it; then show the clusters and their GPUs as sortie sees them.
set -euo pipefail
sortie=${1:-build/sortie}
here=$(cd "$(dirname "$0")/.." && pwd)
config=${SORTIE_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/sortie/clusters.yaml}
sandbox_dir=${SORTIE_SANDBOX_DIR:-/var/tmp/sortie-sandbox}

if [[ ! -f $config ]]; then
  echo "run: no cluster configured in $config: starting the sandbox cluster"
  bash "$here/sandbox/up.sh"
  config=$sandbox_dir/clusters.yaml
fi

echo
echo "\$ sortie --config $config clusters list"
"$sortie" --config "$config" clusters list
for cluster in $("$sortie" --config "$config" clusters list --names); do
  echo
  echo "\$ sortie --config $config gpus $cluster"
  "$sortie" --config "$config" gpus "$cluster"
done
echo
echo "sortie is built at $sortie. Try: $sortie --config $config --help"

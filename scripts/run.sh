#!/usr/bin/env bash
# `make run`: when no cluster is configured, bring up the sandbox cluster, point sortie at it
# and register a copy of examples/tiny-train as a project; show the clusters and their GPUs;
# then run `sortie serve` in the foreground (Ctrl-C stops it), with the web UI at
# http://127.0.0.1:8028 (SORTIE_LISTEN to change); it prints the sign-in link
# (http://127.0.0.1:8028/?token=...) to open.
set -euo pipefail
sortie=${1:-build/sortie}
here=$(cd "$(dirname "$0")/.." && pwd)
config=${SORTIE_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/sortie/clusters.yaml}
sandbox_dir=${SORTIE_SANDBOX_DIR:-/var/tmp/sortie-sandbox}
listen=${SORTIE_LISTEN:-127.0.0.1:8028}
# Beside sortie's default database (~/.local/share/sortie/sortie.db).
data_dir=$HOME/.local/share/sortie

sandbox=no
if [[ ! -f $config ]]; then
  echo "run: no cluster configured in $config: using the sandbox cluster"
  # up.sh on a running sandbox waits for busy nodes to become idle: only start a stopped one.
  bash "$here/sandbox/status.sh" --quiet || bash "$here/sandbox/up.sh"
  config=$sandbox_dir/clusters.yaml
  sandbox=yes
fi

echo
echo "\$ sortie --config $config clusters list"
"$sortie" --config "$config" clusters list
for cluster in $("$sortie" --config "$config" clusters list --names); do
  echo
  echo "\$ sortie --config $config gpus $cluster"
  "$sortie" --config "$config" gpus "$cluster"
done

# A project to launch right away. Only on the sandbox: its jobs clone from a bare repository
# on this machine, which a real cluster cannot reach. examples/ itself is not registered: a
# fresh clone of sortie may have no remote, and sortie's jobs clone a project's remote.
if [[ $sandbox == yes ]] && ! "$sortie" --config "$config" projects show tiny-train >/dev/null 2>&1; then
  example=$data_dir/examples/tiny-train
  bash "$here/scripts/example-project.sh" "$example" "/var/tmp/sortie-examples-$(id -un)/tiny-train.git"
  echo
  echo "\$ sortie --config $config projects add $example --name tiny-train --entry 'python3 train.py' --default-cluster sandbox"
  "$sortie" --config "$config" projects add "$example" --name tiny-train --entry 'python3 train.py' \
    --default-cluster sandbox
fi

echo
echo "run: open the sign-in link sortie serve prints below (http://$listen/?token=...) in a browser (Ctrl-C stops sortie serve)"
[[ $sandbox == yes ]] && echo "run: launch tiny-train from the dashboard; \`+step_seconds=2\` as arguments makes it run slowly enough to watch"
exec "$sortie" --config "$config" serve --listen "$listen"

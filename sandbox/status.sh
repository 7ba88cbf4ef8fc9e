#!/usr/bin/env bash
# Prints which sandbox components run. Exit 0 if all do, 3 if any is down.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=sandbox/lib.sh
. "$HERE/lib.sh"

down=0
printf 'sandbox state dir: %s%s\n' "$DIR" "$([[ -d "$DIR" ]] || echo ' (missing)')"
while read -r comp; do
  if pid="$(live_pid "$comp")"; then
    printf '  %-16s running  pid %s\n' "$comp" "$pid"
  else
    printf '  %-16s stopped\n' "$comp"
    down=1
  fi
done < <(components)

# Node states are only known while slurmctld answers.
if live_pid slurmctld >/dev/null; then
  echo "nodes:"
  { sinfo -h -N -o '%N %T' 2>/dev/null || true; } | sort -u | sed 's/^/  /'
fi
((down == 0)) || exit 3

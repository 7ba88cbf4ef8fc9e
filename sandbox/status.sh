#!/usr/bin/env bash
# Prints which sandbox components run. Exit 0 if all do, 3 if any is down.
# --quiet: print nothing, only the exit status (scripts/test.sh asks this way).
set -euo pipefail

quiet=no
[[ ${1:-} == --quiet ]] && quiet=yes

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=sandbox/lib.sh
. "$HERE/lib.sh"

down=0
if [[ $quiet == yes ]]; then
  while read -r comp; do live_pid "$comp" >/dev/null || down=1; done < <(components)
  ((down == 0)) || exit 3
  exit 0
fi
printf 'sandbox (SLURM %s) state dir: %s%s\n' "$SLURM_SERIES" "$DIR" "$([[ -d "$DIR" ]] || echo ' (missing)')"
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
  { in_root sinfo -h -N -o '%N %T' 2>/dev/null || true; } | sort -u | sed 's/^/  /'
fi
((down == 0)) || exit 3

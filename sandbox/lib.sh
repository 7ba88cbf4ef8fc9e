# shellcheck shell=bash disable=SC2034  # variables are used by the scripts that source this
# Shared by up.sh, down.sh and status.sh: paths, ports and process helpers.
# Sourced, not run. Everything the sandbox owns lives under $DIR.

# Two sandboxes can run side by side (docs/SANDBOX.md): SORTIE_SANDBOX_SLURM picks one.
#   22.05  this machine's own Debian 12 packages, state in $SORTIE_SANDBOX_DIR;
#   24.11  Debian 13's packages in a debootstrap chroot ($ROOT, made once and kept), state in
#          $SORTIE_SANDBOX_DIR-24.11, bind-mounted at the same path inside the chroot so that
#          every path means the same inside and out.
SLURM_SERIES="${SORTIE_SANDBOX_SLURM:-22.05}"
BASE_DIR="${SORTIE_SANDBOX_DIR:-/var/tmp/sortie-sandbox}"
BASE_DIR="${BASE_DIR%/}"
case "$SLURM_SERIES" in
  22.05)
    DIR="$BASE_DIR"
    ROOT=""
    PORT_OFFSET=0
    ;;
  24.11)
    DIR="$BASE_DIR-24.11"
    ROOT="${SORTIE_SANDBOX_ROOTFS:-/var/tmp/sortie-rootfs-trixie}"
    ROOT="${ROOT%/}"
    PORT_OFFSET=1000
    ;;
  *)
    printf '%s: ERROR: SORTIE_SANDBOX_SLURM=%s: expected 22.05 or 24.11\n' "${0##*/}" "$SLURM_SERIES" >&2
    exit 1
    ;;
esac

# Fixed ports so tests can hard-code them (see docs/SANDBOX.md); the 24.11 sandbox's are
# 1000 higher.
MARIADB_PORT=$((46806 + PORT_OFFSET))
SLURMCTLD_PORT=$((46817 + PORT_OFFSET))
SLURMDBD_PORT=$((46819 + PORT_OFFSET))
SSHD_PORT=$((46822 + PORT_OFFSET))
SLURMD_BASE_PORT=$((46901 + PORT_OFFSET))

# Folders the tests share with the cluster user (bare Git remotes): bind-mounted into the
# chroot at the same path.
SHARED_DIRS=(/var/tmp/sortie-test-remotes)

# The login shell of the 24.11 sandbox's user runs in another time zone than this machine
# (UTC here): squeue and sacct print local times in the zone of the process that runs them.
CLUSTER_TZ=""
[[ -n "$ROOT" ]] && CLUSTER_TZ=America/New_York

CLUSTER=sandbox
SANDBOX_USER=researcher
SANDBOX_HOME=/home/researcher

# name:gpu-type:gpu-count:cpus  (empty type = untyped GRES); slurmd ports follow this order.
NODES=(
  "a100-1:a100:4:16"
  "h100-1:h100:8:32"
  "h100-2:h100:8:32"
  "l40-1:l40:2:8"
  "gpu-1::2:8"
)

ETC="$DIR/etc"
RUN="$DIR/run"
LOGDIR="$DIR/log"
SPOOL="$DIR/spool"
SSHDIR="$DIR/ssh"
MUNGE_SOCKET="$RUN/munge/munge.socket.2"
MARIADB_SOCKET="$RUN/mariadb.sock"
MARKER="$DIR/.sortie-sandbox"

export SLURM_CONF="$ETC/slurm.conf"

# Runs a command where this sandbox's SLURM lives: in the chroot for 24.11, here for 22.05.
# The environment (SLURM_CONF) goes along.
CHROOT=()
[[ -n "$ROOT" ]] && CHROOT=(chroot "$ROOT")
in_root() { "${CHROOT[@]}" "$@"; }

# Serialises up.sh/down.sh runs (parallel test runs may call them at once). Beside, not
# inside, $DIR so that --purge cannot pull it from under a waiting run.
take_lock() {
  mkdir -p "$(dirname "$DIR")"
  exec 9>>"$DIR.lock"
  flock -w 300 9 || die "another up.sh/down.sh holds $DIR.lock for 5 minutes"
}

say() { printf '%s: %s\n' "${0##*/}" "$*"; }
die() { printf '%s: ERROR: %s\n' "${0##*/}" "$*" >&2; exit 1; }

node_names() { local n; for n in "${NODES[@]}"; do printf '%s\n' "${n%%:*}"; done; }

# Components in start order; slurmd:NAME is one per node.
components() {
  printf '%s\n' munged mariadbd slurmdbd slurmctld
  node_names | sed 's/^/slurmd:/'
  printf '%s\n' sshd
}

pidfile_of() {
  case "$1" in
    slurmd:*) printf '%s/slurmd-%s.pid' "$RUN" "${1#slurmd:}" ;;
    *) printf '%s/%s.pid' "$RUN" "$1" ;;
  esac
}

logfile_of() {
  case "$1" in
    slurmd:*) printf '%s/slurmd-%s.log' "$LOGDIR" "${1#slurmd:}" ;;
    *) printf '%s/%s.log' "$LOGDIR" "$1" ;;
  esac
}

program_of() { printf '%s' "${1%%:*}"; }

# Prints the pid of a component if its pid file names a live process that is that
# program AND belongs to this sandbox (its command line or environment mentions $DIR),
# so a recycled pid or the machine's own daemon is never touched.
live_pid() {
  local comp="$1" pidfile pid comm
  pidfile="$(pidfile_of "$comp")"
  [[ -r "$pidfile" ]] || return 1
  pid="$(tr -dc '0-9' <"$pidfile")"
  [[ -n "$pid" ]] && pid_alive "$pid" || return 1
  comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  [[ "$comm" == "$(program_of "$comp")" ]] || return 1
  # NUL-separated argv/env as newline-separated text (read whole: no grep -q, no SIGPIPE).
  local args env
  args=$'\n'"$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)"$'\n'
  env=$'\n'"$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null)"$'\n'
  # "$DIR/": the 22.05 sandbox's dir is a prefix of the 24.11 one's.
  [[ "$args" == *"$DIR/"* || "$env" == *$'\n'"SLURM_CONF=$SLURM_CONF"$'\n'* ]] || return 1
  # slurmd -N NAME: make sure it is the slurmd of this node.
  if [[ "$comp" == slurmd:* && "$args" != *$'\n'"${comp#slurmd:}"$'\n'* ]]; then
    return 1
  fi
  printf '%s' "$pid"
}

# Unmounts every mount at or below $1, deepest first (the chroot's binds; --rbind /dev holds
# submounts). Nothing mounted there is not an error.
unmount_under() {
  local target="$1" mounts
  mounts="$(awk -v t="$target" '$5 == t || index($5, t "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)"
  [[ -n "$mounts" ]] || return 0
  local m
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" || say "warning: could not unmount $m"
  done <<<"$mounts"
}

# append_section FILE LABEL CMD...: runs CMD and appends to FILE its stdout, stderr and exit
# status under "$ LABEL" (the layout of the captures that hold errors, see
# tests/data/slurm/README.md). The exit status is left in SECTION_RC.
append_section() {
  local file="$1" label="$2"; shift 2
  local out err errfile
  errfile="$(mktemp)"
  set +e
  out="$("$@" 2>"$errfile")"; SECTION_RC=$?
  set -e
  err="$(cat "$errfile")"; rm -f "$errfile"
  {
    printf '$ %s\n' "$label"
    printf -- '--- stdout ---\n'; [[ -z "$out" ]] || printf '%s\n' "$out"
    printf -- '--- stderr ---\n'; [[ -z "$err" ]] || printf '%s\n' "$err"
    printf -- '--- exit code: %s ---\n' "$SECTION_RC"
  } >>"$file"
}

# True while pid $1 exists and is not a zombie (PID 1 here may be slow to reap).
pid_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

pid_gone() { ! pid_alive "$1"; }

# Polls a command until it succeeds or $1 seconds pass.
wait_until() {
  local timeout="$1"; shift
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# Names the component, shows the end of its log and exits non-zero.
fail_component() {
  local comp="$1" why="$2" log
  log="$(logfile_of "$comp")"
  printf '%s: ERROR: %s %s\n' "${0##*/}" "$comp" "$why" >&2
  if [[ -s "$log" ]]; then
    printf -- '--- last lines of %s ---\n' "$log" >&2
    tail -n 25 "$log" >&2
    printf -- '---\n' >&2
  fi
  exit 1
}

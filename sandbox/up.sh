#!/usr/bin/env bash
# Brings up a real SLURM cluster on this machine (munged, MariaDB, slurmdbd, slurmctld,
# five slurmd "nodes" with fake GPUs, and an sshd for the user "researcher").
# SORTIE_SANDBOX_SLURM=22.05 (the default) uses this machine's Debian 12 packages, with
# everything under ${SORTIE_SANDBOX_DIR:-/var/tmp/sortie-sandbox}; SORTIE_SANDBOX_SLURM=24.11
# runs Debian 13's packages in a debootstrap chroot that this script makes once and keeps
# (see lib.sh). The machine's own /etc/slurm, munge and MariaDB are left alone. Safe to run
# again: live parts are kept. See docs/SANDBOX.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=sandbox/lib.sh
. "$HERE/lib.sh"

START=$SECONDS
declare -A CHANGED=()   # component -> 1 when a config file it reads was rewritten

check_prereqs() {
  local bin
  for bin in ssh ssh-keygen setsid runuser flock; do
    command -v "$bin" >/dev/null || die "missing $bin (apt-get install openssh-client util-linux)"
  done
  for bin in munged mungekey mariadbd mariadb-install-db mariadb slurmdbd slurmctld slurmd \
             sacctmgr sinfo /usr/sbin/sshd; do
    in_root bash -c "command -v $bin" >/dev/null ||
      die "missing $bin${ROOT:+ in $ROOT} (apt-get install slurm-wlm slurmdbd munge mariadb-server openssh-server)"
  done
}

# What the 24.11 chroot holds besides debootstrap's minimal base: SLURM and its services, and
# what jobs run (python3 for the example project, git for git-mode code delivery).
ROOTFS_PACKAGES=(slurm-wlm slurmdbd slurm-client munge mariadb-server openssh-server python3 git
                 procps passwd tzdata ca-certificates)
ROOTFS_SUITE=trixie

# The Debian mirror this machine's apt uses (the chroot must reach the same registry).
debian_mirror() {
  local uri
  uri="$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    grep -vE 'security|updates' | grep -oE 'https?://[^ ]+/debian/?' | head -n 1 || true)"
  [[ -n "$uri" ]] || die "cannot tell this machine's Debian mirror from /etc/apt; set SORTIE_DEBIAN_MIRROR"
  printf '%s' "${uri%/}"
}

# Makes the Debian 13 chroot once (debootstrap, then apt-get inside it) and keeps it: later
# runs reuse it. debootstrap works under a temporary name that is renamed when complete, and
# the installed package list is recorded last, so an interrupted run leaves nothing that
# looks ready; a changed package list installs again.
ensure_rootfs() {
  [[ -n "$ROOT" ]] || return 0
  local ready="$ROOT/.sortie-rootfs" want="$ROOTFS_SUITE ${ROOTFS_PACKAGES[*]}"
  if [[ -f "$ready" && "$(cat "$ready")" == "$want" ]]; then return 0; fi
  command -v debootstrap >/dev/null || die "missing debootstrap (apt-get install debootstrap)"
  local mirror tmp="$ROOT.tmp" start=$SECONDS
  mirror="${SORTIE_DEBIAN_MIRROR:-$(debian_mirror)}"
  if [[ ! -d "$ROOT" ]]; then
    unmount_under "$tmp"
    rm -rf --one-file-system -- "$tmp"
    say "making the Debian 13 chroot $ROOT (debootstrap $ROOTFS_SUITE; once, then kept)"
    debootstrap --variant=minbase "$ROOTFS_SUITE" "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
      { tail -n 20 "$tmp.log" >&2; die "debootstrap $ROOTFS_SUITE failed (log: $tmp.log)"; }
    mv "$tmp" "$ROOT"
  fi
  say "installing ${ROOTFS_PACKAGES[*]} in $ROOT"
  # Package scripts must not start services inside the chroot: this script starts its own.
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive bash -c \
    "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${ROOTFS_PACKAGES[*]}" \
    >"$ROOT.apt.log" 2>&1 ||
    { tail -n 20 "$ROOT.apt.log" >&2; die "apt-get in $ROOT failed (log: $ROOT.apt.log)"; }
  chroot "$ROOT" apt-get clean
  printf '%s\n' "$want" >"$ready"
  say "chroot ready in $((SECONDS - start)) s: slurm-wlm $(chroot "$ROOT" dpkg-query -W -f '${Version}' slurm-wlm)"
}

# The chroot sees /proc, /dev and /sys of this machine, and the state dir and the folders
# shared with tests at the same paths as here. Idempotent.
mount_binds() {
  [[ -n "$ROOT" ]] || return 0
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  mountpoint -q "$ROOT/dev" || mount --rbind /dev "$ROOT/dev"
  mountpoint -q "$ROOT/sys" || mount --rbind /sys "$ROOT/sys"
  local dir
  for dir in "$DIR" "${SHARED_DIRS[@]}"; do
    mkdir -p "$dir" "$ROOT$dir"
    chmod 755 "$dir"
    mountpoint -q "$ROOT$dir" || mount --bind "$dir" "$ROOT$dir"
  done
  # sshd's privilege-separation dir, and a name for 127.0.0.1.
  mkdir -p "$ROOT/run/sshd" && chmod 755 "$ROOT/run/sshd"
  grep -qw localhost "$ROOT/etc/hosts" 2>/dev/null || echo "127.0.0.1 localhost" >>"$ROOT/etc/hosts"
}

make_dirs() {
  # 755 all the way: researcher must reach slurm.conf and the munge socket.
  mkdir -p "$DIR" "$ETC" "$RUN/munge" "$LOGDIR" "$SPOOL/slurmctld" "$SSHDIR" "$DIR/mysql" "$DIR/dev"
  touch "$MARKER"
  chmod 755 "$DIR" "$ETC" "$RUN" "$RUN/munge" "$LOGDIR" "$SPOOL" "$SSHDIR" "$DIR/dev"
  local n
  for n in $(node_names); do mkdir -p "$SPOOL/slurmd-$n"; done
  mkdir -p /run/sshd && chmod 755 /run/sshd   # sshd's privilege-separation dir
}

# Our fixed ports lie inside Linux's ephemeral range (32768-60999): an outgoing connection
# may grab one and a daemon then fails to bind. Reserve them (added to any existing list).
reserve_ports() {
  local f=/proc/sys/net/ipv4/ip_local_reserved_ports cur want
  want="$MARIADB_PORT,$SLURMCTLD_PORT,$SLURMDBD_PORT,$SSHD_PORT,$SLURMD_BASE_PORT-$((SLURMD_BASE_PORT + ${#NODES[@]} - 1))"
  cur="$(cat "$f" 2>/dev/null)" || return 0
  [[ ",$cur," == *",$want,"* || "$cur" == *"$want"* ]] && return 0
  echo "${cur:+$cur,}$want" >"$f" 2>/dev/null ||
    say "warning: could not reserve ports in $f (a daemon may find its port taken)"
}

# Writes stdin to $1 (mode $2) only if the content differs; marks components $3.. changed.
write_file() {
  local path="$1" mode="$2"; shift 2
  local tmp; tmp="$(mktemp "$path.XXXXXX")"
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -f "$path" ]] && cmp -s "$tmp" "$path"; then
    rm -f "$tmp"
    chmod "$mode" "$path"
    return 0
  fi
  mv -f "$tmp" "$path"
  local c; for c in "$@"; do CHANGED[$c]=1; done
}

slurmd_comps() { node_names | sed 's/^/slurmd:/'; }

# What differs between the two sandboxes' slurm.conf. The 24.11 one behaves like a real
# cluster: jobs stay in squeue for SLURM's default MinJobAge (300 s) after they end, users see
# only their own jobs (PrivateData=jobs), and the controller rate-limits each user's calls
# (rl_enable; root and SlurmUser are exempt). The 22.05 one forgets ended jobs after 10 s.
slurm_conf_series_lines() {
  if [[ -n "$ROOT" ]]; then
    echo "# Like a real cluster: SLURM's default MinJobAge (300), private jobs, per-user rate limits."
    echo "PrivateData=jobs"
    echo "SlurmctldParameters=rl_enable,rl_bucket_size=${SORTIE_SANDBOX_RL_BUCKET:-60},rl_refill_rate=${SORTIE_SANDBOX_RL_REFILL:-20},rl_refill_period=1"
  else
    echo "# Short: ended jobs leave squeue quickly."
    echo "MinJobAge=10"
  fi
}

gen_slurm_conf() {
  local port=$SLURMD_BASE_PORT spec name type count cpus gres
  {
    cat <<EOF
# Generated by sortie sandbox/up.sh; rewritten on every run.
ClusterName=$CLUSTER
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$SLURMCTLD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$SPOOL/slurmctld
SlurmdSpoolDir=$SPOOL/slurmd-%n
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd-%n.pid
SlurmctldLogFile=$LOGDIR/slurmctld.log
SlurmdLogFile=$LOGDIR/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$SLURMDBD_PORT
# Talking to slurmdbd authenticates through this munge socket, not AuthInfo's.
AccountingStoragePass=$MUNGE_SOCKET
AccountingStorageTRES=gres/gpu,gres/gpu:a100,gres/gpu:h100,gres/gpu:l40
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Nodes claim the CPUs/memory written here, not what this machine has.
SlurmdParameters=config_overrides
GresTypes=gpu
# Without a default, CR_Core_Memory hands a job the whole node's memory.
DefMemPerCPU=1000
SchedulerType=sched/backfill
# Schedule right away and often: tests should not wait for the scheduler.
SchedulerParameters=batch_sched_delay=0,sched_interval=2,bf_interval=1,default_queue_depth=200
PriorityType=priority/basic
$(slurm_conf_series_lines)
# Short timeouts keep tests fast.
KillWait=2
MessageTimeout=10
SlurmctldTimeout=10
SlurmdTimeout=30
InactiveLimit=0
Waittime=0
ReturnToService=2
EOF
    echo
    for spec in "${NODES[@]}"; do
      IFS=: read -r name type count cpus <<<"$spec"
      gres="gpu:${type:+$type:}$count"
      echo "NodeName=$name NodeHostname=localhost NodeAddr=127.0.0.1 Port=$port CPUs=$cpus Sockets=2 CoresPerSocket=$((cpus / 2)) ThreadsPerCore=1 RealMemory=256000 Gres=$gres State=UNKNOWN"
      port=$((port + 1))
    done
    cat <<EOF

PartitionName=gpu Nodes=ALL Default=YES DefaultTime=01:00:00 MaxTime=1-00:00:00 State=UP
PartitionName=debug Nodes=a100-1,l40-1,gpu-1 DefaultTime=00:10:00 MaxTime=00:30:00 State=UP
PartitionName=long Nodes=h100-1,h100-2 DefaultTime=1-00:00:00 MaxTime=7-00:00:00 State=UP
EOF
  }
}

write_slurm_conf() {
  local comps; mapfile -t comps < <(slurmd_comps)
  # Process substitution, not a pipe: write_file must run in this shell to set CHANGED.
  write_file "$ETC/slurm.conf" 644 slurmctld "${comps[@]}" < <(gen_slurm_conf)
}

# Fake GPUs. Each "device" is a character node aliasing /dev/null (1,3): slurmd only sets
# CUDA_VISIBLE_DEVICES for char/block devices, and opening one is harmless. Where mknod is
# not allowed a plain file is used (GPUs still count, but jobs get no CUDA_VISIBLE_DEVICES).
make_fake_gpu() {
  local path="$1"
  [[ -c "$path" ]] && return 0
  rm -f "$path"
  mknod -m 666 "$path" c 1 3 2>/dev/null || touch "$path"
}

gen_gres_conf() {
  local spec name type count cpus i
  {
    echo "# Generated by sortie sandbox/up.sh; GPUs are fake device nodes under $DIR/dev."
    echo "AutoDetect=off"
    for spec in "${NODES[@]}"; do
      IFS=: read -r name type count cpus <<<"$spec"
      mkdir -p "$DIR/dev/$name"
      for ((i = 0; i < count; i++)); do make_fake_gpu "$DIR/dev/$name/nvidia$i"; done
      echo "NodeName=$name Name=gpu${type:+ Type=$type} File=$DIR/dev/$name/nvidia[0-$((count - 1))]"
    done
  }
}

write_gres_conf() {
  local comps; mapfile -t comps < <(slurmd_comps)
  write_file "$ETC/gres.conf" 644 "${comps[@]}" < <(gen_gres_conf)
}

write_slurmdbd_conf() {
  # Mode 600, owned by SlurmUser (root): slurmdbd refuses anything looser.
  write_file "$ETC/slurmdbd.conf" 600 slurmdbd <<EOF
# Generated by sortie sandbox/up.sh
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$SLURMDBD_PORT
SlurmUser=root
PidFile=$RUN/slurmdbd.pid
LogFile=$LOGDIR/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$MARIADB_PORT
StorageUser=slurm
StoragePass=sandbox
StorageLoc=slurm_acct_db
EOF
  chown root:root "$ETC/slurmdbd.conf"
}

write_sshd_config() {
  write_file "$SSHDIR/sshd_config" 644 sshd <<EOF
# Generated by sortie sandbox/up.sh: loopback only, key logins for $SANDBOX_USER only.
ListenAddress 127.0.0.1:$SSHD_PORT
HostKey $SSHDIR/ssh_host_ed25519_key
PidFile $RUN/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin no
AllowUsers $SANDBOX_USER
AllowTcpForwarding yes
PermitOpen any
UseDNS no
PrintMotd no
PrintLastLog no
# Tests open many sessions at once.
MaxStartups 100:30:200
MaxSessions 100
# Every channel (exec, shell, subsystem) sees the sandbox's slurm.conf.
SetEnv SLURM_CONF=$ETC/slurm.conf
Subsystem sftp internal-sftp
EOF
}

write_munge_key() {
  [[ -s "$ETC/munge.key" ]] || in_root mungekey --create --keyfile="$ETC/munge.key" >/dev/null
  chown root:root "$ETC/munge.key"
  chmod 600 "$ETC/munge.key"
}

ensure_user() {
  if ! id "$SANDBOX_USER" >/dev/null 2>&1; then
    say "creating user $SANDBOX_USER"
    useradd --create-home --home-dir "$SANDBOX_HOME" --shell /bin/bash "$SANDBOX_USER"
  fi
  if [[ -n "$ROOT" ]]; then
    ensure_chroot_user
    return 0
  fi
  # '*' instead of useradd's '!': with UsePAM no, sshd refuses "locked" accounts.
  [[ "$(getent shadow "$SANDBOX_USER" | cut -d: -f2)" == "*" ]] || usermod -p '*' "$SANDBOX_USER"
  local group; group="$(id -gn "$SANDBOX_USER")"
  mkdir -p "$SANDBOX_HOME/.ssh"
  chown "$SANDBOX_USER:$group" "$SANDBOX_HOME" "$SANDBOX_HOME/.ssh"
  chmod 755 "$SANDBOX_HOME"   # StrictModes: not group/world writable
  chmod 700 "$SANDBOX_HOME/.ssh"
  # Like a cluster's module setup: login and non-login shells know SLURM_CONF.
  local rc line="export SLURM_CONF=$ETC/slurm.conf  # sortie-sandbox"
  for rc in .bashrc .profile; do
    local f="$SANDBOX_HOME/$rc"
    touch "$f"
    if ! grep -qxF "$line" "$f"; then
      # Prepend: Debian's .bashrc returns early for non-interactive shells.
      { echo "$line"; grep -v '# sortie-sandbox$' "$f" || true; } >"$f.tmp"
      mv -f "$f.tmp" "$f"
    fi
    chown "$SANDBOX_USER:$group" "$f"
  done
}

# The chroot's own account with this machine's uid and gid, so that files the tests chown to
# the user here (bare remotes in SHARED_DIRS) belong to it in there too. Its login shell runs
# in CLUSTER_TZ.
ensure_chroot_user() {
  local uid gid group
  uid="$(id -u "$SANDBOX_USER")"; gid="$(id -g "$SANDBOX_USER")"; group="$(id -gn "$SANDBOX_USER")"
  chroot "$ROOT" getent group "$gid" >/dev/null || chroot "$ROOT" groupadd -g "$gid" "$group"
  if ! chroot "$ROOT" id "$SANDBOX_USER" >/dev/null 2>&1; then
    say "creating user $SANDBOX_USER (uid $uid) in $ROOT"
    chroot "$ROOT" useradd --uid "$uid" --gid "$gid" --create-home --home-dir "$SANDBOX_HOME" \
      --shell /bin/bash "$SANDBOX_USER"
  fi
  [[ "$(chroot "$ROOT" getent shadow "$SANDBOX_USER" | cut -d: -f2)" == "*" ]] ||
    chroot "$ROOT" usermod -p '*' "$SANDBOX_USER"
  local home="$ROOT$SANDBOX_HOME"
  mkdir -p "$home/.ssh"
  chown "$uid:$gid" "$home" "$home/.ssh"
  chmod 755 "$home"
  chmod 700 "$home/.ssh"
  local rc lines
  lines="export SLURM_CONF=$ETC/slurm.conf  # sortie-sandbox"$'\n'"export TZ=$CLUSTER_TZ  # sortie-sandbox"
  for rc in .bashrc .profile; do
    local f="$home/$rc"
    touch "$f"
    # Prepend: Debian's .bashrc returns early for non-interactive shells.
    { echo "$lines"; grep -v '# sortie-sandbox$' "$f" || true; } >"$f.tmp"
    mv -f "$f.tmp" "$f"
    chown "$uid:$gid" "$f"
  done
}

ensure_ssh_keys() {
  [[ -s "$SSHDIR/ssh_host_ed25519_key" ]] ||
    ssh-keygen -q -t ed25519 -N '' -C "sortie-sandbox-host" -f "$SSHDIR/ssh_host_ed25519_key"
  [[ -s "$SSHDIR/id_ed25519" ]] ||
    ssh-keygen -q -t ed25519 -N '' -C "sortie-sandbox" -f "$SSHDIR/id_ed25519"
  chmod 600 "$SSHDIR/ssh_host_ed25519_key" "$SSHDIR/id_ed25519"
  local hostkey; hostkey="$(cut -d' ' -f1,2 "$SSHDIR/ssh_host_ed25519_key.pub")"
  # The localhost line lets OpenSSH's ProxyJump hop through the sandbox to itself
  # (ssh refuses a jump host equal to the target as a "jumphost loop").
  write_file "$SSHDIR/known_hosts" 644 <<EOF
[127.0.0.1]:$SSHD_PORT $hostkey
[localhost]:$SSHD_PORT $hostkey
EOF
  # For hand use: ssh -F $SSHDIR/config sandbox
  write_file "$SSHDIR/config" 644 <<EOF
Host sandbox
  HostName 127.0.0.1
  Port $SSHD_PORT
  User $SANDBOX_USER
  IdentityFile $SSHDIR/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $SSHDIR/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
EOF
  # Replace only our own line in authorized_keys (comment "sortie-sandbox").
  local ak="$ROOT$SANDBOX_HOME/.ssh/authorized_keys" group
  group="$(id -gn "$SANDBOX_USER")"
  touch "$ak"
  { grep -v ' sortie-sandbox$' "$ak" || true; cat "$SSHDIR/id_ed25519.pub"; } >"$ak.tmp"
  mv -f "$ak.tmp" "$ak"
  chown "$SANDBOX_USER:$group" "$ak"
  chmod 600 "$ak"
}

write_client_files() {
  write_file "$DIR/clusters.yaml" 644 <<EOF
clusters:
  - name: $CLUSTER
    host: $SANDBOX_USER@127.0.0.1
    port: $SSHD_PORT
    ssh_key_path: $SSHDIR/id_ed25519
    known_hosts: $SSHDIR/known_hosts
    workspace: $SANDBOX_HOME/sortie
EOF
  # SLURM's commands as the cluster's admin (root), wherever this sandbox's SLURM lives: the
  # tests run squeue, scontrol and sacct through it.
  mkdir -p "$DIR/bin"
  write_file "$DIR/bin/admin" 755 <<EOF
#!/bin/sh
# Generated by sortie sandbox/up.sh: runs a command as this sandbox's SLURM admin.
export SLURM_CONF=$ETC/slurm.conf
exec ${CHROOT[*]} "\$@"
EOF
  write_file "$DIR/env.sh" 644 <<EOF
# Source me as root to use the sandbox cluster: . $DIR/env.sh; sinfo
export SLURM_CONF=$ETC/slurm.conf
export SORTIE_SANDBOX_DIR=$DIR
EOF
}

# Closes every fd above 2 in the current (sub)shell: daemons must not hold our lock (fd 9)
# or a pipe of whoever called up.sh (a test runner would wait for EOF forever).
close_fds() {
  local fd
  for fd in "/proc/$BASHPID/fd/"*; do
    fd="${fd##*/}"
    if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

# Runs a command detached from this shell: own session (a Ctrl-C of the caller does not
# reach it), stdio to its log, no other inherited fds.
detach() {
  local log="$1"; shift
  ( close_fds; exec setsid "$@" ) </dev/null >>"$log" 2>&1
}

# Starts component $1 with the rest as command unless it is live; restarts it if its
# config changed. Daemons that fork write their own pid file; we then wait for it.
start_component() {
  local comp="$1"; shift
  local pid log
  log="$(logfile_of "$comp")"
  if pid="$(live_pid "$comp")"; then
    if [[ -z "${CHANGED[$comp]:-}" ]]; then
      say "$comp already running (pid $pid)"
      return 0
    fi
    say "$comp: config changed, restarting"
    kill -TERM "$pid"
    wait_until 20 pid_gone "$pid" || fail_component "$comp" "did not stop for a restart"
  fi
  rm -f "$(pidfile_of "$comp")"
  say "starting $comp"
  detach "$log" "${CHROOT[@]}" "$@" || fail_component "$comp" "failed to start (exit $?)"
  [[ -n "${NO_WAIT:-}" ]] || await_component "$comp"
}

# Like wait_until, but gives up at once if the component's process has died meanwhile.
wait_ready() {
  local comp="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    live_pid "$comp" >/dev/null || fail_component "$comp" "exited while starting"
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

await_component() {
  wait_until 15 live_pid "$1" || fail_component "$1" "wrote no pid file / exited"
}

munge_works() {
  in_root munge -n -S "$MUNGE_SOCKET" | in_root unmunge -S "$MUNGE_SOCKET" >/dev/null
}

start_munged() {
  start_component munged munged --socket="$MUNGE_SOCKET" --key-file="$ETC/munge.key" \
    --pid-file="$RUN/munged.pid" --log-file="$LOGDIR/munged.log" --seed-file="$RUN/munged.seed"
  wait_ready munged 10 munge_works || fail_component munged "does not answer on $MUNGE_SOCKET"
  chmod 777 "$MUNGE_SOCKET"   # unprivileged clients (researcher's sbatch) talk to it
}

mariadb_sql() {
  in_root mariadb --no-defaults --socket="$MARIADB_SOCKET" -u root --batch --skip-column-names "$@"
}

start_mariadbd() {
  if [[ ! -d "$DIR/mysql/mysql" ]]; then
    say "initialising MariaDB datadir $DIR/mysql"
    in_root mariadb-install-db --no-defaults --datadir="$DIR/mysql" --user=root \
      --auth-root-authentication-method=socket --skip-test-db >>"$(logfile_of mariadbd)" 2>&1 ||
      fail_component mariadbd "mariadb-install-db failed"
  fi
  # mariadbd does not fork: detach it in the background; it writes its own pid file.
  # Durability is traded for speed (a sandbox DB can be thrown away).
  local pid
  if pid="$(live_pid mariadbd)"; then
    say "mariadbd already running (pid $pid)"
  else
    rm -f "$RUN/mariadbd.pid"
    say "starting mariadbd"
    ( close_fds; exec setsid "${CHROOT[@]}" mariadbd --no-defaults --user=root --datadir="$DIR/mysql" \
      --bind-address=127.0.0.1 --port="$MARIADB_PORT" --socket="$MARIADB_SOCKET" \
      --pid-file="$RUN/mariadbd.pid" --log-error="$LOGDIR/mariadbd.log" \
      --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=256M \
      --innodb-log-file-size=64M --innodb-lock-wait-timeout=900 \
      --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --sync-frm=0 \
      ) </dev/null >>"$LOGDIR/mariadbd.log" 2>&1 &
  fi
  wait_until 30 mariadb_sql -e 'SELECT 1' || fail_component mariadbd "does not accept connections"
  wait_until 5 live_pid mariadbd || fail_component mariadbd "wrote no pid file"
  mariadb_sql -e "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'sandbox';
                  GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" ||
    fail_component mariadbd "could not create the slurm database user"
}

# Debian 13's MariaDB Connector/C (3.4.10, in libmariadb3 11.8.9) refuses every result set
# slurmdbd 24.11.5 reads ("Number of columns in result (=1) set execeeds maxmimum allowed
# number of columns (=0)": slurmdbd exits at its first query). This machine's Connector/C 3.3
# (Debian 12's libmariadb3, same soname) works: the chroot's slurmdbd loads a copy of it.
SLURMDBD_LIBS=/opt/sortie/libmariadb-3.3
provide_slurmdbd_libs() {
  [[ -n "$ROOT" ]] || return 0
  local lib=/usr/lib/x86_64-linux-gnu/libmariadb.so.3
  [[ -f "$lib" ]] || die "missing $lib (apt-get install libmariadb3): the 24.11 sandbox's slurmdbd needs it"
  mkdir -p "$ROOT$SLURMDBD_LIBS"
  cmp -s "$lib" "$ROOT$SLURMDBD_LIBS/libmariadb.so.3" || cp "$lib" "$ROOT$SLURMDBD_LIBS/libmariadb.so.3"
}

start_slurmdbd() {
  provide_slurmdbd_libs
  local env=()
  [[ -z "$ROOT" ]] || env=(env "LD_LIBRARY_PATH=$SLURMDBD_LIBS")
  start_component slurmdbd "${env[@]}" slurmdbd
  # First start creates all tables, which takes a while.
  wait_ready slurmdbd 60 in_root sacctmgr -n -P list cluster ||
    fail_component slurmdbd "does not answer sacctmgr on port $SLURMDBD_PORT"
}

register_accounting() {
  local clusters accounts users
  clusters="$(in_root sacctmgr -n -P list cluster format=cluster)"
  grep -qx "$CLUSTER" <<<"$clusters" || in_root sacctmgr -i add cluster "$CLUSTER" >/dev/null
  accounts="$(in_root sacctmgr -n -P list account format=account)"
  grep -qx sortie <<<"$accounts" ||
    in_root sacctmgr -i add account sortie cluster="$CLUSTER" description=sandbox organization=sortie >/dev/null
  users="$(in_root sacctmgr -n -P list assoc cluster="$CLUSTER" format=user,account)"
  local u
  for u in "$SANDBOX_USER" root; do
    grep -qx "$u|sortie" <<<"$users" ||
      in_root sacctmgr -i add user "$u" account=sortie cluster="$CLUSTER" >/dev/null
  done
}

start_slurmctld() {
  start_component slurmctld slurmctld -f "$SLURM_CONF"
  wait_ready slurmctld 20 in_root bash -c 'scontrol ping | grep -q "is UP"' ||
    fail_component slurmctld "does not answer scontrol ping"
}

start_slurmds() {
  local n
  # Launch all, then wait: they start up in parallel.
  for n in $(node_names); do
    NO_WAIT=1 start_component "slurmd:$n" slurmd -f "$SLURM_CONF" -N "$n"
  done
  for n in $(node_names); do await_component "slurmd:$n"; done
}

all_nodes_idle() {
  local states
  states="$(in_root sinfo -h -N -o '%N %T' | sort -u)"
  [[ "$(grep -c ' idle$' <<<"$states")" -eq "${#NODES[@]}" ]]
}

wait_nodes_idle() {
  # A node left DOWN/DRAIN by an earlier run (or by hand) is put back into service.
  local n
  for n in $(node_names); do
    if in_root sinfo -h -n "$n" -o '%T' | grep -qE '^(down|drain|drained|draining|fail)'; then
      say "resuming node $n"
      in_root scontrol update nodename="$n" state=resume || true
    fi
  done
  if ! wait_until 30 all_nodes_idle; then
    in_root sinfo -N -o '%N %T %E' >&2 || true
    local bad
    bad="$(in_root sinfo -h -N -o '%N %T' | awk '$2 != "idle" {print $1; exit}')"
    fail_component "slurmd:${bad:-a100-1}" "node did not become IDLE"
  fi
}

start_sshd() {
  start_component sshd /usr/sbin/sshd -f "$SSHDIR/sshd_config" -E "$LOGDIR/sshd.log"
}

ssh_as_user() {
  ssh -i "$SSHDIR/id_ed25519" -o UserKnownHostsFile="$SSHDIR/known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 \
    -p "$SSHD_PORT" "$SANDBOX_USER@127.0.0.1" "$@"
}

final_checks() {
  wait_until 10 ssh_as_user true || fail_component sshd "does not accept a key login for $SANDBOX_USER"
  local out
  out="$(ssh_as_user 'sinfo -h -o %D' 2>&1)" ||
    fail_component slurmctld "sinfo as $SANDBOX_USER over ssh failed: $out"
  in_root sacct -n -X -S now-1hours >/dev/null 2>&1 || fail_component slurmdbd "sacct fails"
}

print_usage() {
  cat <<EOF
$(say "sandbox cluster '$CLUSTER' ($(in_root sinfo --version)) is up in $((SECONDS - START)) s")
  as root:        $DIR/bin/admin sinfo
  as $SANDBOX_USER:  ssh -i $SSHDIR/id_ed25519 -o UserKnownHostsFile=$SSHDIR/known_hosts -p $SSHD_PORT $SANDBOX_USER@127.0.0.1 squeue
  clusters.yaml:  $DIR/clusters.yaml
  logs:           $LOGDIR/
  stop:           bash $HERE/down.sh   (--purge also removes $DIR)
EOF
}

main() {
  [[ $EUID -eq 0 ]] || die "must run as root (it starts slurmd and sshd)"
  case "${1:-}" in
    --prepare) ;;   # only make what needs the network (the 24.11 chroot), start nothing
    "") ;;
    *) die "usage: up.sh [--prepare]" ;;
  esac
  take_lock
  ensure_rootfs
  if [[ "${1:-}" == --prepare ]]; then
    say "prepared the SLURM $SLURM_SERIES sandbox${ROOT:+ (chroot $ROOT)}"
    return 0
  fi
  check_prereqs
  make_dirs
  mount_binds
  reserve_ports
  write_munge_key
  write_slurm_conf
  write_gres_conf
  write_slurmdbd_conf
  ensure_user
  ensure_ssh_keys
  write_sshd_config
  write_client_files
  # researcher's commands must be able to read the config.
  in_root runuser -u "$SANDBOX_USER" -- test -r "$SLURM_CONF" ||
    die "$SANDBOX_USER cannot read $SLURM_CONF: every parent of $DIR must be world-traversable"

  start_munged
  start_mariadbd
  start_slurmdbd
  register_accounting
  start_slurmctld
  start_slurmds
  wait_nodes_idle
  start_sshd
  final_checks
  print_usage
}

main "$@"

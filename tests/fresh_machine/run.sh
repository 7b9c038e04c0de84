#!/usr/bin/env bash
# The fresh-box test: does a newcomer's `make test` and `make run` work on a new Debian 12 machine?
#
# Builds a minimal Debian 12 (bookworm) root with debootstrap, lets package installs start services as a
# real machine does (policy-rc.d exit 0), hides this machine's services from it (its own network, PID and
# UTS namespaces; slirp4netns --disable-host-loopback gives outbound access to the package registries
# only, so 127.0.0.1 inside is empty), clones the repository's committed HEAD into it, and runs:
#   as an unprivileged user: make test, which must stop with the `sudo apt-get install mariadb-server` line;
#   as root: make test; make run (checks /api/v1/health, / and /api/v1/products answer 200); make stop-db;
#            make test; make run   (the second round must work as well as the first);
#   as the unprivileged user again: make test (now that root installed the packages)
# then prints each step's result and time and removes everything it made.
#
# Usage (as root, on a Debian host):  tests/fresh_machine/run.sh
#   KEEP=1            keep the box (its path is printed) instead of removing it
#   FRESH_CACHE=DIR   where the pristine debootstrap root is cached (default /var/cache/shopwright-fresh;
#                     FRESH_CACHE= disables the cache)
#   RUN_TIMEOUT=SEC   how long `make run` may take to serve (default 900)
# Not part of `make test`: it takes 15-30 minutes and needs the Debian mirror and PyPI.
set -euo pipefail

REPO=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
CACHE=${FRESH_CACHE-/var/cache/shopwright-fresh}
RUN_TIMEOUT=${RUN_TIMEOUT:-900}
SUITE=bookworm
INCLUDE=ca-certificates,git,make,python3,python3-venv,python3-pip,curl,sudo
BOX_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
NEWCOMER=newcomer

[ "$(id -u)" = 0 ] || { echo "run.sh needs root (debootstrap, chroot, namespaces)" >&2; exit 1; }

WORK=$(mktemp -d /var/tmp/shopwright-fresh.XXXXXX)
BOX=$WORK/root
LOGS=$WORK/logs
mkdir -p "$LOGS"
HOLDER= NS= SLIRP=
MOUNTED=()
RESULTS=()
FAILED=0
START=$(date +%s)

log() { printf '[fresh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

cleanup() {
  local status=$?
  set +e
  # Killing the namespace's PID 1 ends every process in the box (the kernel kills the whole PID namespace);
  # unshare itself ignores SIGTERM while it waits, and exits when its child has gone.
  [ -n "$NS" ] && kill -KILL "$NS" 2>/dev/null
  [ -n "$HOLDER" ] && wait "$HOLDER" 2>/dev/null
  [ -n "$SLIRP" ] && kill "$SLIRP" 2>/dev/null && wait "$SLIRP" 2>/dev/null
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTED[i]}" 2>/dev/null || umount -l "${MOUNTED[i]}"
  done
  if [ "${KEEP:-0}" = 1 ]; then
    log "kept the box: $WORK (logs in $LOGS)"
  else
    # Keep the logs of the last run outside the box for reading after a failure.
    rm -rf /var/tmp/shopwright-fresh-last-logs && cp -r "$LOGS" /var/tmp/shopwright-fresh-last-logs
    findmnt -rn -o TARGET | grep -q "^$BOX/" && { log "mounts remain under $BOX; not removing it" >&2; exit 1; }
    rm -rf --one-file-system "$WORK"
    log "removed the box; logs of this run: /var/tmp/shopwright-fresh-last-logs"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_host_tools() {
  local missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v slirp4netns >/dev/null || missing+=(slirp4netns)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing on this host: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The Debian mirror this host's own apt sources name (deb822 .sources or one-line .list).
host_mirror() {
  local url
  url=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v -- '-security' | head -1)
  [ -n "$url" ] || url=$(grep -hsE "^deb .* $SUITE( |$)" /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
    awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}')
  echo "${url:-http://deb.debian.org/debian}"
}

build_root() {
  local mirror key tarball
  mirror=$(host_mirror)
  key=$(echo "$SUITE $INCLUDE $mirror" | md5sum | cut -c1-10)
  tarball=$CACHE/$SUITE-minbase-$key.tar.zst
  mkdir -p "$BOX"
  if [ -n "$CACHE" ] && [ -f "$tarball" ]; then
    log "unpacking the cached debootstrap root $tarball"
    tar --zstd -xpf "$tarball" -C "$BOX" --numeric-owner
  else
    log "debootstrap --variant=minbase $SUITE from $mirror"
    debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$BOX" "$mirror" >"$LOGS/debootstrap.log" 2>&1 ||
      { tail -20 "$LOGS/debootstrap.log"; return 1; }
    if [ -n "$CACHE" ]; then
      mkdir -p "$CACHE"
      tar --zstd -cpf "$tarball.tmp" -C "$BOX" --numeric-owner . && mv "$tarball.tmp" "$tarball"
    fi
  fi
}

# What the host needs to reach the package registries, and what a real installed machine has.
configure_root() {
  local f key
  rm -f "$BOX/etc/apt/sources.list" "$BOX"/etc/apt/sources.list.d/*
  [ -f /etc/apt/sources.list ] && cp -a /etc/apt/sources.list "$BOX/etc/apt/"
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && cp -a "$f" "$BOX/etc/apt/sources.list.d/"
  done
  for key in $(grep -hsoE '(Signed-By:|signed-by=)[^] ]+' "$BOX"/etc/apt/sources.list.d/* "$BOX/etc/apt/sources.list" |
      sed -E 's/^(Signed-By:|signed-by=) *//'); do
    [ -f "$key" ] && [ ! -f "$BOX$key" ] && install -D -m 644 "$key" "$BOX$key"
  done
  cp -a /etc/apt/apt.conf.d/. "$BOX/etc/apt/apt.conf.d/"
  [ -f /etc/pip.conf ] && cp -a /etc/pip.conf "$BOX/etc/pip.conf"
  [ -d /etc/xdg/pip ] && mkdir -p "$BOX/etc/xdg" && cp -a /etc/xdg/pip "$BOX/etc/xdg/"
  cp -L /etc/resolv.conf "$BOX/etc/resolv.conf"
  if compgen -G "/usr/local/share/ca-certificates/*" >/dev/null; then
    mkdir -p "$BOX/usr/local/share/ca-certificates"
    cp -a /usr/local/share/ca-certificates/. "$BOX/usr/local/share/ca-certificates/"
  fi
  echo shopbox >"$BOX/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tshopbox\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$BOX/etc/hosts"
  # A real machine starts a service when its package is installed; a chroot does not unless allowed.
  printf '#!/bin/sh\nexit 0\n' >"$BOX/usr/sbin/policy-rc.d"
  chmod 755 "$BOX/usr/sbin/policy-rc.d"
}

start_namespaces() {
  # sleep is the box's PID 1: killing unshare (--kill-child) ends it and with it every process in the box.
  unshare --net --uts --pid --fork --kill-child sleep infinity 2>/dev/null &
  HOLDER=$!
  for _ in $(seq 50); do
    NS=$(cat "/proc/$HOLDER/task/$HOLDER/children" 2>/dev/null | awk '{print $1}')
    [ -n "$NS" ] && break
    sleep 0.1
  done
  [ -n "$NS" ] || { echo "the namespace did not start" >&2; return 1; }
  nsenter -t "$NS" -n ip link set lo up
  nsenter -t "$NS" -u hostname shopbox
  slirp4netns --configure --mtu=65520 --disable-host-loopback "$NS" tap0 >"$LOGS/slirp4netns.log" 2>&1 &
  SLIRP=$!
  for _ in $(seq 50); do
    nsenter -t "$NS" -n ip -4 addr show tap0 2>/dev/null | grep -q inet && break
    sleep 0.1
  done
  nsenter -t "$NS" -n ip -4 addr show tap0 | grep -q inet || { echo "slirp4netns gave no network" >&2; return 1; }
}

mount_box() {
  local node
  # /proc and /sys as the box's namespaces see them.
  nsenter -t "$NS" -p -- mount -t proc proc "$BOX/proc" && MOUNTED+=("$BOX/proc")
  nsenter -t "$NS" -n -- mount -t sysfs sysfs "$BOX/sys" && MOUNTED+=("$BOX/sys")
  # A /dev of its own (never a bind of the host's: nothing in the box can touch the host's device nodes).
  mount -t tmpfs -o mode=755,size=1m tmpfs "$BOX/dev" && MOUNTED+=("$BOX/dev")
  for node in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
    set -- $node
    mknod -m 666 "$BOX/dev/$1" c "$2" "$3"
  done
  ln -s /proc/self/fd "$BOX/dev/fd"
  ln -s /proc/self/fd/0 "$BOX/dev/stdin"; ln -s /proc/self/fd/1 "$BOX/dev/stdout"; ln -s /proc/self/fd/2 "$BOX/dev/stderr"
  mkdir "$BOX/dev/pts" "$BOX/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$BOX/dev/pts" && MOUNTED+=("$BOX/dev/pts")
  ln -s pts/ptmx "$BOX/dev/ptmx"
  mount -t tmpfs -o mode=1777,size=1g tmpfs "$BOX/dev/shm" && MOUNTED+=("$BOX/dev/shm")  # Chromium needs it
}

# Run a command in the box as its root user, with a login's clean environment.
inbox() {
  nsenter -t "$NS" -n -u -p -- chroot "$BOX" /usr/bin/env -i HOME=/root PATH="$BOX_PATH" LANG=C.UTF-8 TERM=dumb \
    USER=root LOGNAME=root /bin/bash -c "$1"
}

# The same as the unprivileged user (no sudo rights), in its own checkout.
inbox_user() {
  local ids
  ids=$(awk -F: -v u="$NEWCOMER" '$1 == u {print $3 ":" $4}' "$BOX/etc/passwd")
  nsenter -t "$NS" -n -u -p -- chroot --userspec="$ids" "$BOX" /usr/bin/env -i HOME="/home/$NEWCOMER" \
    PATH="$BOX_PATH" LANG=C.UTF-8 TERM=dumb USER="$NEWCOMER" LOGNAME="$NEWCOMER" /bin/bash -c "$1"
}

record() {  # record NAME STATUS SECONDS
  RESULTS+=("$(printf '%-26s %-5s %5ss' "$1" "$([ "$2" = 0 ] && echo pass || echo FAIL)" "$3")")
  [ "$2" = 0 ] || FAILED=1
}

# step NAME LOGFILE COMMAND [user] [expected]: run COMMAND in root's (or the user's) checkout, time it, keep its
# output. It passes when COMMAND succeeds, or, given `expected`, when it fails with that text in its output.
step() {
  local name=$1 logfile=$2 command=$3 who=${4:-root} expected=${5:-} t0 status
  log "$name ..."
  t0=$(date +%s)
  set +e
  if [ "$who" = root ]; then
    inbox "cd /root/shopwright && $command" >"$LOGS/$logfile" 2>&1
  else
    inbox_user "cd ~/shopwright && $command" >"$LOGS/$logfile" 2>&1
  fi
  status=$?
  if [ -n "$expected" ]; then
    [ "$status" != 0 ] && grep -qF -- "$expected" "$LOGS/$logfile"
    status=$?
  fi
  set -e
  record "$name" "$status" $(($(date +%s) - t0))
  if [ "$status" != 0 ]; then
    log "$name failed (exit $status); last lines of $logfile:"
    tail -25 "$LOGS/$logfile" | sed 's/^/    /'
  else
    tail -3 "$LOGS/$logfile" | sed 's/^/    /'
  fi
}

# make run in the background; pass when /api/v1/health, / and /api/v1/products all answer 200; then stop it.
serve_step() {  # serve_step NAME LOGFILE
  local name=$1 logfile=$2 t0 status=1 codes=""
  log "$name (waiting up to ${RUN_TIMEOUT}s for the shop to serve) ..."
  t0=$(date +%s)
  inbox "cd /root/shopwright && { setsid make run >/root/$logfile 2>&1 </dev/null & echo \$! >/root/run.pid; }"
  while [ $(($(date +%s) - t0)) -lt "$RUN_TIMEOUT" ]; do
    codes=$(inbox 'for p in /api/v1/health / /api/v1/products; do
        curl -s -o /dev/null -m 5 -w "%{http_code} " "http://127.0.0.1:5000$p"; done' || true)
    [ "$codes" = "200 200 200 " ] && { status=0; break; }
    inbox 'kill -0 "$(cat /root/run.pid)" 2>/dev/null' || break  # make run ended: it failed
    sleep 2
  done
  record "$name" "$status" $(($(date +%s) - t0))
  log "$name: health, /, products answered: ${codes:-nothing}"
  # Stop gunicorn (make run's process group) and wait until it has gone. The box's PID 1 reaps nothing, so
  # count the group's processes that are not zombies.
  inbox 'group=$(cat /root/run.pid); kill -TERM -- -"$group" 2>/dev/null
         alive() { local f s; for f in /proc/[0-9]*/stat; do s=$(cat "$f" 2>/dev/null) || continue; set -- ${s##*) }
                   [ "$3" = "$group" ] && [ "$1" != Z ] && return 0; done; return 1; }
         for i in $(seq 150); do alive || break; sleep 0.2; done' || true
  cp "$BOX/root/$logfile" "$LOGS/$logfile"
  if [ "$status" != 0 ]; then tail -25 "$LOGS/$logfile" | sed 's/^/    /'; else tail -3 "$LOGS/$logfile" | sed 's/^/    /'; fi
}

main() {
  local t0 sha
  need_host_tools
  t0=$(date +%s); build_root; record "debootstrap root" 0 $(($(date +%s) - t0))
  configure_root
  start_namespaces
  mount_box
  inbox 'update-ca-certificates >/dev/null 2>&1'
  if inbox 'echo >/dev/tcp/127.0.0.1/3306' 2>/dev/null; then
    echo "the box can reach a service on its 127.0.0.1:3306: host services are not hidden" >&2; return 1
  fi

  sha=$(git -C "$REPO" rev-parse HEAD)
  inbox "useradd --create-home --shell /bin/bash $NEWCOMER"
  for home in /root "/home/$NEWCOMER"; do
    git clone -q --no-local "$REPO" "$BOX$home/shopwright"
    git -C "$BOX$home/shopwright" checkout -q --detach "$sha"
  done
  inbox "chown -R $NEWCOMER: /home/$NEWCOMER/shopwright"
  log "box ready at $BOX; testing commit $sha ($(git -C "$REPO" log -1 --format=%s "$sha" | cut -c1-70))"

  step "user: make test, no server" make-test-user-1.log "make test" "$NEWCOMER" \
    "run \`sudo apt-get install mariadb-server\`"
  step "make test (first)" make-test-1.log "make test"
  serve_step "make run (first)" make-run-1.log
  step "make stop-db" make-stop-db.log "make stop-db"
  step "make test (after stop-db)" make-test-2.log "make test"
  serve_step "make run (after stop-db)" make-run-2.log
  step "user: make test" make-test-user-2.log "make test" "$NEWCOMER"

  echo
  echo "fresh Debian 12 box, commit ${sha:0:12}:"
  printf '  %s\n' "${RESULTS[@]}"
  echo "  total wall time: $(($(date +%s) - START))s"
  [ "$FAILED" = 0 ] && echo "RESULT: PASS" || echo "RESULT: FAIL"
  return "$FAILED"
}

main "$@"

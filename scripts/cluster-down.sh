#!/bin/sh
# Removes everything scripts/cluster-up.sh made: the daemons, their containers (every process in a host's cgroup
# parent or network namespace), mounts under the data and exec roots, the cgroups, the namespaces, veths and the
# underlay bridge, and the data and exec roots. Safe to run twice and after a half-finished cluster-up.
#   sudo scripts/cluster-down.sh          (STATE=/run/jswarm-cluster as for cluster-up)
set -u
STATE=${STATE:-/run/jswarm-cluster}
PREFIX=jswc
if [ ! -d "$STATE" ]; then
  echo "cluster-down: nothing to do ($STATE does not exist)"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "cluster-down: needs root" >&2; exit 1; }
BRIDGE=$(cat "$STATE/bridge" 2>/dev/null || echo "$PREFIX-br0")
DATA=$(cat "$STATE/data" 2>/dev/null || echo /var/lib/jswarm-cluster)
HOSTS=$(awk '{ print $1 }' "$STATE/hosts" 2>/dev/null)

# pids of the processes of host $1: in its cgroup parent (containers) or in its network namespace (daemon, shims)
host_pids() {
  grep -l ":/$PREFIX-$1/" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3
  [ -e "/run/netns/$PREFIX-$1" ] && ip netns pids "$PREFIX-$1" 2>/dev/null
  true
}

for name in $HOSTS; do
  pid=$(cat "$STATE/$name/daemon.pid" 2>/dev/null || true)
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
done
for name in $HOSTS; do
  i=0
  while pids=$(host_pids "$name") && [ -n "$pids" ] && [ $i -lt 100 ]; do
    kill -9 $pids 2>/dev/null
    sleep 0.1
    i=$((i + 1))
  done
  [ -n "$(host_pids "$name")" ] && echo "cluster-down: processes of $name survive SIGKILL: $(host_pids "$name")" >&2
done
# mounts (rootfs overlays, pinned task namespaces) under the roots, deepest first
for root in "$STATE" "$DATA"; do
  awk -v r="$root/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
done
for name in $HOSTS; do
  for d in /sys/fs/cgroup/*/"$PREFIX-$name"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  ip netns del "$PREFIX-$name" 2>/dev/null
  ip link del "$PREFIX-$name" 2>/dev/null
done
ip link del "$BRIDGE" 2>/dev/null
for name in $HOSTS; do
  rm -rf "${DATA:?}/$name" "${STATE:?}/$name"
done
rmdir "$DATA" 2>/dev/null
rm -f "$STATE/hosts" "$STATE/bridge" "$STATE/data"
rmdir "$STATE" 2>/dev/null
left=$(ip -o link show | grep -c " $PREFIX-" || true)
if [ "$left" != 0 ] || ip netns list | grep -q "^$PREFIX-"; then
  echo "cluster-down: some interfaces or namespaces are left:" >&2
  ip -o link show | grep " $PREFIX-" >&2
  ip netns list | grep "^$PREFIX-" >&2
  exit 1
fi
echo "cluster-down: removed the cluster (state $STATE)"

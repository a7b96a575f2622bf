#!/bin/sh
# Brings up a jswarm cluster of MANAGERS managers and WORKERS workers on this machine: every "host" is a network
# namespace on an underlay bridge with its own address, running its own `jswarm daemon` (own data root, exec
# root, cgroup parent and socket); m1 inits the swarm, the others join. Remove it all with scripts/cluster-down.sh.
#
#   sudo scripts/cluster-up.sh 3 2        # 3 managers (m1..m3) + 2 workers (w1, w2)
#
# Needs root, iproute2 (ip, nsenter from util-linux) and the shaded jar cli/target/jswarm.jar
# (build it with: mvn -B -q -DskipTests package). For the container executor also runc (or crun) and
# nftables. Settings (environment):
#   EXECUTOR=container|simulated   task executor of every daemon (default container)
#   SUBNET=172.29.250              first three octets of the underlay /24 (default 172.29.250)
#   HEARTBEAT=5s                   dispatcher heartbeat period given to swarm init (default 5s)
#   STATE=/run/jswarm-cluster      where the daemons' exec roots, logs and this cluster's state are
#   DATA=/var/lib/jswarm-cluster   where the daemons' data roots are
set -eu
cd "$(dirname "$0")/.."
REPO=$(pwd)
MANAGERS=${1:-}
WORKERS=${2:-0}
EXECUTOR=${EXECUTOR:-container}
SUBNET=${SUBNET:-172.29.250}
HEARTBEAT=${HEARTBEAT:-5s}
STATE=${STATE:-/run/jswarm-cluster}
DATA=${DATA:-/var/lib/jswarm-cluster}
PREFIX=jswc
BRIDGE=${PREFIX}-br0
API_PORT=2375

usage() { echo "usage: $0 MANAGERS [WORKERS]   (MANAGERS >= 1, MANAGERS + WORKERS <= 200)" >&2; exit 2; }
case "$MANAGERS" in ''|*[!0-9]*) usage ;; esac
case "$WORKERS" in ''|*[!0-9]*) usage ;; esac
[ "$MANAGERS" -ge 1 ] && [ $((MANAGERS + WORKERS)) -le 200 ] || usage
[ "$(id -u)" = 0 ] || { echo "cluster-up: needs root (network namespaces, bridges, cgroups)" >&2; exit 1; }
[ -f cli/target/jswarm.jar ] || {
  echo "cluster-up: cli/target/jswarm.jar not found; build it first with: mvn -B -q -DskipTests package" >&2
  exit 1
}
case "$EXECUTOR" in container|simulated) ;; *) echo "cluster-up: EXECUTOR must be container or simulated" >&2; exit 2 ;; esac
if [ -e "$STATE/hosts" ]; then
  echo "cluster-up: a cluster is already up (state in $STATE); remove it first with scripts/cluster-down.sh" >&2
  exit 1
fi
if ip -4 route show | grep -q "^$SUBNET\.0/24"; then
  echo "cluster-up: $SUBNET.0/24 is already routed here; choose another with SUBNET=172.29.N" >&2
  exit 1
fi

mkdir -p "$STATE" "$DATA"
: >"$STATE/hosts"
echo "$BRIDGE" >"$STATE/bridge"
echo "$DATA" >"$STATE/data"
# on any failure below, tear down what exists so far
trap 'echo "cluster-up: failed; removing what was made" >&2; STATE="$STATE" "$REPO/scripts/cluster-down.sh" >&2' EXIT

ip link add "$BRIDGE" type bridge
ip addr add "$SUBNET.1/24" dev "$BRIDGE"
ip link set "$BRIDGE" up

# add_host NAME N: namespace, veth (eth0 inside) and address SUBNET.(10+N), then the daemon
add_host() {
  name=$1; n=$2; ns=$PREFIX-$name; veth=$PREFIX-$name; addr=$SUBNET.$((10 + n))
  echo "$name $addr" >>"$STATE/hosts"
  ip netns add "$ns"
  ip link add "$veth" type veth peer name "$veth-p"
  ip link set "$veth-p" netns "$ns"
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" link set "$veth-p" name eth0
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  mkdir -p "$STATE/$name" "$DATA/$name"
  # nsenter, not `ip netns exec`: that would remount /sys and hide the cgroup file systems from the daemon
  JSWARM_JAVA_OPTS="${JSWARM_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}" nohup nsenter --net="/run/netns/$ns" \
    "$REPO/bin/jswarm" daemon --data-root "$DATA/$name" --exec-root "$STATE/$name" \
    -H "unix://$STATE/$name/jswarm.sock" -H "tcp://$addr:$API_PORT" --insecure-tcp --node-name "$name" \
    --cgroup-parent "$PREFIX-$name" --executor "$EXECUTOR" >"$STATE/$name/daemon.log" 2>&1 &
  echo $! >"$STATE/$name/daemon.pid"
}

wait_daemon() {
  name=$1; i=0
  until grep -q "jswarm daemon" "$STATE/$name/daemon.log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 1200 ] || ! kill -0 "$(cat "$STATE/$name/daemon.pid")" 2>/dev/null; then
      echo "cluster-up: daemon $name did not start; its log:" >&2
      cat "$STATE/$name/daemon.log" >&2
      exit 1
    fi
    sleep 0.1
  done
}

addr_of() { awk -v n="$1" '$1 == n { print $2 }' "$STATE/hosts"; }
jswarm_on() { name=$1; shift; "$REPO/bin/jswarm" -H "tcp://$(addr_of "$name"):$API_PORT" "$@"; }

n=0
for i in $(seq 1 "$MANAGERS"); do n=$((n + 1)); add_host "m$i" $n; done
for i in $(seq 1 "$WORKERS"); do n=$((n + 1)); add_host "w$i" $n; done
for name in $(awk '{ print $1 }' "$STATE/hosts"); do wait_daemon "$name"; done

M1=$(addr_of m1)
jswarm_on m1 swarm init --advertise-addr "$M1" --listen-addr "$M1:2377" --dispatcher-heartbeat "$HEARTBEAT" >/dev/null
WORKER_TOKEN=$(jswarm_on m1 swarm join-token -q worker)
MANAGER_TOKEN=$(jswarm_on m1 swarm join-token -q manager)
for name in $(awk '{ print $1 }' "$STATE/hosts"); do
  [ "$name" = m1 ] && continue
  case $name in m*) token=$MANAGER_TOKEN ;; *) token=$WORKER_TOKEN ;; esac
  a=$(addr_of "$name")
  jswarm_on "$name" swarm join --token "$token" --advertise-addr "$a" --listen-addr "$a:2377" "$M1:2377" >/dev/null
done
trap - EXIT

jswarm_on m1 node ls
echo
echo "Cluster up: $MANAGERS manager(s), $WORKERS worker(s) on $SUBNET.0/24 (bridge $BRIDGE, state $STATE)."
echo "Reach a node from this shell over the underlay, e.g.:"
while read -r name addr; do
  echo "  bin/jswarm -H tcp://$addr:$API_PORT node ls      # $name (netns $PREFIX-$name, log $STATE/$name/daemon.log)"
done <"$STATE/hosts"
echo "Run a command inside a host: nsenter --net=/run/netns/$PREFIX-m1 sh"
echo "Remove everything: scripts/cluster-down.sh"

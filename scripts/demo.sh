#!/bin/sh
# The main job: build jswarm, start a daemon, make it a single-node swarm (manager + worker), import a small
# busybox image, run a 3-replica web service on host ports and fetch a page from one of its containers.
# The daemon keeps running; stop it with: kill $(cat /run/jswarm-demo/daemon.pid)
# EXECUTOR=simulated runs the control plane alone (tasks reported running, no containers).
set -eu
cd "$(dirname "$0")/.."
DATA_ROOT=${DATA_ROOT:-/var/lib/jswarm-demo}
EXEC_ROOT=${EXEC_ROOT:-/run/jswarm-demo}
EXECUTOR=${EXECUTOR:-container}
IMAGE=localhost:5999/demo/busybox:1   # imported below; no registry is contacted
SOCK="unix://$EXEC_ROOT/jswarm.sock"
jswarm() { bin/jswarm -H "$SOCK" "$@"; }

if [ "$EXECUTOR" = container ]; then
  missing=""
  command -v runc >/dev/null 2>&1 || missing="$missing runc"
  [ -x /bin/busybox ] || missing="$missing busybox-static"
  command -v curl >/dev/null 2>&1 || missing="$missing curl"
  if [ -n "$missing" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
fi
[ -f cli/target/jswarm.jar ] || mvn -B -q -DskipTests package
mkdir -p "$EXEC_ROOT"
if [ -f "$EXEC_ROOT/daemon.pid" ] && kill -0 "$(cat "$EXEC_ROOT/daemon.pid")" 2>/dev/null; then
  echo "daemon already running (pid $(cat "$EXEC_ROOT/daemon.pid"))"
else
  nohup bin/jswarm daemon --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" -H "$SOCK" \
    --executor "$EXECUTOR" --cgroup-parent jswarm-demo --bridge-name jswarm_demo0 --bridge-subnet 172.30.77.0/24 \
    --node-name "$(hostname)" >"$EXEC_ROOT/daemon.log" 2>&1 &
  echo $! >"$EXEC_ROOT/daemon.pid"
  i=0
  until grep -q "jswarm daemon" "$EXEC_ROOT/daemon.log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$(cat "$EXEC_ROOT/daemon.pid")" 2>/dev/null; then
      echo "daemon did not start; its log:" >&2
      cat "$EXEC_ROOT/daemon.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  cat "$EXEC_ROOT/daemon.log"
fi
if ! jswarm node ls >/dev/null 2>&1; then
  jswarm swarm init --advertise-addr 127.0.0.1
fi
if [ "$EXECUTOR" = container ] && ! jswarm image inspect "$IMAGE" >/dev/null 2>&1; then
  # a one-layer image: the host's static busybox, its applet links and a page to serve
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/www" "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  cp /bin/busybox "$rootfs/bin/busybox"
  for a in sh httpd hostname cat echo ls sleep wget; do ln -s busybox "$rootfs/bin/$a"; done
  echo "hello from a jswarm container" >"$rootfs/www/index.html"
  tar -C "$rootfs" -cf "$rootfs.tar" .
  jswarm image import "$rootfs.tar" "$IMAGE"
  rm -rf "$rootfs" "$rootfs.tar"
fi
if ! jswarm service inspect demo >/dev/null 2>&1; then
  jswarm service create --name demo --replicas 3 -p mode=host,target=80 "$IMAGE" httpd -f -p 80 -h /www
fi
jswarm node ls
jswarm service ls
jswarm service ps demo
bin/jswarm raft status --data-root "$DATA_ROOT"
if [ "$EXECUTOR" = container ]; then
  port=$(jswarm service ps demo --format json | sed -n 's/.*"PublishedPort":\([0-9]*\).*/\1/p' | head -n 1)
  if [ -z "$port" ]; then
    port=$(jswarm service ps demo | sed -n 's/.*:\([0-9]*\)->80\/tcp.*/\1/p' | head -n 1)
  fi
  echo "GET http://127.0.0.1:$port/ ->"
  curl -fsS "http://127.0.0.1:$port/"
fi

#!/bin/sh
# The main job: build jswarm, start a daemon, make it a single-node swarm (manager + worker) and run a demo
# service on it; then show the nodes, the service, its tasks and the Raft group.
# The daemon keeps running; stop it with: kill $(cat /run/jswarm-demo/daemon.pid)
set -eu
cd "$(dirname "$0")/.."
DATA_ROOT=${DATA_ROOT:-/var/lib/jswarm-demo}
EXEC_ROOT=${EXEC_ROOT:-/run/jswarm-demo}
EXECUTOR=${EXECUTOR:-simulated}
SOCK="unix://$EXEC_ROOT/jswarm.sock"
jswarm() { bin/jswarm -H "$SOCK" "$@"; }

[ -f cli/target/jswarm.jar ] || mvn -B -q -DskipTests package
mkdir -p "$EXEC_ROOT"
if [ -f "$EXEC_ROOT/daemon.pid" ] && kill -0 "$(cat "$EXEC_ROOT/daemon.pid")" 2>/dev/null; then
  echo "daemon already running (pid $(cat "$EXEC_ROOT/daemon.pid"))"
else
  nohup bin/jswarm daemon --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" -H "$SOCK" \
    --executor "$EXECUTOR" --node-name "$(hostname)" >"$EXEC_ROOT/daemon.log" 2>&1 &
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
if ! jswarm service inspect demo >/dev/null 2>&1; then
  jswarm service create --detach=false --name demo --replicas 3 busybox
fi
jswarm node ls
jswarm service ls
jswarm service ps demo
bin/jswarm raft status --data-root "$DATA_ROOT"

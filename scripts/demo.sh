#!/bin/sh
# The main job: build jswarm, start a single-manager daemon (Raft group of one, store bootstrapped),
# and show its Raft status. The daemon keeps running; stop it with: kill $(cat /run/jswarm-demo/daemon.pid)
set -eu
cd "$(dirname "$0")/.."
DATA_ROOT=${DATA_ROOT:-/var/lib/jswarm-demo}
EXEC_ROOT=${EXEC_ROOT:-/run/jswarm-demo}
RAFT_ADDR=${RAFT_ADDR:-127.0.0.1:2378}
[ -f cli/target/jswarm.jar ] || mvn -B -q -DskipTests package
mkdir -p "$EXEC_ROOT"
if [ -f "$EXEC_ROOT/daemon.pid" ] && kill -0 "$(cat "$EXEC_ROOT/daemon.pid")" 2>/dev/null; then
  echo "daemon already running (pid $(cat "$EXEC_ROOT/daemon.pid"))"
else
  nohup bin/jswarm daemon --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" --raft-addr "$RAFT_ADDR" \
    >"$EXEC_ROOT/daemon.log" 2>&1 &
  echo $! >"$EXEC_ROOT/daemon.pid"
  i=0
  until grep -q "jswarm daemon" "$EXEC_ROOT/daemon.log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$(cat "$EXEC_ROOT/daemon.pid")" 2>/dev/null; then
      echo "daemon did not start; its log:" >&2
      cat "$EXEC_ROOT/daemon.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  cat "$EXEC_ROOT/daemon.log"
fi
bin/jswarm raft status --data-root "$DATA_ROOT"

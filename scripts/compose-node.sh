#!/bin/sh
# Entry point of one node of docker-compose.test.yml (runs inside a privileged Debian container that has the
# repository mounted at /jswarm). ROLE: init (the first manager: starts the swarm and publishes the join tokens
# in /tokens), manager or worker (join with the token from /tokens). A restarted node resumes its role from its
# data root.
set -eu
ROLE=${1:?usage: compose-node.sh init|manager|worker}
# the paths are settings only so that this script can be tried outside a container
REPO=${JSWARM_REPO:-/jswarm}
JSWARM=$REPO/bin/jswarm
NAME=${NODE_NAME:-$(cat /etc/hostname)}
TOKENS=${TOKENS:-/tokens}
DATA_ROOT=${DATA_ROOT:-/var/lib/jswarm}
EXEC_ROOT=${EXEC_ROOT:-/run/jswarm}
ADDR=$(ip -4 -o addr show dev eth0 | awk '{ split($4, a, "/"); print a[1]; exit }')
SOCK=$EXEC_ROOT/jswarm.sock
MANAGER_ADDR=${MANAGER_ADDR:?set MANAGER_ADDR to the address of manager1}

[ -f "$REPO/cli/target/jswarm.jar" ] || {
  echo "compose-node: $REPO/cli/target/jswarm.jar not found; build it on the host first: mvn -B -q -DskipTests package" >&2
  exit 1
}
mkdir -p "$EXEC_ROOT" "$DATA_ROOT"
rm -f "$SOCK"
"$JSWARM" daemon --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" --node-name "$NAME" --cgroup-parent "jswarm-$NAME" --executor "${EXECUTOR:-container}" \
  -H "unix://$SOCK" -H "tcp://0.0.0.0:2375" --insecure-tcp &  # plain TCP on the compose network only
DAEMON=$!
trap 'kill "$DAEMON" 2>/dev/null; wait "$DAEMON"; exit 0' TERM INT
i=0
until [ -S "$SOCK" ]; do
  i=$((i + 1))
  kill -0 "$DAEMON" 2>/dev/null || { echo "compose-node: the daemon exited" >&2; exit 1; }
  [ $i -lt 600 ] || { echo "compose-node: the daemon did not open $SOCK within 60 s" >&2; exit 1; }
  sleep 0.1
done

joined=$DATA_ROOT/.compose-joined
if [ ! -f "$joined" ]; then
  case "$ROLE" in
    init)
      "$JSWARM" -H "unix://$SOCK" swarm init --advertise-addr "$ADDR" --listen-addr "$ADDR:2377"
      rm -f $TOKENS/worker $TOKENS/manager
      "$JSWARM" -H "unix://$SOCK" swarm join-token -q manager >$TOKENS/manager.tmp
      "$JSWARM" -H "unix://$SOCK" swarm join-token -q worker >$TOKENS/worker.tmp
      mv $TOKENS/manager.tmp $TOKENS/manager
      mv $TOKENS/worker.tmp $TOKENS/worker
      ;;
    manager | worker)
      i=0
      until [ -s "$TOKENS/$ROLE" ]; do
        i=$((i + 1))
        [ $i -lt 1200 ] || { echo "compose-node: no $TOKENS/$ROLE after 120 s; is manager1 up?" >&2; exit 1; }
        sleep 0.1
      done
      "$JSWARM" -H "unix://$SOCK" swarm join --token "$(cat "$TOKENS/$ROLE")" --advertise-addr "$ADDR" \
        --listen-addr "$ADDR:2377" "$MANAGER_ADDR:2377"
      ;;
    *)
      echo "compose-node: ROLE must be init, manager or worker, got $ROLE" >&2
      exit 2
      ;;
  esac
  touch "$joined"
fi
echo "compose-node: $NAME ($ROLE) ready at $ADDR; API tcp://$ADDR:2375"
wait "$DAEMON"

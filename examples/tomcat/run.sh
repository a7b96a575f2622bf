#!/bin/sh
# Rolls a 3-replica Tomcat service from v1 to v2 under a steady request load with zero failed requests, then
# tries a broken v3 whose health check fails and watches the swarm roll it back to v2 by itself.
#
# Usage: examples/tomcat/run.sh        against the swarm that JSWARM_HOST (or -H in JSWARM_FLAGS) names
#
# Environment:
#   JSWARM_HOST   a manager's API (default unix:///run/jswarm/jswarm.sock)
#   PUBLISH       ingress (default): -p 8080:8080 through the routing mesh, requests go to TARGETS:8080
#                 host: -p mode=host,target=8080 — every task gets its own port on its node and the load client
#                 sends requests to the tasks the manager reports running and healthy (a client-side balancer)
#   TARGETS       ingress mode: node addresses to send requests to, round robin (default 127.0.0.1)
#   SERVICE       service name (default tomcat-demo)
#   ARCHIVE       an image archive made by build-image.sh (default: build it, or take it from the cache)
#   JSWARM        the jswarm command (default: bin/jswarm of this repository)
#   KEEP=1        leave the service running at the end
#   TMPDIR        where the scratch directory goes (default /tmp)
#
# Exit status 0 only when both checks hold; the last lines say what was measured:
#   RESULT update v1->v2 start-first: requests=N failed=0 versions=v1:a,v2:b
#   RESULT rollback v3->v2: state=rollback_completed image=tomcat-demo:v2 requests=N failed=0 pages=v2:30
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
JSWARM=${JSWARM:-$repo/bin/jswarm}
PUBLISH=${PUBLISH:-ingress}
TARGETS=${TARGETS:-127.0.0.1}
SERVICE=${SERVICE:-tomcat-demo}
export JSWARM_HOST=${JSWARM_HOST:-unix:///run/jswarm/jswarm.sock}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

case "$PUBLISH" in
  ingress) publish="-p 8080:8080" ;;
  host) publish="-p mode=host,target=8080" ;;
  *) echo "run.sh: PUBLISH must be ingress or host, got $PUBLISH" >&2; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/jswarm-tomcat.XXXXXX")
loadpid=""
cleanup() {
  [ -z "$loadpid" ] || kill "$loadpid" 2>/dev/null || true
  if [ "${KEEP:-}" != 1 ]; then
    $JSWARM service rm "$SERVICE" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "=== $(date -u +%H:%M:%S) $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# Compile the load client once (the source launcher would compile it on every start).
"$(dirname "$(readlink -f "$(command -v javac)")")/javac" -d "$work/classes" "$here/LoadClient.java"
load() { # load ARGS...: the load client against this service
  if [ "$PUBLISH" = ingress ]; then
    set -- "$@" $(for t in $TARGETS; do printf -- '--url http://%s:8080/ ' "$t"; done)
  else
    set -- "$@" --api "$JSWARM_HOST" --service "$SERVICE"
  fi
  "$java" -cp "$work/classes" LoadClient "$@"
}
inspect() { $JSWARM service inspect "$SERVICE" | tr -d ' \n'; }
update_state() { inspect | grep -o '"UpdateStatus":{[^}]*}' | grep -o '"State":"[^"]*"' | cut -d'"' -f4; }
spec_image() { inspect | grep -o '"Spec":{"Name":"[^"]*".*' | grep -o '"Image":"[^"]*"' | head -1 | cut -d'"' -f4; }

step "image: tomcat-demo:v1, v2, v3"
archive=${ARCHIVE:-$("$here/build-image.sh" | tail -1)}
$JSWARM image load -i "$archive"

step "service $SERVICE: 3 replicas of tomcat-demo:v1, health check on /health, published with PUBLISH=$PUBLISH"
$JSWARM service rm "$SERVICE" >/dev/null 2>&1 || true
# The health check runs busybox wget inside the container; /health answers 500 in v3, which wget reports as
# an error (no -T: busybox 1.35's wget crashes with it; --health-timeout bounds the check). Tomcat takes a few
# seconds to start: failures in the first 30 s don't count (--health-start-period), but the first success makes
# the task healthy at once. So the broken v3 is found unhealthy about 33 s after it started.
$JSWARM service create --detach=false --name "$SERVICE" --replicas 3 $publish \
  --health-cmd "wget -q -O /dev/null http://127.0.0.1:8080/health" --health-interval 1s --health-timeout 3s \
  --health-retries 3 --health-start-period 30s \
  --update-order start-first --update-parallelism 1 --update-monitor 2s \
  --rollback-order start-first --rollback-monitor 2s \
  tomcat-demo:v1 > "$work/create.out" 2>&1 || { cat "$work/create.out"; fail "service create did not converge"; }
tail -1 "$work/create.out"

step "v1 answers"
# The service has converged; give whoever routes to it (the routing mesh) up to 15 s to catch up.
for attempt in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 last; do
  load --requests 12 --interval-ms 0 > "$work/v1.out"
  if grep -q 'failed=0 versions=v1:12$' "$work/v1.out" || [ $attempt = last ]; then
    break
  fi
  sleep 1
done
cat "$work/v1.out"
grep -q 'failed=0 versions=v1:12$' "$work/v1.out" || fail "v1 does not answer every request: $(head -1 "$work/v1.out")"

step "rolling update v1 -> v2 (start-first) under load"
load --until "$work/stop" > "$work/update.out" 2>&1 &
loadpid=$!
sleep 2
$JSWARM service update --detach=false --image tomcat-demo:v2 --update-order start-first "$SERVICE" \
  > "$work/v2-update.out" 2>&1 || { cat "$work/v2-update.out"; fail "service update to v2 did not converge"; }
tail -1 "$work/v2-update.out"
sleep 2
touch "$work/stop"
wait "$loadpid" || true
loadpid=""
cat "$work/update.out"
update=$(head -1 "$work/update.out")
echo "RESULT update v1->v2 start-first: $update"
echo "$update" | grep -q '^requests=[0-9]* failed=0 ' || fail "requests failed during the update"
echo "$update" | grep -q 'v2:' || fail "no request reached v2"
[ "$(update_state)" = completed ] || fail "UpdateStatus is $(update_state), not completed"

step "broken update v2 -> v3 (its /health answers 500) with --update-failure-action rollback"
rm -f "$work/stop"
load --until "$work/stop" > "$work/rollback.out" 2>&1 &
loadpid=$!
if $JSWARM service update --detach=false --image tomcat-demo:v3 --update-failure-action rollback "$SERVICE" \
    > "$work/v3.out" 2>&1; then
  cat "$work/v3.out"
  fail "the update to the broken v3 succeeded"
fi
tail -2 "$work/v3.out"
state=$(update_state)
image=$(spec_image)
touch "$work/stop"
wait "$loadpid" || true
loadpid=""
cat "$work/rollback.out"
load --requests 30 --interval-ms 0 > "$work/v2.out" || true
pages=$(head -1 "$work/v2.out" | sed 's/.*versions=//')
echo "RESULT rollback v3->v2: state=$state image=$image $(head -1 "$work/rollback.out") pages=$pages"
[ "$state" = rollback_completed ] || fail "UpdateStatus is $state, not rollback_completed"
[ "$image" = tomcat-demo:v2 ] || fail "the service's image is $image, not tomcat-demo:v2"
[ "$pages" = v2:30 ] || fail "after the rollback the pages are $pages, not v2 only"
head -1 "$work/rollback.out" | grep -q '^requests=[0-9]* failed=0 ' || fail "requests failed during the rollback"
step "done: zero failed requests, v3 rolled back to v2"

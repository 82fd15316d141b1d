#!/usr/bin/env bash
# Client verbs side by side: how long `enviro ps`, `images`, `logs` and `exec` take as a user types
# them, through the native client (client/, the default) and through the Java CLI
# (ENVIRO_CLIENT=java: a fresh JVM with its AOT cache), against one warm daemon, interleaved round by
# round (order shuffled per round; round 0 discarded).
#
#   benchmarks/client-verbs.sh [ROUNDS]      (default 20; needs root and a built tree)
#
# Each call is a fresh process timed from outside (bash, date +%s%N): bin/enviro's bash, the client's
# start, its connection, the RPC and the printing. Medians, min, max and the Java/native ratio; the
# table is kept in benchmarks/results/<time>-verbs.md.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
rounds=${1:-20}
die() { echo "client-verbs: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "run as root"
[[ -x $repo/client/target/enviro-client && -d $repo/cli/target ]] || die "build first: mvn -B -o install -DskipTests"

work=$(mktemp -d /tmp/enviro-verbbench.XXXXXX)
chmod 755 "$work" # the containers' unprivileged root must reach the state directory below
daemon_pid=
enviro() { "$repo/bin/enviro" --host "unix://$work/sock" "$@"; }
cleanup() {
  if [[ -n $daemon_pid ]]; then
    enviro rm -f bench-target >/dev/null 2>&1 || true
    kill "$daemon_pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$repo/scripts/busybox-image.sh" "$work/busybox.tar" >/dev/null
"$repo/bin/enviro" daemon --state-dir "$work/state" --host "unix://$work/sock" >"$work/daemon.log" 2>&1 & daemon_pid=$!
for _ in $(seq 300); do enviro ps >/dev/null 2>&1 && break; sleep 0.1; done
enviro ps >/dev/null || die "the daemon did not start: $(tail -3 "$work/daemon.log")"
enviro load -i "$work/busybox.tar" >/dev/null
enviro run -d --name bench-target localhost/busybox sh -c 'for i in $(seq 100); do echo line $i; done; sleep 3600' >/dev/null
# the Java CLI's AOT cache is trained in the background on its first use: give it that use and time
ENVIRO_CLIENT=java enviro ps >/dev/null; sleep 15

verbs=("ps -a" "images" "logs bench-target" "exec bench-target true")
results=$work/times
for r in $(seq 0 "$rounds"); do
  for call in $(for v in "${!verbs[@]}"; do echo "native:$v"; echo "java:$v"; done | shuf); do
    client=${call%%:*} verb=${verbs[${call#*:}]}
    t0=$(date +%s%N)
    if [[ $client == java ]]; then ENVIRO_CLIENT=java enviro $verb >/dev/null; else enviro $verb >/dev/null; fi
    t1=$(date +%s%N)
    (( r == 0 )) || echo "$client ${verb%% *} $(( (t1 - t0) / 1000 ))" >>"$results"
  done
done

out="$repo/benchmarks/results/$(date -u +%Y-%m-%dT%H%M%SZ)-verbs.md"
{
echo "# benchmarks/client-verbs.sh $rounds, $(date -u '+%Y-%m-%d %H:%M') UTC, $(git -C "$repo" rev-parse --short HEAD 2>/dev/null)"
echo '```'
python3 - "$results" "$rounds" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    client, verb, us = line.split()
    rows.setdefault(verb, {}).setdefault(client, []).append(int(us) / 1000)
print(f"one fresh process per call, {sys.argv[2]} interleaved rounds, warm daemon; ms")
print(f"{'verb':<8}{'native median':>15}{'min':>8}{'max':>8}{'java median':>13}{'min':>8}{'max':>8}{'java/native':>13}")
for verb, c in rows.items():
    n, j = c["native"], c["java"]
    print(f"{verb:<8}{statistics.median(n):>15.1f}{min(n):>8.1f}{max(n):>8.1f}{statistics.median(j):>13.1f}{min(j):>8.1f}{max(j):>8.1f}{statistics.median(j)/statistics.median(n):>12.1f}x")
PY
echo '```'
} | tee "$out"
echo "(kept in $out)" >&2

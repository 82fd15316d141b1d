#!/usr/bin/env bash
# Client verbs side by side: how long `enviro` verbs take as a user types them (bin/enviro: the relay,
# the verb run inside the warm engine), with `podman ps` and `podman inspect` in the same run, and
# `ps` through the Java CLI in a JVM of its own (ENVIRO_CLIENT=java, with its AOT cache) for reference;
# interleaved round by round (order shuffled per round; round 0 discarded).
#
#   benchmarks/client-verbs.sh [ROUNDS]            (default 20; needs root and a built tree)
#   benchmarks/client-verbs.sh [ROUNDS] network    `run --rm true` with --network none and bridge, beside
#                                                  podman's none and default (netavark bridge) networks:
#                                                  what network set-up adds (issue 12: at most 25%)
#
# Each call is a fresh process timed from outside (bash, date +%s%N). Medians, min, max and each
# verb's median over podman ps's; the table is kept in benchmarks/results/<time>-verbs.md.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
rounds=${1:-20}
set_=${2:-verbs}
[[ $set_ == @(verbs|network) ]] || { echo "client-verbs: unknown set '$set_': verbs or network" >&2; exit 1; }
die() { echo "client-verbs: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "run as root"
[[ -x $repo/ffm/target/enviro-relay && -d $repo/daemon/target ]] || die "build first: mvn -B -o install -DskipTests"
command -v podman >/dev/null || die "podman is missing: apt-get install podman"

work=$(mktemp -d /tmp/enviro-verbbench.XXXXXX)
chmod 755 "$work" # the containers' unprivileged root must reach the state directory below
daemon_pid=
# the engine's bridge and nftables table, removed at the end when this run made them (the network set)
bridge_before=false; [[ -e /sys/class/net/enviro0 ]] && bridge_before=true
table_before=false; nft list table ip enviro >/dev/null 2>&1 && table_before=true
records_before=false; [[ -e /run/enviro/networks ]] && records_before=true
enviro() { "$repo/bin/enviro" --host "unix://$work/sock" "$@"; }
# podman in a store of its own, so that nothing of the host's podman is touched
podman_() { podman --root "$work/podman-root" --runroot "$work/podman-run" --storage-driver overlay "$@"; }
cleanup() {
  podman_ rm -f -t 0 bench-target >/dev/null 2>&1 || true
  podman_ rmi -a -f >/dev/null 2>&1 || true
  if [[ -n $daemon_pid ]]; then
    enviro rm -f bench-target >/dev/null 2>&1 || true
    kill "$daemon_pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  umount -R "$work/podman-root/overlay" 2>/dev/null || true
  rm -rf "$work"
  $table_before || nft delete table ip enviro 2>/dev/null || true
  $bridge_before || ip link del enviro0 2>/dev/null || true
  $records_before || rm -rf /run/enviro/networks
}
trap cleanup EXIT

"$repo/scripts/busybox-image.sh" "$work/busybox.tar" >/dev/null
"$repo/bin/enviro" daemon --state-dir "$work/state" --host "unix://$work/sock" >"$work/daemon.log" 2>&1 & daemon_pid=$!
for _ in $(seq 300); do enviro ps >/dev/null 2>&1 && break; sleep 0.1; done
enviro ps >/dev/null || die "the daemon did not start: $(tail -3 "$work/daemon.log")"
enviro load -i "$work/busybox.tar" >/dev/null
enviro run -d --name bench-target localhost/busybox sh -c 'for i in $(seq 100); do echo line $i; done; sleep 3600' >/dev/null
podman_ load -i "$work/busybox.tar" >/dev/null
podman_ run -d --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --name bench-target localhost/busybox sleep 3600 >/dev/null
# the Java CLI's AOT cache is trained in the background on its first use: give it that use and time
ENVIRO_CLIENT=java enviro ps >/dev/null; sleep 15

calls=("enviro:ps -a" "enviro:images" "enviro:inspect bench-target" "enviro:info" "enviro:logs bench-target"
       "enviro:exec bench-target true" "enviro:events --since 1m --until now" "enviro:stats --no-stream"
       "java:ps -a" "podman:ps -a" "podman:inspect bench-target")
base="podman|ps -a"
podman_run="run --rm --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096"
if [[ $set_ == network ]]; then
  calls=("enviro:run --rm --network none localhost/busybox true" "enviro:run --rm --network bridge localhost/busybox true"
         "podman:$podman_run --network none localhost/busybox true" "podman:$podman_run localhost/busybox true")
  base="enviro|run --rm --network none localhost/busybox true"
fi
results=$work/times
for r in $(seq 0 "$rounds"); do
  for i in $(shuf -e "${!calls[@]}"); do
    tool=${calls[$i]%%:*} line=${calls[$i]#*:}
    t0=$(date +%s%N)
    case $tool in
      enviro) enviro $line >/dev/null ;;
      java) ENVIRO_CLIENT=java enviro $line >/dev/null ;;
      podman) podman_ $line >/dev/null ;;
    esac
    t1=$(date +%s%N)
    (( r == 0 )) || echo "$tool|$line|$(( (t1 - t0) / 1000 ))" >>"$results"
  done
done

out="$repo/benchmarks/results/$(date -u +%Y-%m-%dT%H%M%SZ)-$set_.md"
{
echo "# benchmarks/client-verbs.sh $rounds $set_, $(date -u '+%Y-%m-%d %H:%M') UTC, $(git -C "$repo" rev-parse --short HEAD 2>/dev/null)"
echo
python3 - "$results" "$rounds" "$base" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    tool, verb, us = line.rstrip("\n").split("|")
    rows.setdefault((tool, verb), []).append(int(us) / 1000)
base_tool, base_verb = sys.argv[3].split("|")
base = statistics.median(rows[(base_tool, base_verb)])
target = "every enviro verb <= 0.3x podman ps" if base_tool == "podman" else "the bridge adds at most 25% to --network none"
print(f"One fresh process per call, {sys.argv[2]} interleaved rounds, warm engine; ms. Target: {target}.")
print()
print(f"| command | median | min | max | x {base_tool} {base_verb} |")
print("| --- | ---: | ---: | ---: | ---: |")
names = {"enviro": "enviro", "java": "enviro (Java CLI, ENVIRO_CLIENT=java)", "podman": "podman"}
for (tool, verb), t in rows.items():
    print(f"| `{names[tool]} {verb}` | {statistics.median(t):.1f} | {min(t):.1f} | {max(t):.1f} | {statistics.median(t)/base:.2f} |")
PY
} | tee "$out"
echo "(kept in $out)" >&2

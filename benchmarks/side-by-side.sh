#!/usr/bin/env bash
# Side-by-side: `true` in a fresh container through Enviro's API, Enviro's CLI, crun and runc, on
# the same busybox image, interleaved round by round in one run. See benchmarks/README.md.
#
#   benchmarks/side-by-side.sh [ROUNDS] [--only api,cli,crun,runc] [--warmup N] [--seed N]
#
# ROUNDS (default 30) are measured after --warmup rounds (default 3) that are discarded. Needs root
# (crun and runc get the user namespace of Enviro's root engine: container 0..65535 = host
# 100000..165535) and a built tree (mvn -B -o install -DskipTests at the repository root).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# Enviro's root engine maps container root to this unprivileged host range (dev.enviro.ffm.IdMap.defaultRoot).
id_map=0:100000:65536
image=localhost/busybox

die() { echo "side-by-side: $*" >&2; exit 1; }

rounds=30 warmup=3 only=api,cli,crun,runc seed=
while (($#)); do
  case $1 in
    --only) only=${2:?--only needs a list, e.g. crun,runc}; shift 2 ;;
    --warmup) warmup=${2:?--warmup needs a number}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) rounds=$1; shift ;;
    *) die "unknown argument '$1'; usage: side-by-side.sh [ROUNDS] [--only api,cli,crun,runc] [--warmup N] [--seed N]" ;;
  esac
done
wants() { [[ ,$only, == *,$1,* ]]; }
for v in ${only//,/ }; do
  [[ $v == @(api|cli|crun|runc) ]] || die "unknown variant '$v' in --only: choose from api,cli,crun,runc"
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a whole number above 0, not '$rounds'"
[[ $warmup =~ ^[0-9]+$ ]] || die "--warmup must be a whole number, not '$warmup'"
engine=false; { wants api || wants cli; } && engine=true
oci=false; { wants crun || wants runc; } && oci=true

[[ $EUID -eq 0 ]] || die "run as root: crun and runc are given Enviro's root id mapping ($id_map), which only root may write"
for tool in python3 unshare mount "$JAVA_HOME/bin/java"; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
if $oci; then
  for tool in skopeo umoci; do command -v "$tool" >/dev/null || die "$tool is missing: apt-get install $tool"; done
fi
wants crun && { command -v crun >/dev/null || die "crun is missing: apt-get install crun, or leave it out of --only"; }
wants runc && { command -v runc >/dev/null || die "runc is missing: apt-get install runc, or leave it out of --only"; }
[[ -f $repo/benchmarks/target/classes/dev/enviro/bench/SideBySide.class && -d $repo/benchmarks/target/lib ]] \
  || die "the harness is not built: run mvn -B -o install -DskipTests at $repo"
if $engine; then
  [[ -x $repo/bin/enviro && -d $repo/daemon/target ]] \
    || die "bin/enviro or daemon/target is missing: run mvn -B -o install -DskipTests at $repo, or run --only crun,runc"
fi

work=$(mktemp -d /tmp/enviro-bench.XXXXXX)
# The containers' root is host uid 100000, which must be able to walk down to the bundle's rootfs.
chmod 755 "$work"
daemon_log=$(mktemp /tmp/enviro-bench-daemon.XXXXXX.log)
results=$repo/benchmarks/results/$(date -u +%Y-%m-%dT%H%M%SZ).md
daemon_pid=

stop_daemon() {
  [[ -n $daemon_pid ]] || return 0
  if kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"
    for _ in $(seq 150); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$daemon_pid" 2>/dev/null; then
      echo "side-by-side: the Enviro daemon (pid $daemon_pid) ignored SIGTERM for 15 s; sending SIGKILL" >&2
      kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
  fi
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_daemon
  # Containers a failed or interrupted run left behind; the private state roots hold only ours.
  for rt in crun runc; do
    local state=$work/$rt-state
    [[ -d $state ]] || continue
    for id in $("$rt" --root "$state" list -q 2>/dev/null); do
      "$rt" --root "$state" delete --force "$id" >/dev/null 2>&1 || echo "side-by-side: could not delete $rt container $id" >&2
    done
  done
  # An engine killed mid-run may leave its rootfs mounts under our state dir; they are ours to undo.
  findmnt -rn -o TARGET | awk -v w="$work/" 'index($0, w) == 1' | sort -r | while read -r m; do
    umount -l "$m" || echo "side-by-side: could not unmount $m" >&2
  done
  rm -rf --one-file-system "$work"
  if ((rc != 0)); then
    rm -f "$results" "${results%.md}-samples.csv"
    [[ -s $daemon_log ]] || rm -f "$daemon_log"  # a failure message names the log it kept
  else
    rm -f "$daemon_log"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "side-by-side: building the busybox image in $work" >&2
digest=$("$repo/scripts/busybox-image.sh" "$work/busybox.tar" "$image:latest")

if $oci; then
  # The very image Enviro loads, unpacked into a runtime bundle whose files belong to the mapped ids.
  skopeo --insecure-policy copy -q "oci-archive:$work/busybox.tar:$image:latest" "oci:$work/layout:latest"
  umoci unpack --image "$work/layout:latest" --uid-map "$id_map" --gid-map "$id_map" "$work/bundle" >/dev/null
  chmod 755 "$work/bundle"  # umoci creates it 0700, which host uid 100000 cannot enter
  python3 - "$work/bundle/config.json" <<'PY'
import json, os, sys
path = sys.argv[1]
config = json.load(open(path))
config["process"]["args"] = ["true"]
config["process"]["terminal"] = False
with open(path + ".tmp", "w") as fh:
    json.dump(config, fh, indent=2)
os.replace(path + ".tmp", path)
PY
fi

if $engine; then
  socket=$work/enviro.sock
  "$repo/bin/enviro" daemon --state-dir "$work/state" --host "unix://$socket" >"$daemon_log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 600); do
    [[ -S $socket ]] && break
    kill -0 "$daemon_pid" 2>/dev/null || { daemon_pid=; die "the Enviro daemon exited while starting: $(tail -n 1 "$daemon_log") (log: $daemon_log)"; }
    sleep 0.1
  done
  [[ -S $socket ]] || die "the Enviro daemon (pid $daemon_pid) did not open $socket within 60 s: $(tail -n 1 "$daemon_log") (log: $daemon_log)"
  load_out=$("$repo/bin/enviro" --host "unix://$socket" load -i "$work/busybox.tar" 2>&1) \
    || die "loading $work/busybox.tar into the Enviro daemon failed: $(tail -n 1 <<<"$load_out") (daemon log: $daemon_log)"
fi

mkdir -p "$repo/benchmarks/results"
{
  echo "# Side-by-side: \`true\` in a fresh container"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- host: $(uname -sr), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "- enviro: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes)')"
  wants crun && echo "- $(crun --version | head -n 1)"
  wants runc && echo "- $(runc --version | head -n 1)"
  echo "- java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
  echo "- image: $image $digest; crun and runc: umoci bundle of it, ids mapped $id_map"
  echo
} >"$results"

# crun 1.8 refuses a hybrid cgroup host while the v2 hierarchy lists controllers files; hide that
# file from the runtimes only, in a mount namespace that ends with the driver.
controllers=/sys/fs/cgroup/unified/cgroup.controllers
[[ -f $controllers ]] || controllers=
driver=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
  -Dlogback.configurationFile=logback-side-by-side.xml
  -cp "$repo/benchmarks/target/classes:$repo/benchmarks/target/lib/*" dev.enviro.bench.SideBySide
  --work "$work" --rounds "$rounds" --warmup "$warmup" --only "$only" --image "$image" --results "$results")
[[ -n $seed ]] && driver+=(--seed "$seed")
$oci && driver+=(--bundle "$work/bundle")
$engine && driver+=(--socket "$socket" --enviro "$repo/bin/enviro")

unshare --mount --propagation private -- /bin/sh -c '
  if [ -n "$1" ]; then mount --bind /dev/null "$1" || exit 1; fi
  shift; exec "$@"' sh "$controllers" "${driver[@]}"

echo "side-by-side: results written to ${results#"$repo"/}" >&2

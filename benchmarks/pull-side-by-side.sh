#!/usr/bin/env bash
# Pull side by side: pull + unpack of a ~52 MB image (busybox base, a 1 MB and a 50 MB layer of
# random data) from Debian's docker-registry on 127.0.0.1, by Enviro, podman, and skopeo + umoci,
# interleaved round by round (order shuffled per round), each variant from an empty store.
#
#   benchmarks/pull-side-by-side.sh [ROUNDS]      (default 5; needs root and a built tree)
#
# Variants:
#   enviro-pull      `enviro pull` (bin/enviro: the relay, the verb run in the engine; a fresh process each time) against the
#                    engine's daemon, which runs for the whole benchmark as dockerd would; download +
#                    verify + commit + unpack while downloading. Before each pull the image is removed
#                    and the store pruned (checked empty), so every pull starts from nothing on disk.
#   enviro-pull-java the same through the Java CLI (ENVIRO_CLIENT=java: a fresh JVM, AOT cache).
#   enviro-pull+run  the same plus `enviro run --rm IMAGE true` (one container start on the new image).
#   enviro-pull-api  the Pull RPC from a warm client JVM against the same daemon (benchmarks PullApi);
#                    where its time goes is printed per round at the end.
#   enviro-pull-cold `enviro pull` as the first request of a daemon started for it (cold JIT: the figure
#                    after an engine restart).
#   podman           `podman --root T --runroot R pull` (downloads and unpacks into containers/storage).
#   skopeo+umoci     `skopeo copy` to an OCI layout, then `umoci unpack`.
# Medians and ratios to podman.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
rounds=${1:-5}
die() { echo "pull-side-by-side: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "run as root"
for t in docker-registry skopeo umoci podman python3; do command -v $t >/dev/null || die "$t is missing: apt-get install $t"; done
[[ -x $repo/bin/enviro && -d $repo/daemon/target ]] || die "build first: mvn -B -o install -DskipTests"

work=$(mktemp -d /tmp/enviro-pullbench.XXXXXX)
chmod 755 "$work"
reg_pid= daemon_pid= warm_pid=
cleanup() {
  [[ -n $daemon_pid ]] && stop_daemon "$daemon_pid"
  [[ -n $warm_pid ]] && stop_daemon "$warm_pid"
  [[ -n $reg_pid ]] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  [[ -d $work/podman ]] && podman --root "$work/podman/root" --runroot "$work/podman/run" system reset -f >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

"$repo/scripts/busybox-image.sh" "$work/busybox.tar" >/dev/null
mkdir "$work/layout" && tar -xf "$work/busybox.tar" -C "$work/layout"
python3 - "$work/layout" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
root = sys.argv[1]
def blob(b):
    d = hashlib.sha256(b).hexdigest()
    open(os.path.join(root, "blobs/sha256", d), "wb").write(b)
    return "sha256:" + d, len(b)
def layer(name, size):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
        ti = tarfile.TarInfo(name); ti.size = size; ti.mode = 0o644
        t.addfile(ti, io.BytesIO(os.urandom(size)))
    r = raw.getvalue()
    gz = gzip.compress(r, compresslevel=1, mtime=0)
    return blob(gz), "sha256:" + hashlib.sha256(r).hexdigest()
index = json.load(open(os.path.join(root, "index.json")))
mdesc = index["manifests"][0]
manifest = json.load(open(os.path.join(root, "blobs/sha256", mdesc["digest"][7:])))
config = json.load(open(os.path.join(root, "blobs/sha256", manifest["config"]["digest"][7:])))
for name, size in (("one-mb.bin", 1 << 20), ("fifty-mb.bin", 50 << 20)):
    (d, n), diff = layer(name, size)
    manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": n})
    config["rootfs"]["diff_ids"].append(diff)
cd, cn = blob(json.dumps(config).encode())
manifest["config"].update(digest=cd, size=cn)
md, mn = blob(json.dumps(manifest).encode())
index["manifests"] = [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": mn,
                       "annotations": {"org.opencontainers.image.ref.name": "bench"}}]
json.dump(index, open(os.path.join(root, "index.json"), "w"))
PY

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$work/registry" "$port" > "$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 & reg_pid=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
ref=127.0.0.1:$port/bench/pull:1
skopeo copy --quiet --dest-tls-verify=false "oci:$work/layout:bench" "docker://$ref"

now() { date +%s%N; }
start_daemon() { # $1 state dir $2 socket; prints the PID once the daemon answers (it is not this shell's child)
  mkdir -p "$(dirname "$1")"
  "$repo/bin/enviro" daemon --state-dir "$1" --host "unix://$2" >"$1.log" 2>&1 & local pid=$!
  for _ in $(seq 300); do "$repo/bin/enviro" --host "unix://$2" ps >/dev/null 2>&1 && break; sleep 0.1; done
  echo "$pid"
}
stop_daemon() { # $1 PID: SIGTERM, then wait until it is gone
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
}
warm=$work/warm
warm_pid=$(start_daemon "$warm/state" "$warm/sock")
empty_store() { # the warm daemon's store holds no image, blob or layer
  "$repo/bin/enviro" --host "unix://$warm/sock" rmi -f "$ref" >/dev/null 2>&1 || true
  "$repo/bin/enviro" --host "unix://$warm/sock" image prune -a >/dev/null
  [[ -z $(ls -A "$warm/state/content/blobs/sha256") && -z $(ls -A "$warm/state/snapshots/layers") ]] || die "the store is not empty after rmi + prune"
}
# Each timed pull starts after `sync`: with ext4's ordered data mode a pull's fsync commits the journal,
# which writes out every dirty block allocated before it, so without it a pull would pay for the
# writeback of whatever variant ran before it.
# Every tool keeps one store for the whole run and has it emptied before each pull, as a user's
# machine has one: files deleted a moment ago slow the next creations on ext4 (its inode allocator
# skips recently freed inodes), and a fresh directory per round would spare one tool that cost.
pod=(podman --root "$work/podman/root" --runroot "$work/podman/run")
run_variant() { # $1 variant $2 round; appends "variant ms" lines
  local v=$1 r=$2 t0 t1 t2
  case $v in
    enviro)
      empty_store
      sync; t0=$(now); "$repo/bin/enviro" --host "unix://$warm/sock" pull "$ref" >/dev/null; t1=$(now)
      "$repo/bin/enviro" --host "unix://$warm/sock" run --rm "$ref" true; t2=$(now)
      echo "enviro-pull $(( (t1 - t0) / 1000000 ))"; echo "enviro-pull+run $(( (t2 - t0) / 1000000 ))"
      empty_store
      # the Pull RPC from a warm client JVM (its round 0 warms up; the image is removed and pruned between)
      "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
        -cp "$repo/benchmarks/target/classes:$repo/benchmarks/target/lib/*" dev.enviro.bench.PullApi "$warm/sock" "$ref" 1 2>>"$work/breakdown"
      empty_store
      sync; t0=$(now); ENVIRO_CLIENT=java "$repo/bin/enviro" --host "unix://$warm/sock" pull "$ref" >/dev/null; t1=$(now)
      echo "enviro-pull-java $(( (t1 - t0) / 1000000 ))" ;;
    enviro-cold)
      daemon_pid=$(start_daemon "$work/cold/state" "$work/cold/sock")
      sync; t0=$(now); "$repo/bin/enviro" --host "unix://$work/cold/sock" pull "$ref" >/dev/null; t1=$(now)
      echo "enviro-pull-cold $(( (t1 - t0) / 1000000 ))"
      "$repo/bin/enviro" --host "unix://$work/cold/sock" rmi -f "$ref" >/dev/null
      "$repo/bin/enviro" --host "unix://$work/cold/sock" image prune -a >/dev/null
      stop_daemon "$daemon_pid"; daemon_pid= ;;
    podman)
      "${pod[@]}" rmi -af >/dev/null 2>&1 || true
      [[ -z $("${pod[@]}" images -q) ]] || die "podman's store is not empty after rmi -af"
      sync; t0=$(now); "${pod[@]}" pull -q --tls-verify=false "docker://$ref" >/dev/null; t1=$(now)
      echo "podman $(( (t1 - t0) / 1000000 ))" ;;
    skopeo)
      rm -rf "$work/skopeo"; mkdir -p "$work/skopeo"
      sync; t0=$(now); skopeo copy --quiet --src-tls-verify=false "docker://$ref" "oci:$work/skopeo/oci:bench"
      umoci unpack --image "$work/skopeo/oci:bench" "$work/skopeo/bundle" >/dev/null; t1=$(now)
      echo "skopeo+umoci $(( (t1 - t0) / 1000000 ))" ;;
  esac
}
results=$work/times
for r in $(seq 0 "$rounds"); do # round 0 is a discarded warm-up
  for v in $(printf 'enviro\nenviro-cold\npodman\nskopeo\n' | shuf); do
    if (( r == 0 )); then run_variant "$v" "$r" >/dev/null; else run_variant "$v" "$r" >>"$results"; fi
  done
done
out="$repo/benchmarks/results/$(date -u +%Y-%m-%dT%H%M%SZ)-pull.md"
{
echo "# benchmarks/pull-side-by-side.sh $rounds, $(date -u '+%Y-%m-%d %H:%M') UTC, $(git -C "$repo" rev-parse --short HEAD 2>/dev/null)"
echo '```'
python3 - "$results" "$rounds" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) != 2 or not parts[1].isdigit():
        print("pull-side-by-side: unexpected line: " + line.rstrip(), file=sys.stderr); continue
    v, ms = parts; rows.setdefault(v, []).append(int(ms))
base = statistics.median(rows["podman"])
print(f"pull + unpack of a ~52 MB image (3 gzip layers: busybox, 1 MiB, 50 MiB random) from docker-registry on 127.0.0.1, {sys.argv[2]} interleaved rounds")
print(f"{'variant':<18}{'median ms':>10}{'min':>8}{'max':>8}{'vs podman':>11}")
for v in ("enviro-pull", "enviro-pull+run", "enviro-pull-api", "enviro-pull-java", "enviro-pull-cold", "podman", "skopeo+umoci"):
    xs = rows[v]; m = statistics.median(xs)
    print(f"{v:<18}{m:>10.0f}{min(xs):>8}{max(xs):>8}{m/base:>10.2f}x")
PY
echo "where enviro-pull-api's time went (ms since the call; per layer: first-last byte, commit):"
grep '^round' "$work/breakdown" || true
echo '```'
} | tee "$out"
echo "(kept in $out)" >&2

#!/usr/bin/env bash
# Per-step durations of containers' lifecycles from a JFR recording of the daemon (docs/performance.md).
#
#   ENVIRO_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/run.jfr bin/enviro daemon ...
#   scripts/lifecycle-steps.sh /tmp/run.jfr [SKIP]
#
# Prints, for each dev.enviro.LifecycleStep name, the count, median, p95 and mean in ms, skipping the
# first SKIP containers (default 3: warm-up) in the order their first step was recorded.
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
file=${1:?usage: lifecycle-steps.sh RECORDING.jfr [SKIP]}
skip=${2:-3}
"$JAVA_HOME/bin/jfr" print --json --events dev.enviro.LifecycleStep "$file" | python3 -c '
import json, re, sys
skip = int(sys.argv[1])
events = json.load(sys.stdin)["recording"]["events"]
def ms(d):  # ISO-8601 duration, e.g. PT0.012345S
    m = re.fullmatch(r"PT(?:(\d+)M)?([\d.]+)S", d)
    return (int(m.group(1) or 0) * 60 + float(m.group(2))) * 1000 if m else 0.0
events.sort(key=lambda e: e["values"]["startTime"])
order = []
for e in events:
    c = e["values"]["container"]
    if c and c not in order: order.append(c)
kept = set(order[skip:])
steps = {}
for e in events:
    v = e["values"]
    if v["container"] in kept:
        steps.setdefault(v["step"], []).append(ms(v["duration"]))
first = {}
for e in events:
    first.setdefault(e["values"]["step"], e["values"]["startTime"])
print(f"{len(kept)} containers")
print("%-24s %4s %8s %8s %8s" % ("step", "n", "median", "p95", "mean"))
for step in sorted(steps, key=lambda s: first[s]):
    d = sorted(steps[step]); n = len(d)
    med = d[n // 2] if n % 2 else (d[n // 2 - 1] + d[n // 2]) / 2
    p95 = d[max(0, -(-95 * n // 100) - 1)]
    print(f"{step:24} {n:4} {med:8.2f} {p95:8.2f} {sum(d) / n:8.2f}")
' "$skip"

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
"$JAVA_HOME/bin/jfr" print --json --events dev.enviro.LifecycleStep "$file" | python3 "$(dirname "$0")/jfr-steps.py" field:container "$skip"

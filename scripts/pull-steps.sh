#!/usr/bin/env bash
# Per-step durations of image pulls from a JFR recording of the daemon (docs/performance.md).
#
#   ENVIRO_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/pull.jfr bin/enviro daemon ...
#   scripts/pull-steps.sh /tmp/pull.jfr [SKIP]
#
# Prints, for each dev.enviro.PullStep name, the count, median, p95 and mean in ms, skipping the first
# SKIP pulls (default 3: warm-up). Layer steps overlap (layers download and unpack in parallel).
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
file=${1:?usage: pull-steps.sh RECORDING.jfr [SKIP]}
skip=${2:-3}
"$JAVA_HOME/bin/jfr" print --json --events dev.enviro.PullStep "$file" | python3 "$(dirname "$0")/jfr-steps.py" span:pull "$skip"

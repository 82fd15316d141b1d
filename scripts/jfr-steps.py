#!/usr/bin/env python3
"""Per-step durations from `jfr print --json --events EVENT` on stdin (docs/performance.md).

    jfr-steps.py field:NAME SKIP   one unit per value of the event's NAME field (a container's id)
    jfr-steps.py span:STEP SKIP    one unit per event whose step is STEP (a whole pull); the other
                                   events belong to the unit whose time span holds their start

Prints, for each step name (in the order first seen), the count, median, p95 and mean in ms, skipping
the first SKIP units (warm-up) in the order they began.
"""
import json
import re
import sys


def ms(d):  # ISO-8601 duration, e.g. PT0.012345S
    m = re.fullmatch(r"PT(?:(\d+)M)?([\d.]+)S", d)
    return (int(m.group(1) or 0) * 60 + float(m.group(2))) * 1000 if m else 0.0


def units_by_field(events, field):
    return {id(e): e["values"][field] for e in events if e["values"].get(field)}


def units_by_span(events, step):
    """Each event belongs to the last STEP event that began at or before it (events are sorted by start)."""
    unit, current = {}, None
    for e in events:
        if e["values"]["step"] == step:
            current = id(e)
        if current is not None:
            unit[id(e)] = current
    return unit


def main():
    grouping, skip = sys.argv[1], int(sys.argv[2])
    kind, _, name = grouping.partition(":")
    events = json.load(sys.stdin)["recording"]["events"]
    events.sort(key=lambda e: e["values"]["startTime"])
    unit = units_by_field(events, name) if kind == "field" else units_by_span(events, name)
    order = []
    for e in events:
        u = unit.get(id(e))
        if u is not None and u not in order:
            order.append(u)
    kept = set(order[skip:])
    steps, first = {}, {}
    for e in events:
        v = e["values"]
        # steps about a blob are told apart by its size (a pull's small and large layers differ)
        label = v["step"] + (f" {v['bytes'] / 2**20:.1f}MiB" if isinstance(v.get("bytes"), int) and v["bytes"] > 0 else "")
        first.setdefault(label, v["startTime"])
        if unit.get(id(e)) in kept:
            steps.setdefault(label, []).append(ms(v["duration"]))
    print(f"{len(kept)} {'containers' if kind == 'field' else name + 's'}")
    print("%-30s %4s %8s %8s %8s" % ("step", "n", "median", "p95", "mean"))
    for step in sorted(steps, key=lambda s: first[s]):
        d = sorted(steps[step])
        n = len(d)
        med = d[n // 2] if n % 2 else (d[n // 2 - 1] + d[n // 2]) / 2
        p95 = d[max(0, -(-95 * n // 100) - 1)]
        print(f"{step:30} {n:4} {med:8.2f} {p95:8.2f} {sum(d) / n:8.2f}")


if __name__ == "__main__":
    main()

package dev.enviro.runtime;

import java.time.Instant;

/**
 * One sample of a running container's resource counters ({@code enviro stats}). CPU is cumulative, so
 * a percentage is the difference of two samples over the wall time between them.
 *
 * @param cpuNanos    CPU time all its tasks have used since it started
 * @param memoryBytes working set: memory charged minus inactive page cache (what {@code docker stats} shows)
 * @param memoryLimit the hard limit; 0 when none (the host's memory is the limit)
 * @param pids        tasks (processes and threads) now
 * @param pidsLimit   0 when none
 * @param sampledAt   when the counters were read
 */
public record ResourceUsage(long cpuNanos, long memoryBytes, long memoryLimit, long pids, long pidsLimit, Instant sampledAt) {}

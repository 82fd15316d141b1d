package dev.enviro.runtime.cgroups;

/**
 * One sample of a container's cgroup counters.
 *
 * @param cpuNanos    CPU time used by every task since the cgroup was created (v1 cpuacct.usage, v2 cpu.stat)
 * @param memoryBytes the working set: usage minus inactive page cache, as {@code docker stats} shows it
 * @param memoryLimit the hard limit, 0 when none
 * @param pids        tasks now
 * @param pidsLimit   the most tasks allowed, 0 when none
 */
public record CgroupUsage(long cpuNanos, long memoryBytes, long memoryLimit, long pids, long pidsLimit) {}

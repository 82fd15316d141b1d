package dev.enviro.runtime;

import java.nio.file.Path;

/**
 * A started container as the engine records it (in the {@code Started} event), so that a restarted
 * engine can find it again. Identity is pid <em>and</em> start time: a pid alone may have been reused.
 *
 * @param pid              the container's init, as seen from the host
 * @param pidStartTime     field 22 of {@code /proc/<pid>/stat} (clock ticks since boot)
 * @param monitorPid       the helper's monitor: the container's parent, which records the exit status
 * @param monitorStartTime field 22 of {@code /proc/<monitorPid>/stat}
 * @param logPath          the log file the monitor appends to (CRI format, see docs/logs.md)
 * @param statusPath       the exit status file the monitor writes atomically when the container exits
 */
public record ContainerProcess(
        String containerId,
        int pid,
        long pidStartTime,
        int monitorPid,
        long monitorStartTime,
        Path logPath,
        Path statusPath) {}

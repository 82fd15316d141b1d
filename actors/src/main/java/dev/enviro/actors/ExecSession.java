package dev.enviro.actors;

import dev.enviro.runtime.ExitStatus;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;

/**
 * A started {@code exec}: its own log (CRI format, written by its own monitor) and its exit, which
 * completes once the monitor has recorded it. Not journaled yet: an exec is not a lifecycle event of the
 * container (docs/exec.md).
 */
public record ExecSession(String containerId, String execId, int pid, Path logPath, CompletionStage<ExitStatus> exit) {}

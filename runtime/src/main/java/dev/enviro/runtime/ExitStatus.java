package dev.enviro.runtime;

import java.time.Instant;

/**
 * How a container ended. {@code exitCode} follows the shell convention: {@code 128 + signal} when a
 * signal killed it; {@code -1} when no monitor survived to record it (the status is unknowable).
 */
public record ExitStatus(int exitCode, int signal, Instant finishedAt, boolean oomKilled) {

    public static ExitStatus unknown(Instant observedAt) {
        return new ExitStatus(-1, 0, observedAt, false);
    }
}

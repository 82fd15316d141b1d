package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.JournalProbe;
import dev.enviro.persistence.JournalSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Keeps commands that would change state away from a journal that is down. An actor whose write fails
 * is restarted with back-off by its supervisor (and the journal's circuit breaker opens), but its caller
 * would only learn that from a timeout; so a state-changing call first asks this gate, which probes a
 * remote journal at most once per {@code interval} while it answers and at every call while it does
 * not, and fails the call at once with one line saying so. A call that failed anyway (the journal went
 * away after the probe) is explained by a fresh probe. The embedded H2 journal is never probed: it
 * cannot be down while the engine runs; its failures (disk full) reach callers through the actors.
 */
final class JournalGate {

    private record Probe(long atNanos, Optional<String> down) {}

    private final JournalSettings settings;
    private final Executor blocking;
    private final long intervalNanos;
    private volatile Probe last;

    JournalGate(JournalSettings settings, Executor blocking, Duration interval) {
        this.settings = settings;
        this.blocking = blocking;
        this.intervalNanos = interval.toNanos();
    }

    /** Completes when the call may go on; fails with {@link #unavailable} while the journal is down. */
    CompletionStage<Void> admit() {
        if (settings.backend() == JournalSettings.Backend.H2) {
            return CompletableFuture.completedFuture(null);
        }
        Probe p = last;
        if (p != null && p.down().isEmpty() && System.nanoTime() - p.atNanos() < intervalNanos) {
            return CompletableFuture.completedFuture(null);
        }
        return probe().thenApply(down -> {
            down.ifPresent(cause -> {
                throw unavailable(cause);
            });
            return null;
        });
    }

    /** {@code failure} of a state-changing call, or the journal's unavailability if that was the cause. */
    CompletionStage<EnviroError> explain(EnviroError failure) {
        if (settings.backend() == JournalSettings.Backend.H2 || isJournalError(failure)
                || (!failure.is(ErrorCode.UNAVAILABLE) && !failure.is(ErrorCode.INTERNAL))) {
            return CompletableFuture.completedFuture(failure);
        }
        return probe().thenApply(down -> down.map(this::unavailable).orElse(failure));
    }

    private CompletionStage<Optional<String>> probe() {
        return CompletableFuture.supplyAsync(() -> {
            Optional<String> down = JournalProbe.unreachable(settings);
            last = new Probe(System.nanoTime(), down);
            return down;
        }, blocking);
    }

    EnviroError unavailable(String cause) {
        return new EnviroError(ErrorCode.UNAVAILABLE, "the journal at " + settings.location() + " is unavailable: "
                + cause + "; the engine retries by itself: retry the command once the journal is back");
    }

    private boolean isJournalError(EnviroError e) {
        return e.is(ErrorCode.UNAVAILABLE) && e.getMessage().startsWith("the journal at ");
    }
}

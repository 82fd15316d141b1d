package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.JournalPool;
import dev.enviro.persistence.JournalProbe;
import dev.enviro.persistence.JournalSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps commands that would change state away from a journal that is down. An actor whose write fails
 * is restarted with back-off by its supervisor (and the journal's circuit breaker opens), but its caller
 * would only learn that from a timeout; so a state-changing call first asks this gate, which probes the
 * journal at most once per {@code interval} while it answers and at every call while it does not, and
 * fails the call at once with one line saying so. A call that failed anyway (the journal went away after
 * the probe) is explained by a fresh probe.
 *
 * <p>A remote journal (PostgreSQL) is probed with a connection of its own. The embedded H2 journal is
 * probed through the plugin's pool, by the engine's periodic check ({@link #watch}) as well: H2 closes
 * its database when a write fails (a full disk), and the gate renews the pool once the disk has room
 * again, so the journal comes back without an engine restart.
 */
final class JournalGate {

    private static final Logger log = LoggerFactory.getLogger(JournalGate.class);

    private record Probe(long atNanos, Optional<String> down) {}

    private final JournalSettings settings;
    private final Executor blocking;
    private final long intervalNanos;
    private final JournalPool pool;
    private final StateDisk disk;
    private volatile Probe last;

    JournalGate(JournalSettings settings, Executor blocking, Duration interval, JournalPool pool, StateDisk disk) {
        this.settings = settings;
        this.blocking = blocking;
        this.intervalNanos = interval.toNanos();
        this.pool = pool;
        this.disk = disk;
    }

    private boolean embedded() {
        return settings.backend() == JournalSettings.Backend.H2;
    }

    /** Completes when the call may go on; fails with {@link #unavailable} while the journal is down. */
    CompletionStage<Void> admit() {
        Probe p = last;
        // the embedded journal is watched all the time: only a known outage costs a probe
        if (p == null ? embedded() : p.down().isEmpty() && (embedded() || System.nanoTime() - p.atNanos() < intervalNanos)) {
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
        if (isJournalError(failure) || (!failure.is(ErrorCode.UNAVAILABLE) && !failure.is(ErrorCode.INTERNAL))) {
            return CompletableFuture.completedFuture(failure);
        }
        return probe().thenApply(down -> down.map(this::unavailable).orElse(failure));
    }

    private CompletionStage<Optional<String>> probe() {
        return CompletableFuture.supplyAsync(this::probeNow, blocking);
    }

    private Optional<String> probeNow() {
        Optional<String> down = (embedded() ? pool.unanswered() : JournalProbe.unreachable(settings)).map(this::withDisk);
        last = new Probe(System.nanoTime(), down);
        return down;
    }

    /** A journal that fails on a full state disk says so first: that is what the user can act on. */
    private String withDisk(String cause) {
        return embedded() && disk.full() ? "no space left on device (" + StateDisk.size(disk.lastFree())
                + " free on the state directory's filesystem): " + cause : cause;
    }

    /**
     * The periodic check (blocking): probes the embedded journal and, when its database was closed by a
     * failed write and the disk has room again, renews the pool's connections, which open it anew. A
     * remote journal recovers by itself (its server keeps its own files).
     */
    void watch() {
        if (!embedded()) return;
        boolean wasDown = last != null && last.down().isPresent();
        Optional<String> down = probeNow();
        if (down.isPresent()) {
            if (!wasDown) log.warn("the journal at {} is unavailable: {}", settings.location(), down.get());
            if (!disk.full()) pool.renew();
        } else if (wasDown) {
            log.warn("the journal at {} is back", settings.location());
        }
    }

    EnviroError unavailable(String cause) {
        return new EnviroError(ErrorCode.UNAVAILABLE, "the journal at " + settings.location() + " is unavailable: "
                + cause + "; the engine retries by itself: retry the command once the journal is back");
    }

    private boolean isJournalError(EnviroError e) {
        return e.is(ErrorCode.UNAVAILABLE) && e.getMessage().startsWith("the journal at ");
    }
}

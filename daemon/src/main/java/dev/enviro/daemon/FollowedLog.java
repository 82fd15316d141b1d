package dev.enviro.daemon;

import dev.enviro.runtime.logs.ContainerLogs;
import dev.enviro.runtime.logs.LogFollow;
import dev.enviro.runtime.logs.LogStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cursor over the engine's io_uring/inotify log follower ({@link ContainerLogs}): reads are
 * completions on the dispatcher's rings, appends wake it through one shared inotify descriptor, and
 * nothing polls. Flow control: when {@value #HIGH_WATER} records wait for the client, the follower is
 * paused, and resumed below {@value #LOW_WATER}, so a slow client never makes the engine hold a log
 * in memory.
 *
 * <p>End: with {@code until} (the container's exit, which the engine reports after the monitor has
 * written its last byte), the follower makes a last pass to end of file and completes; {@link #next}
 * answers empty with zero patience only once that pass has been delivered, so the last lines of a
 * container are never cut off.
 */
final class FollowedLog implements LogCursor {

    static final int HIGH_WATER = 1024;
    static final int LOW_WATER = 256;
    /** The longest wait for the follower's last pass after the exit; a stuck read must not hang a client forever. */
    private static final Duration LAST_PASS = Duration.ofSeconds(30);

    private final ArrayDeque<LogRecord> ready = new ArrayDeque<>();
    /** Null until follow() returns: its first read may already deliver (and ask to pause) before that. */
    private LogFollow follow;
    private boolean paused;

    private FollowedLog(ContainerLogs logs, Path file, CompletionStage<?> until) {
        LogFollow f = logs.follow(file, until != null, until == null ? new CompletableFuture<>() : until, this::offer);
        synchronized (this) {
            follow = f;
            if (paused) f.pause();
        }
        f.done().whenComplete((v, t) -> wake());
    }

    private synchronized void wake() {
        notifyAll();
    }

    static LogSource source(ContainerLogs logs) {
        return new LogSource() {
            @Override
            public LogCursor open(Path logFile) {
                return new FollowedLog(logs, logFile, null);
            }

            @Override
            public LogCursor open(Path logFile, CompletionStage<?> until) {
                return new FollowedLog(logs, logFile, until);
            }
        };
    }

    private synchronized void offer(dev.enviro.runtime.logs.LogRecord r) {
        ready.add(new LogRecord(r.time(), r.stream() == LogStream.STDERR ? LogRecord.Stream.STDERR : LogRecord.Stream.STDOUT,
                r.partial(), r.content()));
        if (!paused && ready.size() >= HIGH_WATER) {
            paused = true;
            if (follow != null) follow.pause();
        }
        notifyAll();
    }

    @Override
    public synchronized Optional<LogRecord> next(Duration patience) throws IOException, InterruptedException {
        CompletableFuture<Void> done = follow.done().toCompletableFuture();
        // Zero patience is asked once the container has exited: wait for the follower's last pass.
        long deadline = System.nanoTime() + (patience.isZero() ? LAST_PASS.toNanos() : patience.toNanos());
        synchronized (this) {
            while (ready.isEmpty()) {
                if (done.isDone()) {
                    rethrow(done);
                    return Optional.empty();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return Optional.of(take());
        }
    }

    @Override
    public synchronized Optional<LogRecord> ready() {
        return ready.isEmpty() ? Optional.empty() : Optional.of(take());
    }

    private LogRecord take() {
        LogRecord record = ready.poll();
        if (paused && ready.size() <= LOW_WATER) {
            paused = false;
            follow.resume();
        }
        return record;
    }

    private static void rethrow(CompletableFuture<Void> done) throws IOException {
        try {
            done.get(0, TimeUnit.SECONDS);
        } catch (CancellationException cancelled) {
            // closed by us
        } catch (ExecutionException e) {
            throw new IOException("reading the container's log failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("completed stage did not answer", e);
        }
    }

    @Override
    public synchronized void close() {
        follow.cancel();
    }
}

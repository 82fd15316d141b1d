package dev.enviro.runtime.logs;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.SyscallQueue;
import dev.enviro.ffm.uring.Inotify;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Reads containers' log files and follows them while their monitors append. All followers share
 * one inotify instance: its readiness is awaited through the {@link SyscallQueue}, its events are
 * routed by watch descriptor, and each follower then reads its file through the queue too, so
 * following a thousand logs takes no thread at all.
 */
public final class ContainerLogs implements AutoCloseable {
    private static final int WATCH_MASK = Inotify.IN_MODIFY | Inotify.IN_CLOSE_WRITE | Inotify.IN_MOVE_SELF;
    private static final System.Logger LOG = System.getLogger(ContainerLogs.class.getName());

    private final SyscallQueue queue;
    private final Inotify inotify;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events = arena.allocate(64 * 1024, 8);
    private final Map<Integer, List<LogFollow>> watches = new HashMap<>();
    private boolean pumping;
    private boolean closed;
    private CompletableFuture<Integer> pendingPoll;

    public ContainerLogs(SyscallQueue queue) throws SyscallException {
        this.queue = queue;
        this.inotify = Inotify.open();
    }

    SyscallQueue queue() { return queue; }

    /**
     * Delivers the records of {@code log} from its beginning to {@code sink}, one at a time and in file
     * order. With {@code follow}, keeps delivering what is appended until {@code until} completes (it must
     * complete once the writer has finished: the monitor's exit), then delivers the rest and ends.
     * The returned follow's {@link LogFollow#done()} fails when the file cannot be read or {@code sink} throws.
     */
    public LogFollow follow(Path log, boolean follow, CompletionStage<?> until, Consumer<LogRecord> sink) {
        LogFollow f = new LogFollow(this, log, follow, sink);
        f.start(until);
        return f;
    }

    /** Registers {@code f} for changes of {@code log}; returns the watch descriptor. */
    synchronized int watch(Path log, LogFollow f) throws SyscallException {
        if (closed) throw new SyscallException("inotify_add_watch", Errno.ECANCELED, log + " (log reader closed)");
        int wd = inotify.addWatch(log, WATCH_MASK);
        watches.computeIfAbsent(wd, k -> new ArrayList<>()).add(f);
        if (!pumping) {
            pumping = true;
            awaitEvents();
        }
        return wd;
    }

    synchronized void unwatch(int wd, LogFollow f) {
        List<LogFollow> followers = watches.get(wd);
        if (followers == null || !followers.remove(f) || !followers.isEmpty()) return;
        watches.remove(wd);
        try {
            inotify.removeWatch(wd);
        } catch (SyscallException e) {
            // EINVAL: the kernel dropped the watch already (file deleted); nothing is left to release.
            if (e.errno() != Errno.EINVAL) LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    private synchronized void awaitEvents() {
        if (closed) {
            release();
            return;
        }
        pendingPoll = queue.pollIn(inotify.fd()).toCompletableFuture();
        pendingPoll.whenComplete((revents, pollFailure) -> {
            if (pollFailure != null) {
                stopPumping(pollFailure);
                return;
            }
            queue.read(inotify.fd(), events, -1).whenComplete((n, readFailure) -> {
                if (readFailure == null) dispatch(Inotify.decode(events, n));
                else if (!isErrno(readFailure, Errno.EAGAIN)) {
                    stopPumping(readFailure);
                    return;
                }
                awaitEvents();
            });
        });
    }

    private void dispatch(List<Inotify.Event> batch) {
        List<LogFollow> toPoke = new ArrayList<>();
        synchronized (this) {
            for (Inotify.Event e : batch) {
                if ((e.mask() & Inotify.IN_Q_OVERFLOW) != 0) {
                    watches.values().forEach(toPoke::addAll);   // events were lost: everyone re-reads
                } else {
                    List<LogFollow> followers = watches.get(e.wd());
                    if (followers != null) toPoke.addAll(followers);
                    if ((e.mask() & Inotify.IN_IGNORED) != 0) watches.remove(e.wd());
                }
            }
        }
        // Outside the lock: a poke may start a read whose completion calls back into unwatch().
        // A follower that throws here must not end the pump: awaitEvents() would never be called again
        // and every other follower would stop hearing of appends (each then ends only at its until).
        for (LogFollow f : toPoke) {
            try {
                f.poke();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "log follower: a reader failed on an inotify event", e);
            }
        }
    }

    private void stopPumping(Throwable failure) {
        List<LogFollow> orphans = new ArrayList<>();
        synchronized (this) {
            if (!closed) {
                LOG.log(System.Logger.Level.ERROR, "log follower: waiting for inotify events failed", failure);
                watches.values().forEach(orphans::addAll);
            }
            release();
        }
        for (LogFollow f : orphans) f.fail(failure);
    }

    private void release() {
        closed = true;
        pumping = false;
        inotify.close();
        if (arena.scope().isAlive()) arena.close();
    }

    /** Ends event routing; followers still running keep reading until their {@code until} and then end. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (!pumping) release();
        else if (pendingPoll != null) pendingPoll.cancel(false);   // the pump releases once its poll is back
    }

    static boolean isErrno(Throwable t, int errno) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof SyscallException s && s.errno() == errno;
    }
}

package dev.enviro.runtime.logs;

import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.Fd;
import dev.enviro.ffm.Files;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One reader of one log file. Reading happens in passes: a pass reads from where the last one stopped
 * to end of file. Inotify events and the end of {@code until} "poke" the reader; a poke that arrives
 * during a pass makes another pass follow it, so an append is never missed and passes never overlap.
 * A pass that began after {@code until} completed is the last one.
 *
 * <p>Rotation (the monitor renames {@code ctr.log} to {@code ctr.log.1}, … and starts a new one): the
 * kept files are opened at start and read oldest first, then the live one. While following, at the end of
 * the file the reader checks whether the path now names another file (the watch's IN_MOVE_SELF pokes it)
 * and moves on to it from its beginning. A file rotated away twice before the reader got there is skipped.
 */
public final class LogFollow {
    private static final int CHUNK = 64 * 1024;

    private final ContainerLogs logs;
    private final Path path;
    private final boolean follow;
    private final Consumer<LogRecord> sink;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final CriLogParser parser = new CriLogParser();
    private final AtomicInteger pokes = new AtomicInteger();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean untilReached;
    private volatile boolean cancelled;
    private volatile Throwable failure;
    /** Flow control: a paused follower issues no read; {@code parked} when a read was held back. */
    private final Object gate = new Object();
    private boolean paused;
    private boolean parked;

    // Owned by the running pass; passes are sequential, each handing over through a completion.
    private Arena arena;
    private MemorySegment buffer;
    private Fd fd;
    /** Set once the followed file was found rotated away: its successor, opened after one more read to its end. */
    private Path rotatedTo;
    /** Files still to read after {@code fd}: the kept rotated logs, newer ones later, the live one last. */
    private final java.util.ArrayDeque<Fd> next = new java.util.ArrayDeque<>();
    private int wd = -1;
    private long offset;
    private int pokesSeen;
    private boolean lastPass;

    LogFollow(ContainerLogs logs, Path path, boolean follow, Consumer<LogRecord> sink) {
        this.logs = logs;
        this.path = path;
        this.follow = follow;
        this.sink = sink;
    }

    /** Completes once the file has been delivered (with follow: after {@code until}); fails if reading or the sink failed. */
    public CompletionStage<Void> done() { return done; }

    /** Stops delivering; {@link #done()} then fails with {@link CancellationException}. */
    public void cancel() {
        cancelled = true;
        resume();
        poke();
    }

    /**
     * Holds the next read back until {@link #resume()}: a consumer slower than the log (a client on a
     * slow link) makes the follower wait instead of buffering the file in memory. Records of the read
     * in flight are still delivered.
     */
    public void pause() {
        synchronized (gate) {
            paused = true;
        }
    }

    public void resume() {
        boolean go;
        synchronized (gate) {
            paused = false;
            go = parked;
            parked = false;
        }
        if (go) readNext();
    }

    /** Lines skipped because they were not CRI records. */
    public long malformedLines() { return parser.malformedLines(); }

    void start(CompletionStage<?> until) {
        try {
            Fd live = Files.open(path, Files.O_RDONLY | Files.O_CLOEXEC, 0);
            for (Path older : rotated(path)) {
                try {
                    next.add(Files.open(older, Files.O_RDONLY | Files.O_CLOEXEC, 0));
                } catch (SyscallException gone) {
                    // rotated away (deleted) since it was listed: nothing to read there any more
                }
            }
            next.add(live);
            fd = next.poll();
            arena = Arena.ofShared();
            buffer = arena.allocate(CHUNK, 8);
            // Watch before the first read: an append between reading to EOF and watching would be lost.
            // But only once fd and buffer are set: from here on the inotify pump may poke this reader on
            // its own thread (the file is being written, or another follower shares the watch), and a
            // pass begun on a half-built reader threw in readNext, leaving pokes above zero with no pass
            // running, so no later poke, not even until's, ever started one: the follow never ended.
            if (follow) wd = logs.watch(path, this);
        } catch (SyscallException | RuntimeException e) {
            finish(e);
            return;
        }
        if (follow) until.whenComplete((v, t) -> { untilReached = true; poke(); });
        poke();
    }

    void poke() {
        if (pokes.getAndIncrement() == 0) beginPass();
    }

    void fail(Throwable t) {
        failure = t;
        poke();
    }

    private void beginPass() {
        pokesSeen = pokes.get();
        lastPass = !follow || untilReached || cancelled || failure != null;
        readNext();
    }

    private void readNext() {
        if (finished.get()) return;   // a poke after the end: the fd is closed and may be reused
        if (cancelled || failure != null) {
            finish(failure != null ? failure : new CancellationException("log follow of " + path + " cancelled"));
            return;
        }
        synchronized (gate) {
            if (paused) {
                parked = true;
                return;
            }
        }
        logs.queue().read(fd.value(), buffer, offset).whenComplete((n, t) -> {
            if (t != null) {
                finish(t);
                return;
            }
            if (n > 0) {
                offset += n;
                try {
                    parser.feed(buffer.asSlice(0, n).toArray(JAVA_BYTE), 0, n, sink);
                } catch (RuntimeException e) {
                    finish(e);
                    return;
                }
                readNext();
            } else if (!next.isEmpty()) {
                fd.close();
                fd = next.poll();
                offset = 0;
                readNext();
            } else if (follow && rotatedTo != null && switchTo(takeRotated())) {
                // drained: nothing more can arrive in a renamed file, so its successor is next
                readNext();
            } else if (follow && rotatedTo == null && (rotatedTo = rotation()) != null) {
                // The monitor may have appended to this file between our end-of-file and its rename:
                // read it to its end once more before switching, or those lines would be lost.
                readNext();
            } else if (lastPass) {
                finish(null);
            } else if (pokes.addAndGet(-pokesSeen) != 0) {
                beginPass();
            }
            // else: idle until the next poke starts a pass
        });
    }

    /** The kept files of a rotated log, oldest (highest number) first. */
    static java.util.List<Path> rotated(Path log) {
        String prefix = log.getFileName() + ".";
        java.util.TreeMap<Integer, Path> byNumber = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
        try (java.util.stream.Stream<Path> siblings = java.nio.file.Files.list(log.getParent())) {
            for (Path p : (Iterable<Path>) siblings::iterator) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix)) continue;
                String n = name.substring(prefix.length());
                if (!n.isEmpty() && n.length() < 6 && n.chars().allMatch(Character::isDigit)) byNumber.put(Integer.parseInt(n), p);
            }
        } catch (java.io.IOException e) {
            return java.util.List.of();
        }
        return java.util.List.copyOf(byNumber.values());
    }

    /**
     * At the end of the file being followed: if it was rotated away (the path names another file now), opens
     * the file written after it: the one whose number is one less than its own now ({@code ctr.log.2} after
     * {@code ctr.log.3}, the live {@code ctr.log} after {@code ctr.log.1}), so that a reader that fell a few
     * rotations behind reads every kept file once, in order. One that fell behind by more than the kept
     * files resumes at the oldest one left. A rotation caught between the rename and the new file's creation
     * retries shortly: no inotify event on the old file's watch would announce the new one.
     */
    private Path rotation() {
        try {
            Object current = inode(Path.of("/proc/self/fd/" + fd.value()));
            Object live = inode(path);
            if (current.equals(live)) return null;
            return successor(current);
        } catch (java.nio.file.NoSuchFileException e) {
            if (!lastPass) {
                java.util.concurrent.CompletableFuture.delayedExecutor(20, java.util.concurrent.TimeUnit.MILLISECONDS).execute(this::poke);
            }
            return null;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private Path takeRotated() {
        Path successor = rotatedTo;
        rotatedTo = null;
        return successor;
    }

    /** Opens {@code successor} in place of the drained current file; false (and nothing changed) if it cannot. */
    private boolean switchTo(Path successor) {
        try {
            // the live file's watch pokes this reader; the rotated ones are complete and need none
            int newWd = logs.watch(path, this);
            Fd opened = Files.open(successor, Files.O_RDONLY | Files.O_CLOEXEC, 0);
            if (wd >= 0 && wd != newWd) logs.unwatch(wd, this);
            wd = newWd;
            fd.close();
            fd = opened;
            offset = 0;
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }

    private Path successor(Object inode) throws java.io.IOException {
        List<Path> kept = rotated(path);   // oldest first
        for (int i = 0; i < kept.size(); i++) {
            try {
                if (inode(kept.get(i)).equals(inode)) return i + 1 < kept.size() ? kept.get(i + 1) : path;
            } catch (java.nio.file.NoSuchFileException e) {
                // rotated out of existence while we looked: the next ones still tell
            }
        }
        return kept.isEmpty() ? path : kept.getFirst();
    }

    private static Object inode(Path p) throws java.io.IOException {
        return java.nio.file.Files.getAttribute(p, "unix:ino");
    }

    private void finish(Throwable t) {
        if (!finished.compareAndSet(false, true)) return;
        if (wd >= 0) logs.unwatch(wd, this);
        if (fd != null) fd.close();
        for (Fd f : next) f.close();
        if (arena != null) arena.close();
        if (t instanceof CancellationException) done.cancel(false);
        else if (t != null) done.completeExceptionally(t);
        else done.complete(null);
    }
}

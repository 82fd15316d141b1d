package dev.enviro.ffm.uring;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.SyscallQueue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's per-core syscall dispatcher: one platform thread per core ({@code enviro-uring-<n>}),
 * each owning one io_uring. Any thread may submit; nothing blocks the caller, and no thread exists
 * per operation or per container.
 *
 * <p>Operations on one fd always go to the same ring, so requests a caller issues in order on a fd
 * are submitted to the kernel in that order. Stages complete on the {@code completions} executor
 * (the common pool by default, or an actor system's dispatcher), keeping ring threads free.
 *
 * <p>Cancelling the stage returned by {@link #pollIn} cancels the kernel request; do so before closing
 * a polled fd, because a ring holds its own reference to the file. Reads and writes cannot be
 * cancelled. {@link #close()} cancels everything in flight: those stages fail with {@code ECANCELED}.
 */
public final class SyscallDispatcher implements SyscallQueue, AutoCloseable {
    /** Submission slots per ring; more pending requests wait, in order, in the ring's own queue. */
    public static final int DEFAULT_ENTRIES = 256;

    private final RingWorker[] workers;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private volatile boolean closed;

    private SyscallDispatcher(RingWorker[] workers) {
        this.workers = workers;
    }

    /** One ring per available processor, completions on the common pool. */
    public static SyscallDispatcher start() throws SyscallException {
        return start(Runtime.getRuntime().availableProcessors(), DEFAULT_ENTRIES, ForkJoinPool.commonPool());
    }

    public static SyscallDispatcher start(int rings, int entries, Executor completions) throws SyscallException {
        if (rings <= 0) throw new IllegalArgumentException("a dispatcher needs at least one ring: " + rings);
        RingWorker[] workers = new RingWorker[rings];
        try {
            for (int i = 0; i < rings; i++) workers[i] = new RingWorker("enviro-uring-" + i, entries, completions);
        } catch (SyscallException e) {
            for (RingWorker w : workers) if (w != null) w.closeUnstarted();
            throw e;
        }
        SyscallDispatcher dispatcher = new SyscallDispatcher(workers);
        for (RingWorker w : workers) {
            Thread t = Thread.ofPlatform().name(w.name()).daemon(true).unstarted(w);
            dispatcher.threads.add(t);
            t.start();
        }
        return dispatcher;
    }

    public int rings() { return workers.length; }

    @Override
    public CompletionStage<Integer> pollIn(int fd) {
        return submit(PendingSyscall.Kind.POLL_IN, fd, null, 0);
    }

    @Override
    public CompletionStage<Integer> read(int fd, MemorySegment buffer, long offset) {
        return submit(PendingSyscall.Kind.READ, fd, buffer, offset);
    }

    @Override
    public CompletionStage<Integer> write(int fd, MemorySegment buffer, long offset) {
        return submit(PendingSyscall.Kind.WRITE, fd, buffer, offset);
    }

    /** A no-op through a ring and back: measures the dispatcher itself. */
    public CompletionStage<Integer> nop() {
        RingWorker w = workers[Math.floorMod(roundRobin.getAndIncrement(), workers.length)];
        PendingSyscall op = new PendingSyscall(PendingSyscall.Kind.NOP, -1, null, 0, w);
        return handOver(w, op);
    }

    private CompletionStage<Integer> submit(PendingSyscall.Kind kind, int fd, MemorySegment buffer, long offset) {
        if (buffer != null && !buffer.isNative()) throw new IllegalArgumentException("io_uring needs a native buffer");
        RingWorker w = workers[Math.floorMod(fd, workers.length)];
        return handOver(w, new PendingSyscall(kind, fd, buffer, offset, w));
    }

    private CompletionStage<Integer> handOver(RingWorker w, PendingSyscall op) {
        if (closed) {
            op.completeExceptionally(op.failure(Errno.ECANCELED));
            return op;
        }
        w.submit(op);
        return op;
    }

    /** Stops every ring thread and waits for it: in-flight operations are cancelled and their stages fail. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (RingWorker w : workers) w.stop();
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}

package dev.enviro.ffm.uring;

import dev.enviro.ffm.SyscallException;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;

/**
 * One operation handed to a ring, and the stage its caller holds. Cancelling a {@code pollIn}
 * stage cancels the kernel request (the ring would otherwise keep the fd referenced forever);
 * reads and writes refuse cancellation, because the kernel owns their buffer until they complete.
 */
final class PendingSyscall extends CompletableFuture<Integer> {
    enum Kind { NOP, POLL_IN, READ, WRITE }

    final Kind kind;
    final int fd;
    final MemorySegment buffer;
    final long offset;
    private final RingWorker worker;
    long userData;   // assigned and used by the ring thread only

    PendingSyscall(Kind kind, int fd, MemorySegment buffer, long offset, RingWorker worker) {
        this.kind = kind;
        this.fd = fd;
        this.buffer = buffer;
        this.offset = offset;
        this.worker = worker;
    }

    /** Completes from a CQE's {@code res}: negative is {@code -errno}. */
    void settle(int res) {
        if (res < 0) completeExceptionally(failure(-res));
        else complete(res);
    }

    SyscallException failure(int errno) {
        return new SyscallException(operation(), errno, "fd " + fd);
    }

    String operation() {
        return switch (kind) {
            case NOP -> "nop";
            case POLL_IN -> "poll";
            case READ -> "read";
            case WRITE -> "write";
        };
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (kind != Kind.POLL_IN) return false;
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) worker.cancel(this);
        return cancelled;
    }

    // Dependent stages are plain futures: cancelling one of them must not reach the kernel request.
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}

package dev.enviro.ffm.uring;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static dev.enviro.ffm.uring.IoUringAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One io_uring instance, bound to the kernel ABI through FFM: the submission ring, the completion
 * ring (one mapping, {@code IORING_FEAT_SINGLE_MMAP}) and the SQE array are mapped into this process.
 *
 * <p>Not thread-safe: one thread owns a ring, prepares SQEs, submits, and reaps completions. Other
 * threads hand work to that thread (see the dispatcher in {@code supervisors}).
 *
 * <p>Completions carry {@code -errno} in {@code res}; only set-up and {@code io_uring_enter} capture errno.
 * Buffers passed to {@code prepareRead}/{@code prepareWrite} must stay alive until their completion is reaped.
 */
public final class IoUring implements AutoCloseable {

    /** {@code POLLIN} from {@code poll.h}. */
    public static final int POLLIN = 0x0001;

    /** Receives reaped completions; {@code res < 0} is {@code -errno}. */
    @FunctionalInterface
    public interface Completions {
        void complete(long userData, int res, int flags);
    }

    // Head and tail are shared with the kernel: read the other side's index with acquire, publish ours with release.
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final int fd;
    private final MemorySegment rings;   // SQ and CQ ring, one mapping
    private final MemorySegment sqes;
    private final long sqHead, sqTail, sqArray, cqHead, cqTail, cqes;
    private final int sqMask, sqEntries, cqMask, cqEntries;
    private int sqeTail;                 // next SQE to fill; published to the kernel's tail by flush()
    private boolean closed;

    private IoUring(int fd, MemorySegment params, MemorySegment rings, MemorySegment sqes) {
        this.fd = fd;
        this.rings = rings;
        this.sqes = sqes;
        this.sqHead = params.get(JAVA_INT, offset(PARAMS, "sq_off", "head"));
        this.sqTail = params.get(JAVA_INT, offset(PARAMS, "sq_off", "tail"));
        this.sqArray = params.get(JAVA_INT, offset(PARAMS, "sq_off", "array"));
        this.cqHead = params.get(JAVA_INT, offset(PARAMS, "cq_off", "head"));
        this.cqTail = params.get(JAVA_INT, offset(PARAMS, "cq_off", "tail"));
        this.cqes = params.get(JAVA_INT, offset(PARAMS, "cq_off", "cqes"));
        this.sqMask = rings.get(JAVA_INT, params.get(JAVA_INT, offset(PARAMS, "sq_off", "ring_mask")));
        this.sqEntries = rings.get(JAVA_INT, params.get(JAVA_INT, offset(PARAMS, "sq_off", "ring_entries")));
        this.cqMask = rings.get(JAVA_INT, params.get(JAVA_INT, offset(PARAMS, "cq_off", "ring_mask")));
        this.cqEntries = rings.get(JAVA_INT, params.get(JAVA_INT, offset(PARAMS, "cq_off", "ring_entries")));
        // SQE slot i is always array entry i, so the indirection array is filled once (as liburing does).
        for (int i = 0; i < sqEntries; i++) rings.set(JAVA_INT, sqArray + 4L * i, i);
        this.sqeTail = (int) INT.getAcquire(rings, sqTail);
    }

    /**
     * Sets up a ring with at least {@code entries} submission slots (rounded up to a power of two by the
     * kernel, clamped to its maximum) and twice as many completion slots.
     */
    public static IoUring open(int entries) throws SyscallException {
        if (entries <= 0) throw new IllegalArgumentException("io_uring entries must be positive: " + entries);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(PARAMS);
            params.set(JAVA_INT, offset(PARAMS, "flags"), SETUP_CLAMP | SETUP_SUBMIT_ALL | SETUP_COOP_TASKRUN);
            int fd = (int) Kernel.syscall("io_uring_setup", Kernel.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
            MemorySegment rings = null;
            try {
                int features = params.get(JAVA_INT, offset(PARAMS, "features"));
                // Single mmap (5.4), no dropped CQEs (5.5) and -1 as "current position" (5.6) are relied upon.
                int needed = FEAT_SINGLE_MMAP | FEAT_NODROP | FEAT_RW_CUR_POS;
                if ((features & needed) != needed) {
                    throw new SyscallException("io_uring_setup", Errno.EOPNOTSUPP,
                            "(kernel lacks features 0x" + Integer.toHexString(needed & ~features) + "; Linux 5.6 or newer is needed)");
                }
                int sqEntries = params.get(JAVA_INT, offset(PARAMS, "sq_entries"));
                int cqEntries = params.get(JAVA_INT, offset(PARAMS, "cq_entries"));
                long sqSize = params.get(JAVA_INT, offset(PARAMS, "sq_off", "array")) + 4L * sqEntries;
                long cqSize = params.get(JAVA_INT, offset(PARAMS, "cq_off", "cqes")) + CQE.byteSize() * cqEntries;
                rings = Kernel.mmapShared(fd, Math.max(sqSize, cqSize), OFF_SQ_RING, "io_uring rings");
                MemorySegment sqes = Kernel.mmapShared(fd, SQE.byteSize() * sqEntries, OFF_SQES, "io_uring sqes");
                return new IoUring(fd, params, rings, sqes);
            } catch (SyscallException | RuntimeException e) {
                if (rings != null) {
                    try { Kernel.munmap(rings); } catch (SyscallException s) { e.addSuppressed(s); }
                }
                try { Kernel.close(fd); } catch (SyscallException s) { e.addSuppressed(s); }
                throw e;
            }
        }
    }

    public int fd() { return fd; }

    public int sqEntries() { return sqEntries; }

    public int cqEntries() { return cqEntries; }

    /** Free submission slots: how many more operations can be prepared before {@link #submit()}. */
    public int sqSpace() {
        int head = (int) INT.getAcquire(rings, sqHead);
        return sqEntries - (sqeTail - head);
    }

    public void prepareNop(long userData) {
        next(OP_NOP, -1, 0L, 0L, 0, 0, userData);
    }

    /** Single-shot poll: completes once with the ready events mask ({@code res}) when {@code fd} has one of {@code events}. */
    public void preparePollAdd(int fd, int events, long userData) {
        next(OP_POLL_ADD, fd, 0L, 0L, 0, events, userData);
    }

    /** {@code offset == -1}: the file's current position (pipes, sockets, and files read sequentially). */
    public void prepareRead(int fd, MemorySegment buffer, long offset, long userData) {
        next(OP_READ, fd, offset, buffer.address(), lengthOf(buffer), 0, userData);
    }

    public void prepareWrite(int fd, MemorySegment buffer, long offset, long userData) {
        next(OP_WRITE, fd, offset, buffer.address(), lengthOf(buffer), 0, userData);
    }

    /** Cancels the request submitted with {@code targetUserData}; that request completes with {@code -ECANCELED}. */
    public void prepareCancel(long targetUserData, long userData) {
        next(OP_ASYNC_CANCEL, -1, 0L, targetUserData, 0, 0, userData);
    }

    /** Cancels every request in flight on this ring; {@code res} of this request is the count cancelled. */
    public void prepareCancelAll(long userData) {
        next(OP_ASYNC_CANCEL, -1, 0L, 0L, 0, ASYNC_CANCEL_ALL | ASYNC_CANCEL_ANY, userData);
    }

    private static int lengthOf(MemorySegment buffer) {
        if (!buffer.isNative()) throw new IllegalArgumentException("io_uring needs a native buffer");
        return (int) Math.min(buffer.byteSize(), Integer.MAX_VALUE);
    }

    private void next(byte opcode, int fd, long off, long addr, int len, int opFlags, long userData) {
        ensureOpen();
        if (sqSpace() == 0) throw new IllegalStateException("io_uring submission queue full: submit() first");
        MemorySegment sqe = sqes.asSlice((long) (sqeTail & sqMask) * SQE.byteSize(), SQE.byteSize());
        sqe.fill((byte) 0);
        sqe.set(JAVA_BYTE, SQE_OPCODE, opcode);
        sqe.set(JAVA_INT, SQE_FD, fd);
        sqe.set(JAVA_LONG, SQE_OFF, off);
        sqe.set(JAVA_LONG, SQE_ADDR, addr);
        sqe.set(JAVA_INT, SQE_LEN, len);
        sqe.set(JAVA_INT, SQE_OP_FLAGS, opFlags);
        sqe.set(JAVA_LONG, SQE_USER_DATA, userData);
        sqeTail++;
    }

    /** Publishes prepared SQEs to the kernel; returns how many it has not consumed yet. */
    private int flush() {
        // Release: the SQE contents must be visible before the kernel sees the new tail.
        INT.setRelease(rings, sqTail, sqeTail);
        return sqeTail - (int) INT.getAcquire(rings, sqHead);
    }

    /** Submits prepared operations without waiting; returns the number the kernel consumed. */
    public int submit() throws SyscallException {
        return enter(0, 0);
    }

    /**
     * Submits prepared operations and blocks until at least {@code minComplete} completions are
     * available. Returns the number submitted; 0 when a signal interrupted the wait (call again).
     */
    public int submitAndWait(int minComplete) throws SyscallException {
        return enter(minComplete, ENTER_GETEVENTS);
    }

    private int enter(int minComplete, int flags) throws SyscallException {
        ensureOpen();
        int toSubmit = flush();
        if (toSubmit == 0 && flags == 0) return 0;
        try {
            return (int) Kernel.syscall("io_uring_enter", Kernel.SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags, 0, 0);
        } catch (SyscallException e) {
            if (e.errno() == Errno.EINTR) return 0;
            throw e;
        }
    }

    /** Hands every available completion to {@code sink}, then frees their slots; returns how many. */
    public int reap(Completions sink) {
        ensureOpen();
        int head = (int) INT.getAcquire(rings, cqHead);   // only we write head; acquire keeps it simple
        int tail = (int) INT.getAcquire(rings, cqTail);   // pairs with the kernel's release of tail
        int n = 0;
        try {
            while (head != tail) {
                long at = cqes + (long) (head & cqMask) * CQE.byteSize();
                long userData = rings.get(JAVA_LONG, at + CQE_USER_DATA);
                int res = rings.get(JAVA_INT, at + CQE_RES);
                int flags = rings.get(JAVA_INT, at + CQE_FLAGS);
                head++;
                n++;
                sink.complete(userData, res, flags);
            }
        } finally {
            // Release: our reads of the CQEs happen before the kernel may overwrite those slots.
            INT.setRelease(rings, cqHead, head);
        }
        return n;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("io_uring " + fd + " is closed");
    }

    /** Unmaps both regions and closes the ring fd; the kernel cancels whatever is still in flight. */
    @Override
    public void close() throws SyscallException {
        if (closed) return;
        closed = true;
        SyscallException failure = null;
        for (MemorySegment m : new MemorySegment[] {sqes, rings}) {
            try { Kernel.munmap(m); } catch (SyscallException e) { failure = keep(failure, e); }
        }
        try { Kernel.close(fd); } catch (SyscallException e) { failure = keep(failure, e); }
        if (failure != null) throw failure;
    }

    private static SyscallException keep(SyscallException first, SyscallException next) {
        if (first == null) return next;
        first.addSuppressed(next);
        return first;
    }
}

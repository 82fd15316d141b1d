package dev.enviro.ffm;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletionStage;

/**
 * Asynchronous syscalls, completed off the caller's thread. The engine's implementation is the
 * per-core io_uring dispatcher ({@code dev.enviro.ffm.uring.SyscallDispatcher}); callers in
 * {@code runtime} and {@code actors} only see this interface, so no caller blocks a Pekko thread
 * and no thread exists per container.
 *
 * <p>Stages fail with {@link SyscallException} when the kernel answers {@code -errno}.
 */
public interface SyscallQueue {

    /** Completes when {@code fd} is readable (for a pidfd: the process has exited); value is the revents mask. */
    CompletionStage<Integer> pollIn(int fd);

    /**
     * Reads up to {@code buffer.byteSize()} bytes at {@code offset} ({@code -1}: the current file position,
     * as for pipes and sockets). Completes with the byte count, 0 at end of file. {@code buffer} must stay
     * alive (an arena the caller owns) until the stage completes.
     */
    CompletionStage<Integer> read(int fd, MemorySegment buffer, long offset);

    /** Writes {@code buffer} at {@code offset} ({@code -1}: current position). Completes with the byte count. */
    CompletionStage<Integer> write(int fd, MemorySegment buffer, long offset);
}

package dev.enviro.ffm.uring;

import dev.enviro.ffm.Fd;
import dev.enviro.ffm.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An eventfd used as a doorbell: any thread {@link #signal()}s it, and the thread that owns a ring
 * keeps an 8-byte read of it in flight, so a ring blocked in {@code io_uring_enter} wakes up.
 * Blocking mode on purpose: io_uring then waits for the counter instead of failing with EAGAIN.
 */
public final class EventFd implements AutoCloseable {
    private final Fd fd;

    private EventFd(Fd fd) { this.fd = fd; }

    public static EventFd open() throws SyscallException {
        return new EventFd(new Fd(Kernel.eventfd(0, Kernel.EFD_CLOEXEC)));
    }

    public int fd() { return fd.value(); }

    /** Adds one to the counter; safe from any thread. */
    public void signal() throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            Kernel.write(fd.value(), one);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}

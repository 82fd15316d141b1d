package dev.enviro.ffm;

/**
 * An open file descriptor this process owns; closing it twice is harmless. Ownership stays explicit:
 * whoever holds the {@code Fd} closes it, through try-with-resources where the scope allows.
 */
public final class Fd implements AutoCloseable {
    private final int fd;
    private boolean closed;

    public Fd(int fd) {
        if (fd < 0) throw new IllegalArgumentException("not a file descriptor: " + fd);
        this.fd = fd;
    }

    public int value() {
        if (closed) throw new IllegalStateException("fd " + fd + " is closed");
        return fd;
    }

    public synchronized boolean isClosed() { return closed; }

    /** Closes the descriptor; an error from close(2) is not actionable here and is dropped, as libc's fclose callers do. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            Files.close(fd);
        } catch (SyscallException ignored) {
            // EINTR/EIO on close: the descriptor is released anyway on Linux; nothing to retry.
        }
    }

    @Override
    public String toString() { return "fd " + fd; }
}

package dev.enviro.ffm.uring;

import dev.enviro.ffm.Fd;
import dev.enviro.ffm.SyscallException;

/** Both ends of a pipe, opened close-on-exec: the engine's side of container output and of its own doorbells. */
public record Pipe(Fd readEnd, Fd writeEnd) implements AutoCloseable {

    /** {@code pipe2(2)}; {@code nonBlocking} sets {@code O_NONBLOCK} on both ends. */
    public static Pipe open(boolean nonBlocking) throws SyscallException {
        int[] fds = Kernel.pipe2(Kernel.O_CLOEXEC | (nonBlocking ? Kernel.O_NONBLOCK : 0));
        return new Pipe(new Fd(fds[0]), new Fd(fds[1]));
    }

    @Override
    public void close() {
        readEnd.close();
        writeEnd.close();
    }
}

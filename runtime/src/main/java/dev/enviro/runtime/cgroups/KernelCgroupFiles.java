package dev.enviro.runtime.cgroups;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.Fd;
import dev.enviro.ffm.Files;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.SyscallQueue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Cgroup files as the kernel serves them: writes through FFM in one write(2) each (the errno reaches
 * the message), synchronous reads through FFM, asynchronous reads through the engine's io_uring
 * {@link SyscallQueue} so that a stats stream of many containers holds no thread.
 */
public final class KernelCgroupFiles implements CgroupFiles {
    /** Larger than any cgroup file read here (memory.stat is about 1.5 KiB on v1 and 2 KiB on v2). */
    private static final int READ_SIZE = 16 * 1024;

    private final SyscallQueue queue;

    /** {@code queue} may be null: {@link #readAsync} then reads on the calling thread. */
    public KernelCgroupFiles(SyscallQueue queue) {
        this.queue = queue;
    }

    @Override
    public void createDirectory(Path dir) throws SyscallException {
        try {
            Files.mkdir(dir, 0755);
        } catch (SyscallException e) {
            // idempotent: a restarted engine repeats the step
            if (e.errno() != Errno.EEXIST) throw e;
        }
    }

    @Override
    public void removeDirectory(Path dir) throws SyscallException {
        try {
            Files.rmdir(dir);
        } catch (SyscallException e) {
            if (e.errno() != Errno.ENOENT) throw e;
        }
    }

    @Override
    public void write(Path file, String value) throws SyscallException {
        try {
            Files.writeOnce(file, value);
        } catch (SyscallException e) {
            throw new SyscallException("write '" + value + "' to " + file, e.errno());
        }
    }

    @Override
    public String read(Path file) throws SyscallException {
        try (Fd fd = Files.open(file, Files.O_RDONLY | Files.O_CLOEXEC, 0); Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(READ_SIZE);
            int n = Files.read(fd.value(), buffer);
            return decode(buffer, n);
        } catch (SyscallException e) {
            throw new SyscallException("read " + file, e.errno());
        }
    }

    @Override
    public CompletionStage<String> readAsync(Path file) {
        if (queue == null) {
            try {
                return CompletableFuture.completedFuture(read(file));
            } catch (SyscallException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        Fd fd;
        try {
            fd = Files.open(file, Files.O_RDONLY | Files.O_CLOEXEC, 0);
        } catch (SyscallException e) {
            return CompletableFuture.failedFuture(new SyscallException("read " + file, e.errno()));
        }
        // shared, not confined: the ring's thread fills the buffer, a completion thread decodes it
        Arena arena = Arena.ofShared();
        MemorySegment buffer = arena.allocate(READ_SIZE);
        CompletableFuture<String> result = new CompletableFuture<>();
        queue.read(fd.value(), buffer, 0).whenComplete((n, failure) -> {
            try {
                if (failure != null) {
                    int errno = failure instanceof SyscallException s ? s.errno() : Errno.EIO;
                    result.completeExceptionally(new SyscallException("read " + file, errno));
                } else {
                    result.complete(decode(buffer, n));
                }
            } finally {
                fd.close();
                arena.close();
            }
        });
        return result;
    }

    private static String decode(MemorySegment buffer, int n) {
        byte[] bytes = buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean exists(Path file) {
        return java.nio.file.Files.exists(file);
    }
}

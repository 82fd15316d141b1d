package dev.enviro.runtime.cgroups;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.Fd;
import dev.enviro.ffm.Files;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.SyscallQueue;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
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
            java.nio.file.Files.createDirectory(dir);
        } catch (FileAlreadyExistsException exists) {
            // idempotent: a restarted engine repeats the step
        } catch (NoSuchFileException e) {
            throw new SyscallException("mkdir " + dir, Errno.ENOENT);
        } catch (IOException e) {
            throw new SyscallException("mkdir " + dir, errno(e));
        }
    }

    @Override
    public void removeDirectory(Path dir) throws SyscallException {
        try {
            java.nio.file.Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            throw new SyscallException("rmdir " + dir, Errno.ENOTEMPTY);
        } catch (IOException e) {
            throw new SyscallException("rmdir " + dir, errno(e));
        }
    }

    /** NIO keeps only strerror's text; the two errnos that matter here are told apart by it. */
    private static int errno(IOException e) {
        String reason = e instanceof FileSystemException f ? String.valueOf(f.getReason()) : String.valueOf(e.getMessage());
        return reason.contains("busy") ? Errno.EBUSY : Errno.EIO;
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

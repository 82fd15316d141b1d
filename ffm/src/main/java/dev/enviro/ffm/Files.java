package dev.enviro.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** open, read, write, close, poll, mkdir, rmdir, lchown, xattrs and sync_file_range: what Java's NIO cannot do (in one syscall: proc's id maps, owner and group at once; xattrs outside {@code user.}). */
public final class Files {
    private Files() {}

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_TRUNC = 01000,
            O_APPEND = 02000, O_NONBLOCK = 04000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000,
            O_CLOEXEC = 02000000;
    public static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10;

    private static final class open {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("open", DESC);
    }

    private static final class read {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
        static final MethodHandle HANDLE = Native.downcall("read", DESC);
    }

    private static final class write {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
        static final MethodHandle HANDLE = Native.downcall("write", DESC);
    }

    private static final class close {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("close", DESC);
    }

    private static final class lchown {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("lchown", DESC);
    }

    private static final class lsetxattr {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("lsetxattr", DESC);
    }

    private static final class lgetxattr {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        static final MethodHandle HANDLE = Native.downcall("lgetxattr", DESC);
    }

    private static final class sync_file_range {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("sync_file_range", DESC);
    }

    private static final class mkdir {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("mkdir", DESC);
    }

    private static final class rmdir {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("rmdir", DESC);
    }

    private static final class memfd_create {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("memfd_create", DESC);
    }

    private static final class poll {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("poll", DESC);
    }

    public static Fd open(Path path, int flags, int mode) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            int fd = (int) open.HANDLE.invokeExact(state, arena.allocateFrom(path.toString()), flags, mode);
            if (fd < 0) throw new SyscallException("open", Native.errno(state), path.toString());
            return new Fd(fd);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** mkdir(2), with the kernel's errno on failure (NIO keeps only its text: a cgroup's EBUSY, EACCES and ENOENT must be told apart). */
    public static void mkdir(Path path, int mode) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            int rc = (int) mkdir.HANDLE.invokeExact(state, arena.allocateFrom(path.toString()), mode);
            if (rc < 0) throw new SyscallException("mkdir", Native.errno(state), path.toString());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** rmdir(2), with the kernel's errno on failure. */
    public static void rmdir(Path path) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            int rc = (int) rmdir.HANDLE.invokeExact(state, arena.allocateFrom(path.toString()));
            if (rc < 0) throw new SyscallException("rmdir", Native.errno(state), path.toString());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    public static final int MFD_CLOEXEC = 1;

    /**
     * An anonymous in-memory file (memfd_create(2), close-on-exec) holding {@code content}, read from its
     * start: for handing bytes to another process by descriptor, with no path anyone could reach.
     */
    public static Fd memfd(String name, byte[] content) throws SyscallException {
        Fd fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            int n = (int) memfd_create.HANDLE.invokeExact(state, arena.allocateFrom(name), MFD_CLOEXEC);
            if (n < 0) throw new SyscallException("memfd_create", Native.errno(state), name);
            fd = new Fd(n);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(Math.max(1, content.length));
            MemorySegment.copy(content, 0, bytes, ValueLayout.JAVA_BYTE, 0, content.length);
            long written = 0;
            while (written < content.length) {
                written += write(fd.value(), bytes.asSlice(written, content.length - written));
            }
            return fd;
        } catch (SyscallException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** One read(2); returns the byte count, 0 at end of file. */
    public static int read(int fd, MemorySegment buffer) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            long n = (long) read.HANDLE.invokeExact(state, fd, buffer, buffer.byteSize());
            if (n < 0) throw new SyscallException("read", Native.errno(state));
            return (int) n;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** One write(2); returns the byte count. */
    public static int write(int fd, MemorySegment buffer) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            long n = (long) write.HANDLE.invokeExact(state, fd, buffer, buffer.byteSize());
            if (n < 0) throw new SyscallException("write", Native.errno(state));
            return (int) n;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    static void close(int fd) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            int rc = (int) close.HANDLE.invokeExact(state, fd);
            if (rc < 0) throw new SyscallException("close", Native.errno(state));
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /**
     * lchown(2): owner and group in one call, the link itself when {@code path} is a symbolic link
     * (NIO's {@code unix:uid} and {@code unix:gid} attributes take one call each). -1 leaves an id as it is.
     */
    public static void lchown(Path path, int uid, int gid) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            int rc = (int) lchown.HANDLE.invokeExact(state, arena.allocateFrom(path.toString()), uid, gid);
            if (rc < 0) throw new SyscallException("lchown", Native.errno(state), path.toString());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /**
     * lsetxattr(2): sets extended attribute {@code name} (any namespace: {@code user.}, {@code security.},
     * {@code trusted.}; NIO's view reaches {@code user.} only) of the file or link itself.
     */
    public static void lsetxattr(Path path, String name, byte[] value) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            MemorySegment v = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            int rc = (int) lsetxattr.HANDLE.invokeExact(state, arena.allocateFrom(path.toString()), arena.allocateFrom(name), v, (long) value.length, 0);
            if (rc < 0) throw new SyscallException("lsetxattr " + name, Native.errno(state), path.toString());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** lgetxattr(2): the value of extended attribute {@code name} (at most 64 KiB, the kernel's limit). */
    public static byte[] lgetxattr(Path path, String name) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            MemorySegment v = arena.allocate(65536);
            long n = (long) lgetxattr.HANDLE.invokeExact(state, arena.allocateFrom(path.toString()), arena.allocateFrom(name), v, 65536L);
            if (n < 0) throw new SyscallException("lgetxattr " + name, Native.errno(state), path.toString());
            return v.asSlice(0, n).toArray(JAVA_BYTE);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** sync_file_range(2)'s flag: start writeback of the range's dirty pages, without waiting for it. */
    public static final int SYNC_FILE_RANGE_WRITE = 2;

    /**
     * sync_file_range(2): with {@link #SYNC_FILE_RANGE_WRITE}, the kernel starts writing the range to disk
     * now, so that a later fsync(2) waits for the rest only. Not a durability guarantee by itself.
     */
    public static void syncFileRange(Fd fd, long offset, long length, int flags) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            int rc = (int) sync_file_range.HANDLE.invokeExact(state, fd.value(), offset, length, flags);
            if (rc < 0) throw new SyscallException("sync_file_range", Native.errno(state));
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** poll(2) on one descriptor; returns its revents, 0 on timeout. Blocks: call it off shared threads. */
    public static int poll(int fd, short events, int timeoutMillis) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            MemorySegment pfd = arena.allocate(8);
            pfd.set(JAVA_INT, 0, fd);
            pfd.set(JAVA_SHORT, 4, events);
            int rc = (int) poll.HANDLE.invokeExact(state, pfd, 1L, timeoutMillis);
            if (rc < 0) throw new SyscallException("poll", Native.errno(state));
            return rc == 0 ? 0 : pfd.get(JAVA_SHORT, 6);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /**
     * Writes {@code text} to an existing file in a single write(2), as {@code /proc/<pid>/uid_map},
     * {@code gid_map} and {@code setgroups} require (a second write is refused with EPERM).
     */
    public static void writeOnce(Path path, String text) throws SyscallException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (Fd fd = open(path, O_WRONLY | O_CLOEXEC, 0); Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, buffer, JAVA_BYTE, 0, bytes.length);
            int n;
            try {
                n = write(fd.value(), buffer);
            } catch (SyscallException e) {
                throw new SyscallException("write", e.errno(), path.toString());
            }
            if (n != bytes.length) throw new SyscallException("write", Errno.EIO, path + " (short write)");
        }
    }
}

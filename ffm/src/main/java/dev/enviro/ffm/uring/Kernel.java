package dev.enviro.ffm.uring;

import dev.enviro.ffm.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls this package needs, each bound once (one holder per function, created on first
 * use) with errno captured by the linker and turned into a {@link SyscallException} before any
 * other call can overwrite it. Private to the package: the shared bindings of {@code dev.enviro.ffm}
 * are owned elsewhere, and io_uring needs only these few.
 */
final class Kernel {
    private Kernel() {}

    static final long SYS_IO_URING_SETUP = 425, SYS_IO_URING_ENTER = 426;
    static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_POPULATE = 0x8000;
    static final int O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = O_CLOEXEC, EFD_NONBLOCK = O_NONBLOCK;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MemorySegment MAP_FAILED = MemorySegment.ofAddress(-1L);

    private static MethodHandle bind(String name, FunctionDescriptor desc, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(extra, 0, options, 1, extra.length);
        MemorySegment address = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(address, desc, options);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static MemorySegment captureState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** {@code long syscall(long nr, ...)} with six variadic longs: the kernel ignores unused registers. */
    private static final class Syscall {
        static final MethodHandle HANDLE = bind("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
    }

    static long syscall(String op, long nr, long a1, long a2, long a3, long a4, long a5, long a6) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            long r = (long) Syscall.HANDLE.invokeExact(state, nr, a1, a2, a3, a4, a5, a6);
            if (r < 0) throw new SyscallException(op, errno(state));
            return r;
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final class Mmap {
        static final MethodHandle HANDLE = bind("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    static MemorySegment mmapShared(int fd, long size, long offset, String what) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            MemorySegment r = (MemorySegment) Mmap.HANDLE.invokeExact(state, MemorySegment.NULL, size,
                    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
            if (r.equals(MAP_FAILED)) throw new SyscallException("mmap", errno(state), what);
            return r.reinterpret(size);
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final class Munmap {
        static final MethodHandle HANDLE = bind("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    static void munmap(MemorySegment mapping) throws SyscallException {
        intCall("munmap", Munmap.HANDLE, mapping, mapping.byteSize());
    }

    private static final class Close {
        static final MethodHandle HANDLE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    static void close(int fd) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            int r = (int) Close.HANDLE.invokeExact(state, fd);
            if (r < 0) throw new SyscallException("close", errno(state), "fd " + fd);
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final class Eventfd {
        static final MethodHandle HANDLE = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    static int eventfd(int initval, int flags) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            int r = (int) Eventfd.HANDLE.invokeExact(state, initval, flags);
            if (r < 0) throw new SyscallException("eventfd", errno(state));
            return r;
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final class Write {
        static final MethodHandle HANDLE = bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    static long write(int fd, MemorySegment buffer) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            long r = (long) Write.HANDLE.invokeExact(state, fd, buffer, buffer.byteSize());
            if (r < 0) throw new SyscallException("write", errno(state), "fd " + fd);
            return r;
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final class Pipe2 {
        static final MethodHandle HANDLE = bind("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    /** Returns {read end, write end}. */
    static int[] pipe2(int flags) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = (int) Pipe2.HANDLE.invokeExact(state, fds, flags);
            if (r < 0) throw new SyscallException("pipe2", errno(state));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final class InotifyInit1 {
        static final MethodHandle HANDLE = bind("inotify_init1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    static int inotifyInit1(int flags) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            int r = (int) InotifyInit1.HANDLE.invokeExact(state, flags);
            if (r < 0) throw new SyscallException("inotify_init1", errno(state));
            return r;
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final class InotifyAddWatch {
        static final MethodHandle HANDLE = bind("inotify_add_watch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    static int inotifyAddWatch(int fd, String path, int mask) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            int r = (int) InotifyAddWatch.HANDLE.invokeExact(state, fd, arena.allocateFrom(path), mask);
            if (r < 0) throw new SyscallException("inotify_add_watch", errno(state), path);
            return r;
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final class InotifyRmWatch {
        static final MethodHandle HANDLE = bind("inotify_rm_watch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    static void inotifyRmWatch(int fd, int wd) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            int r = (int) InotifyRmWatch.HANDLE.invokeExact(state, fd, wd);
            if (r < 0) throw new SyscallException("inotify_rm_watch", errno(state), "wd " + wd);
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void intCall(String op, MethodHandle handle, MemorySegment a, long b) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = captureState(arena);
            int r = (int) handle.invokeExact(state, a, b);
            if (r < 0) throw new SyscallException(op, errno(state));
        } catch (SyscallException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}

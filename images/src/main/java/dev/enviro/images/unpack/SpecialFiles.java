package dev.enviro.images.unpack;

import dev.enviro.ffm.SyscallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * FIFOs and device nodes, made with {@code mknod(2)} (NIO has no call for them). A user namespace
 * may make FIFOs and character devices 0/0 (overlay's whiteouts, Linux ≥ 5.8); other devices need
 * CAP_MKNOD in the initial namespace, which {@link #devicesCreatable} finds out by trying once.
 *
 * <p>Also {@link #setTimes} by path: NIO sets times through an open file, and opening a FIFO blocks
 * until a writer comes, opening a device node runs its driver (a tape rewinds, a watchdog arms).
 */
public final class SpecialFiles {
    static final int S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFBLK = 0060000;
    private static final int AT_FDCWD = -100;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MKNODAT;
    private static final MethodHandle UTIMENSAT;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** Whether this process may make device nodes; null until first asked. */
    private static volatile Boolean devicesCreatable;

    static {
        Linker linker = Linker.nativeLinker();
        MKNODAT = linker.downcallHandle(linker.defaultLookup().find("mknodat").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                Linker.Option.captureCallState("errno"));
        UTIMENSAT = linker.downcallHandle(linker.defaultLookup().find("utimensat").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                Linker.Option.captureCallState("errno"));
    }

    private SpecialFiles() {}

    /** mknod {@code path} (which must not exist) as {@code type} ({@link #S_IFIFO}, ...) with {@code perm} and device {@code major:minor}. */
    static void mknod(Path path, int type, int perm, int major, int minor) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) MKNODAT.invokeExact(state, AT_FDCWD, arena.allocateFrom(path.toString()), type | (perm & 07777), makedev(major, minor));
            if (rc < 0) throw new SyscallException("mknod", (int) ERRNO.get(state, 0L), path.toString());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("mknodat downcall failed to invoke", t);
        }
    }

    /**
     * Sets the access and modification times of {@code path} itself (a link is not followed) to
     * {@code mtime}: one {@code utimensat(2)}, nothing opened.
     */
    static void setTimes(Path path, java.nio.file.attribute.FileTime mtime) throws IOException {
        java.time.Instant t = mtime.toInstant();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment times = arena.allocate(ValueLayout.JAVA_LONG, 4); // struct timespec[2]: atime, mtime
            for (int i = 0; i < 2; i++) {
                times.setAtIndex(ValueLayout.JAVA_LONG, 2 * i, t.getEpochSecond());
                times.setAtIndex(ValueLayout.JAVA_LONG, 2 * i + 1, t.getNano());
            }
            int rc = (int) UTIMENSAT.invokeExact(state, AT_FDCWD, arena.allocateFrom(path.toString()), times, AT_SYMLINK_NOFOLLOW);
            if (rc < 0) throw new java.nio.file.FileSystemException(path.toString(), null, new SyscallException("utimensat", (int) ERRNO.get(state, 0L)).getMessage());
        } catch (IOException e) {
            throw e;
        } catch (Throwable t2) {
            throw new AssertionError("utimensat downcall failed to invoke", t2);
        }
    }

    /** glibc's gnu_dev_major of a 64-bit dev_t. */
    static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L));
    }

    /** glibc's gnu_dev_minor of a 64-bit dev_t. */
    static int minor(long dev) {
        return (int) ((dev & 0xffL) | ((dev >>> 12) & 0xffffff00L));
    }

    /** glibc's makedev: 12 bits of major and 20 of minor, split across the 64-bit dev_t. */
    static long makedev(int major, int minor) {
        long ma = major & 0xffffffffL, mi = minor & 0xffffffffL;
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    /**
     * Whether this engine may make device nodes (other than 0/0), tried once by making a null device
     * in {@code scratch}, a directory of the state directory's file system: root in the initial user
     * namespace may, an unprivileged or namespaced engine may not.
     */
    public static boolean devicesCreatable(Path scratch) throws IOException {
        Boolean known = devicesCreatable;
        if (known != null) return known;
        Path probe = scratch.resolve(".mknod-probe-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId());
        boolean may;
        try {
            Files.deleteIfExists(probe);
            mknod(probe, S_IFCHR, 0600, 1, 3);
            may = true;
        } catch (SyscallException refused) {
            may = false;
        } finally {
            Files.deleteIfExists(probe);
        }
        devicesCreatable = may;
        return may;
    }
}

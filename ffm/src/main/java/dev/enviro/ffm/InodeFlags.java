package dev.enviro.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * An inode's flags ({@code chattr}/{@code lsattr}, ioctl FS_IOC_GETFLAGS/SETFLAGS). The engine sets
 * one: {@link #markTopDirectory}.
 */
public final class InodeFlags {
    private InodeFlags() {}

    /** _IOR('f', 1, long) and _IOW('f', 2, long); the kernel reads and writes an int through them. */
    private static final long FS_IOC_GETFLAGS = 0x80086601L, FS_IOC_SETFLAGS = 0x40086602L;
    static final int FS_TOPDIR_FL = 0x00020000;

    private static final class ioctl {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("ioctl", DESC, Linker.Option.firstVariadicArg(2));
    }

    /**
     * Marks {@code dir} as the top of independent directory trees ({@code chattr +T}): ext2/3/4 then
     * place each new subdirectory in a block group of its own (the Orlov allocator), as they do at a
     * file system's root. A state directory's layers are unpacked into fresh directories while old
     * ones are deleted; without the mark every one lands in its parent's group, where an ext4 without
     * a journal skips each inode freed in the last minutes (up to six) when allocating: 400 symlinks
     * took 160-240 ms there, 6 ms in a marked directory. Answers false where the file system has no
     * such flag (tmpfs, xfs, btrfs, overlay): nothing to gain there.
     */
    public static boolean markTopDirectory(Path dir) throws SyscallException {
        return onFlags(dir, true);
    }

    /** Whether {@code dir} carries the mark. */
    public static boolean isTopDirectory(Path dir) throws SyscallException {
        return onFlags(dir, false);
    }

    /** Reads the flags of {@code dir}, and with {@code mark} adds FS_TOPDIR_FL; answers whether it is set. */
    private static boolean onFlags(Path dir, boolean mark) throws SyscallException {
        try (Fd fd = Files.open(dir, Files.O_RDONLY | Files.O_DIRECTORY | Files.O_CLOEXEC, 0);
             Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            MemorySegment flags = arena.allocate(JAVA_INT);
            if ((int) ioctl.HANDLE.invokeExact(state, fd.value(), FS_IOC_GETFLAGS, flags) < 0) {
                return unsupported(Native.errno(state), "FS_IOC_GETFLAGS", dir);
            }
            int current = flags.get(JAVA_INT, 0);
            if ((current & FS_TOPDIR_FL) != 0 || !mark) return (current & FS_TOPDIR_FL) != 0;
            flags.set(JAVA_INT, 0, current | FS_TOPDIR_FL);
            if ((int) ioctl.HANDLE.invokeExact(state, fd.value(), FS_IOC_SETFLAGS, flags) < 0) {
                return unsupported(Native.errno(state), "FS_IOC_SETFLAGS", dir);
            }
            return true;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** ENOTTY, EOPNOTSUPP, EINVAL: the file system has no flags, or not this one. Anything else is an error. */
    private static boolean unsupported(int errno, String call, Path dir) throws SyscallException {
        if (errno == 25 || errno == 95 || errno == 22) return false;
        throw new SyscallException(call, errno, dir.toString());
    }
}

package dev.enviro.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Processes: spawn, wait, signal, pidfds and identity. A JVM cannot fork (its other threads would be
 * lost mid-flight in the child); {@code posix_spawn} is glibc's vfork+exec and is safe here.
 */
public final class Processes {
    private Processes() {}

    public static final int SIGKILL = 9, SIGTERM = 15;
    private static final long SYS_PIDFD_SEND_SIGNAL = 424, SYS_PIDFD_OPEN = 434;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    // glibc x86_64/aarch64 sizes; over-allocating is harmless, under-allocating is not.
    private static final long FILE_ACTIONS_SIZE = 80, SPAWNATTR_SIZE = 336, SIGSET_SIZE = 128;

    private static final class posix_spawn {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("posix_spawn", DESC);
    }

    private static final class posix_spawn_file_actions_init {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_init", DESC);
    }

    private static final class posix_spawn_file_actions_destroy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_destroy", DESC);
    }

    private static final class posix_spawn_file_actions_adddup2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_adddup2", DESC);
    }

    private static final class posix_spawn_file_actions_addopen {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_addopen", DESC);
    }

    private static final class posix_spawnattr_init {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_init", DESC);
    }

    private static final class posix_spawnattr_destroy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_destroy", DESC);
    }

    private static final class posix_spawnattr_setflags {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT);
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_setflags", DESC);
    }

    private static final class posix_spawnattr_setsigmask {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_setsigmask", DESC);
    }

    private static final class posix_spawnattr_setsigdefault {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_setsigdefault", DESC);
    }

    private static final class sigemptyset {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("sigemptyset", DESC, Linker.Option.critical(false));
    }

    private static final class sigfillset {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("sigfillset", DESC, Linker.Option.critical(false));
    }

    private static final class waitpid {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("waitpid", DESC);
    }

    private static final class kill {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("kill", DESC);
    }

    /** syscall(2) with two int arguments: pidfd_open(pid, flags). */
    private static final class syscall_ii {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("syscall", DESC, Linker.Option.firstVariadicArg(1));
    }

    /** syscall(2) as pidfd_send_signal(pidfd, sig, info, flags). */
    private static final class syscall_iipi {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("syscall", DESC, Linker.Option.firstVariadicArg(1));
    }

    private static final class getuid {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("getuid", DESC, Linker.Option.critical(false));
    }

    private static final class getgid {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("getgid", DESC, Linker.Option.critical(false));
    }

    private static final class getpid {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("getpid", DESC, Linker.Option.critical(false));
    }

    /**
     * Starts {@code program} with exactly {@code argv} and {@code env}, after {@code actions}; every
     * signal back at its default and none blocked (the JVM's own signal state must not leak).
     * Returns the pid.
     */
    public static int spawn(Path program, List<String> argv, List<String> env, List<SpawnAction> actions)
            throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            MemorySegment fileActions = arena.allocate(FILE_ACTIONS_SIZE, 8);
            MemorySegment attr = arena.allocate(SPAWNATTR_SIZE, 8);
            check("posix_spawn_file_actions_init", (int) posix_spawn_file_actions_init.HANDLE.invokeExact(state, fileActions));
            try {
                check("posix_spawnattr_init", (int) posix_spawnattr_init.HANDLE.invokeExact(state, attr));
                try {
                    for (SpawnAction action : actions) {
                        switch (action) {
                            case SpawnAction.Dup2(int fd, int target) -> check("posix_spawn_file_actions_adddup2",
                                    (int) posix_spawn_file_actions_adddup2.HANDLE.invokeExact(state, fileActions, fd, target));
                            case SpawnAction.Open(int target, String path, int flags, int mode) -> check("posix_spawn_file_actions_addopen",
                                    (int) posix_spawn_file_actions_addopen.HANDLE.invokeExact(
                                            state, fileActions, target, arena.allocateFrom(path), flags, mode));
                        }
                    }
                    MemorySegment none = arena.allocate(SIGSET_SIZE, 8);
                    MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
                    int rc = (int) sigemptyset.HANDLE.invokeExact(state, none);
                    rc |= (int) sigfillset.HANDLE.invokeExact(state, all);
                    if (rc != 0) throw new SyscallException("sigemptyset", Native.errno(state));
                    check("posix_spawnattr_setsigmask", (int) posix_spawnattr_setsigmask.HANDLE.invokeExact(state, attr, none));
                    check("posix_spawnattr_setsigdefault", (int) posix_spawnattr_setsigdefault.HANDLE.invokeExact(state, attr, all));
                    check("posix_spawnattr_setflags", (int) posix_spawnattr_setflags.HANDLE.invokeExact(
                            state, attr, (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));

                    MemorySegment pid = arena.allocate(JAVA_INT);
                    int err = (int) posix_spawn.HANDLE.invokeExact(state, pid, arena.allocateFrom(program.toString()),
                            fileActions, attr, strings(arena, argv), strings(arena, env));
                    if (err != 0) throw new SyscallException("posix_spawn", err, program.toString());
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) posix_spawnattr_destroy.HANDLE.invokeExact(state, attr);
                }
            } finally {
                int ignored = (int) posix_spawn_file_actions_destroy.HANDLE.invokeExact(state, fileActions);
            }
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** The posix_spawn family returns the error number instead of setting errno. */
    private static void check(String op, int err) throws SyscallException {
        if (err != 0) throw new SyscallException(op, err);
    }

    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i), StandardCharsets.UTF_8));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    /** waitpid(pid, &status, 0), retried on EINTR; returns the raw wait status. Blocks until the child exits. */
    public static int waitpid(int pid) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            MemorySegment status = arena.allocate(JAVA_INT);
            for (;;) {
                int rc = (int) waitpid.HANDLE.invokeExact(state, pid, status, 0);
                if (rc >= 0) return status.get(JAVA_INT, 0);
                int errno = Native.errno(state);
                if (errno != Errno.EINTR) throw new SyscallException("waitpid", errno, String.valueOf(pid));
            }
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** The exit code a shell would report for a raw wait status (128+signal when signalled). */
    public static int exitCode(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
    }

    /** kill(2) by pid. Only for processes this engine just started and still holds as children; everything else goes through a pidfd. */
    public static void kill(int pid, int signal) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            int rc = (int) kill.HANDLE.invokeExact(state, pid, signal);
            if (rc < 0) throw new SyscallException("kill", Native.errno(state), String.valueOf(pid));
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** pidfd_open(2): a descriptor that names this process and no later one with the same pid; readable once it exits. */
    public static Fd pidfdOpen(int pid) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            long fd = (long) syscall_ii.HANDLE.invokeExact(state, SYS_PIDFD_OPEN, pid, 0);
            if (fd < 0) throw new SyscallException("pidfd_open", Native.errno(state), String.valueOf(pid));
            return new Fd((int) fd);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    public static void pidfdSendSignal(Fd pidfd, int signal) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            long rc = (long) syscall_iipi.HANDLE.invokeExact(state, SYS_PIDFD_SEND_SIGNAL, pidfd.value(), signal, MemorySegment.NULL, 0);
            if (rc < 0) throw new SyscallException("pidfd_send_signal", Native.errno(state));
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    public static int getuid() { return idCall(getuid.HANDLE); }

    public static int getgid() { return idCall(getgid.HANDLE); }

    public static int getpid() { return idCall(getpid.HANDLE); }

    private static int idCall(MethodHandle handle) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) handle.invokeExact(Native.captureState(arena)); // cannot fail
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /**
     * The start time of {@code pid} (field 22 of {@code /proc/<pid>/stat}, clock ticks since boot):
     * with the pid, the identity of a process across pid reuse. ESRCH when there is no such process.
     */
    public static long startTime(int pid) throws SyscallException {
        String stat;
        try {
            stat = java.nio.file.Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (NoSuchFileException e) {
            throw new SyscallException("read /proc/" + pid + "/stat", Errno.ESRCH);
        } catch (IOException e) {
            // a process exiting while we read can make the read itself fail
            throw new SyscallException("read /proc/" + pid + "/stat", Errno.ESRCH, e.getMessage());
        }
        return parseStartTime(stat);
    }

    /** Field 22, counted after the command name, which is in parentheses and may itself hold spaces and ')'. */
    static long parseStartTime(String stat) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(rest[22 - 3]);
    }
}

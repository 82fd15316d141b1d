package dev.enviro.ffm;

/**
 * The one error type of the kernel boundary: a syscall (or a step of the C helper) failed
 * with an errno. The message reads like crun's and strace's: {@code "pivot_root: EINVAL (Invalid argument)"}.
 */
public final class SyscallException extends Exception {
    private final int errno;
    private final String operation;

    public SyscallException(String operation, int errno) {
        super(operation + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.errno = errno;
        this.operation = operation;
    }

    public SyscallException(String operation, int errno, String detail) {
        super(operation + " " + detail + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.errno = errno;
        this.operation = operation;
    }

    public int errno() { return errno; }

    /** The failed operation, e.g. {@code "pivot_root"} or {@code "open /proc/42/uid_map"}. */
    public String operation() { return operation; }

    public String errnoName() { return Errno.name(errno); }
}

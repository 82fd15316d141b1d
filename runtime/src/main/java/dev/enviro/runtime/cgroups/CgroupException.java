package dev.enviro.runtime.cgroups;

/**
 * The one error type of this package. The message names the cgroup file and what the kernel said
 * ({@code "write /sys/fs/cgroup/memory/enviro/<id>/memory.limit_in_bytes: EBUSY (Device or resource busy)"}),
 * so the executor can put it in a line for the user as is.
 */
public final class CgroupException extends Exception {
    private final int errno;

    public CgroupException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public CgroupException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The errno behind the failure, 0 when it was not a syscall's (a missing controller, a bad value). */
    public int errno() { return errno; }
}

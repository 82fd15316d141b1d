package dev.enviro.errors;

/**
 * What went wrong, in the one vocabulary every layer and every edge of Enviro speaks. A failure is
 * composed once, where it happens, as an {@link EnviroError} with one of these codes; the gRPC edge
 * maps the code to a status once ({@code dev.enviro.grpc.ApiErrors}), the CLI ends with
 * {@link #exitCode()}, and nothing in between translates it.
 *
 * <p>The exit codes follow Docker's convention, which scripts rely on: 125 when the engine or the
 * command line failed, 126 and 127 when the container's command could not be run (as a shell's).
 */
public enum ErrorCode {
    /** The named object (container, image, process, volume source) does not exist. */
    NOT_FOUND,
    /** An object of that name already exists. */
    ALREADY_EXISTS,
    /** The request itself is wrong: a value, a flag, a spec, a malformed manifest or archive. */
    INVALID_ARGUMENT,
    /** The object's state forbids the request now: not running, still running, in use, paused. */
    CONFLICT,
    /** Credentials were refused or are needed: a registry's 401/403, a file the caller may not read. */
    DENIED,
    /** Something ran out: the state directory's disk, a limit. */
    EXHAUSTED,
    /** Something needed cannot answer now (a registry, the journal, an overloaded engine): retry. */
    UNAVAILABLE,
    /** Content does not match its digest. */
    CORRUPT,
    /** The caller cancelled the call. */
    CANCELLED,
    /** No engine answered at all (nothing listening, refused, no permission): said only by clients. */
    UNREACHABLE,
    /** The container's command does not exist or is not on PATH. */
    COMMAND_NOT_FOUND(127),
    /** The container's command exists but cannot be executed. */
    COMMAND_NOT_RUNNABLE(126),
    /** A step of the engine failed; the message names the step and what the kernel said. */
    INTERNAL;

    /** Docker's code for a failure of the engine or of the command line. */
    public static final int ENGINE_FAILURE_EXIT = 125;

    private final int exitCode;

    ErrorCode() {
        this(ENGINE_FAILURE_EXIT);
    }

    ErrorCode(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The code a command line that failed this way ends with. */
    public int exitCode() { return exitCode; }
}

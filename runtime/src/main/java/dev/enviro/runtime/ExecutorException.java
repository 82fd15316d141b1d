package dev.enviro.runtime;

/**
 * The one error type of the runtime boundary. Its message is written for the user who typed the
 * command: what failed, on which object, what to do ("image localhost/nope not found: load it with
 * 'enviro load -i FILE'").
 */
public final class ExecutorException extends Exception {

    public enum Kind {
        /** the image reference does not resolve in the store */
        IMAGE_NOT_FOUND,
        /** argv[0] does not exist or is not executable in the container (exit 127, as a shell) */
        EXECUTABLE_NOT_FOUND,
        /** argv[0] exists but cannot be executed (exit 126) */
        EXECUTABLE_NOT_RUNNABLE,
        /** the spec cannot be satisfied (bad user, bad workdir, …) */
        INVALID_SPEC,
        /** a set-up step failed in the helper or the engine: step and errno are in the message */
        SETUP_FAILED,
        /** the process is gone or is not the one recorded */
        NO_SUCH_PROCESS
    }

    private final Kind kind;

    public ExecutorException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ExecutorException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}

package dev.enviro.actors;

/**
 * The one error type of the engine boundary. {@link Reason} maps one to one onto gRPC status codes;
 * the message is the single line the CLI prints.
 */
public final class EngineException extends RuntimeException {

    public enum Reason { NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, FAILED_PRECONDITION, UNAVAILABLE, INTERNAL }

    private final Reason reason;
    /** For failures of the container's command itself: the exit code a shell would give (127, 126), else 0. */
    private final int exitCode;

    public EngineException(Reason reason, String message) {
        this(reason, message, 0);
    }

    public EngineException(Reason reason, String message, int exitCode) {
        super(message);
        this.reason = reason;
        this.exitCode = exitCode;
    }

    public Reason reason() { return reason; }

    public int exitCode() { return exitCode; }
}

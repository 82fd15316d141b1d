package dev.enviro.errors;

/**
 * The one error type of Enviro, from the image store and the executor up to the CLI: a
 * {@link ErrorCode code}, one line for the user that names the object and says what to do
 * ({@code image "localhost/nope" not found: pull it with 'enviro pull localhost/nope'}), and the
 * exit code that follows from the code.
 *
 * <p>Unchecked, as every layer passes it up unchanged: a layer that knows more about what the user
 * asked for adds it with {@link #within(String)}, keeping the code, and never re-wraps it in a type
 * of its own. Kernel results ({@code SyscallException}, an errno and an operation) are values of the
 * kernel boundary, turned into an {@code EnviroError} by the code that knows which object it was
 * working on.
 */
public final class EnviroError extends RuntimeException {

    private final ErrorCode code;

    public EnviroError(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public EnviroError(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() { return code; }

    /** The exit code of a command line that failed with this error. */
    public int exitCode() { return code.exitCode(); }

    public boolean is(ErrorCode other) { return code == other; }

    /** The same failure told one level up: {@code context + message}, with the same code and this as its cause. */
    public EnviroError within(String context) {
        return new EnviroError(code, context + getMessage(), this);
    }
}

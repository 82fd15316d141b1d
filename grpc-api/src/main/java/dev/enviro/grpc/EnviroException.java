package dev.enviro.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.FileNotFoundException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one error of the client side of the API: a failed call, with the line to show the user and the
 * exit code a CLI should end with (Docker's convention: 125 for the engine's failures, 126/127 when
 * the container's command could not be run).
 */
public final class EnviroException extends RuntimeException {

    public static final int ENGINE_FAILURE_EXIT = 125;

    private final Status.Code code;
    private final int exitCode;
    private final boolean unreachable;

    EnviroException(Status.Code code, String message, int exitCode, boolean unreachable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.exitCode = exitCode;
        this.unreachable = unreachable;
    }

    /** Reads the status and the trailers the daemon's {@code ApiStatus} wrote; a status without them came from the transport. */
    static EnviroException from(StatusRuntimeException e, EngineAddress address) {
        Status status = e.getStatus();
        Metadata trailers = e.getTrailers();
        boolean fromEngine = trailers != null && trailers.containsKey(ApiTrailers.REASON);
        if (!fromEngine && status.getCode() == Status.Code.UNAVAILABLE) {
            return new EnviroException(status.getCode(), "cannot reach the Enviro engine at " + address
                    + " (connect: " + connectError(e) + "). Start one with 'enviro daemon' (or set ENVIRO_HOST).",
                    ENGINE_FAILURE_EXIT, true, e);
        }
        int exitCode = ENGINE_FAILURE_EXIT;
        if (fromEngine && trailers.containsKey(ApiTrailers.EXIT_CODE)) {
            try {
                exitCode = Integer.parseInt(trailers.get(ApiTrailers.EXIT_CODE));
            } catch (NumberFormatException ignored) {
                // A malformed trailer must not hide the engine's message: keep 125.
            }
        }
        String description = status.getDescription();
        String message = description == null || description.isEmpty()
                ? "the engine answered " + status.getCode() + " without a message"
                : description;
        if (!fromEngine && status.getCode() == Status.Code.CANCELLED) {
            message = "the call to the engine at " + address + " was cancelled: " + message;
        }
        return new EnviroException(status.getCode(), message, exitCode, false, e);
    }

    /** Netty's {@code connect(..) failed with error(-111): Connection refused: /path}, or its older {@code failed: ...}. */
    private static final Pattern NATIVE_ERROR = Pattern.compile("failed(?: with error\\(-?\\d+\\))?: ([^:]+)");

    /**
     * The reason the connection failed, as the kernel said it ({@code No such file or directory},
     * {@code Connection refused}, {@code Permission denied}), found in the cause chain.
     */
    private static String connectError(StatusRuntimeException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof FileNotFoundException && t.getMessage() == null) {
                // Netty's epoll transport reports ENOENT on connect as a bare FileNotFoundException.
                return "No such file or directory";
            }
            String message = t.getMessage();
            if (message != null) {
                Matcher m = NATIVE_ERROR.matcher(message);
                if (m.find()) {
                    return m.group(1).strip();
                }
            }
        }
        String description = e.getStatus().getDescription();
        return description == null ? "unavailable" : description;
    }

    public Status.Code code() { return code; }

    public int exitCode() { return exitCode; }

    /** True when no engine answered at all (nothing listening, refused, no permission). */
    public boolean unreachable() { return unreachable; }
}

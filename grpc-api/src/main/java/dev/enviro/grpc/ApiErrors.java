package dev.enviro.grpc;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.FileNotFoundException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an {@link EnviroError} crosses gRPC, both ways, in one place: the engine answers a failed call
 * with {@link #toStatus}, a client turns the status back into the same error with {@link #fromStatus}.
 * The status code is the nearest gRPC code (for gRPC clients that know nothing of Enviro), the
 * description is the error's one line, and the trailer {@code enviro-error} carries the
 * {@link ErrorCode} itself, so the client gets the very code (and with it the exit code, 126/127
 * included) and can tell an engine's failure from a transport's (no engine listening).
 */
public final class ApiErrors {

    /** The {@link ErrorCode} name of a failure the engine raised; absent on the transport's own failures. */
    public static final Metadata.Key<String> CODE = Metadata.Key.of("enviro-error", Metadata.ASCII_STRING_MARSHALLER);

    private ApiErrors() {}

    /**
     * The most of a message a status carries: messages cut what they echo ({@link dev.enviro.errors.Echo}),
     * this holds for any that does not, well inside gRPC's 8 KiB of metadata (beyond it the client would
     * see a metadata error instead of this one).
     */
    static final int MAX_DESCRIPTION = 2048;

    /** The status an engine answers a failed call with. */
    public static StatusRuntimeException toStatus(EnviroError e) {
        Metadata trailers = new Metadata();
        trailers.put(CODE, e.code().name());
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.length() > MAX_DESCRIPTION) message = message.substring(0, MAX_DESCRIPTION) + "...";
        return grpcStatus(e.code()).withDescription(message).asRuntimeException(trailers);
    }

    static Status grpcStatus(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            // the command's failures are preconditions of the container's image, as Docker's 409 says
            case CONFLICT, COMMAND_NOT_FOUND, COMMAND_NOT_RUNNABLE -> Status.FAILED_PRECONDITION;
            case DENIED -> Status.PERMISSION_DENIED;
            case EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE, UNREACHABLE -> Status.UNAVAILABLE;
            case CORRUPT -> Status.DATA_LOSS;
            case CANCELLED -> Status.CANCELLED;
            case INTERNAL -> Status.INTERNAL;
        };
    }

    /** The error a failed call means to a client of the engine at {@code address}. */
    public static EnviroError fromStatus(StatusRuntimeException e, EngineAddress address) {
        Status status = e.getStatus();
        ErrorCode engines = engineCode(e.getTrailers());
        if (engines == null && status.getCode() == Status.Code.UNAVAILABLE) {
            if (lostMidCall(e)) {
                // the engine answered the connect and went away during the call: starting one is not the advice
                return new EnviroError(ErrorCode.UNREACHABLE, "lost the connection to the Enviro engine at " + address
                        + " during the call (" + connectError(e) + "): it stopped or restarted; check with 'enviro ps' whether the change was made", e);
            }
            return new EnviroError(ErrorCode.UNREACHABLE, "cannot reach the Enviro engine at " + address
                    + " (connect: " + connectError(e) + "). Start one with 'enviro daemon' (or set ENVIRO_HOST).", e);
        }
        String description = status.getDescription();
        String message = description == null || description.isEmpty()
                ? "the engine answered " + status.getCode() + " without a message"
                : description;
        if (engines == null && status.getCode() == Status.Code.CANCELLED) {
            message = "the call to the engine at " + address + " was cancelled: " + message;
        }
        return new EnviroError(engines != null ? engines : nearest(status.getCode()), message, e);
    }

    /** The code the engine put in the trailers; null when it did not (the transport failed) or one this client does not know. */
    private static ErrorCode engineCode(Metadata trailers) {
        String name = trailers == null ? null : trailers.get(CODE);
        if (name == null) return null;
        try {
            return ErrorCode.valueOf(name);
        } catch (IllegalArgumentException newer) {
            return null; // a newer engine's code: the gRPC code still says what kind of failure it is
        }
    }

    private static ErrorCode nearest(Status.Code code) {
        return switch (code) {
            case NOT_FOUND -> ErrorCode.NOT_FOUND;
            case ALREADY_EXISTS -> ErrorCode.ALREADY_EXISTS;
            case INVALID_ARGUMENT, OUT_OF_RANGE -> ErrorCode.INVALID_ARGUMENT;
            case FAILED_PRECONDITION, ABORTED -> ErrorCode.CONFLICT;
            case PERMISSION_DENIED, UNAUTHENTICATED -> ErrorCode.DENIED;
            case RESOURCE_EXHAUSTED -> ErrorCode.EXHAUSTED;
            case UNAVAILABLE, DEADLINE_EXCEEDED -> ErrorCode.UNAVAILABLE;
            case DATA_LOSS -> ErrorCode.CORRUPT;
            case CANCELLED -> ErrorCode.CANCELLED;
            default -> ErrorCode.INTERNAL;
        };
    }

    /** Netty's {@code connect(..) failed with error(-111): Connection refused: /path}, or its older {@code failed: ...}. */
    private static final Pattern NATIVE_ERROR = Pattern.compile("failed(?: with error\\(-?\\d+\\))?: ([^:]+)");

    /**
     * The reason the connection failed, as the kernel said it ({@code No such file or directory},
     * {@code Connection refused}, {@code Permission denied}), found in the cause chain.
     */
    /**
     * Whether an UNAVAILABLE is a connection lost during the call rather than one never made: gRPC says
     * so in the description (the stream or the connection closed, reset or shut down) and no connect
     * failure is among the causes.
     */
    static boolean lostMidCall(StatusRuntimeException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof FileNotFoundException || t instanceof java.net.ConnectException
                    || (t.getMessage() != null && t.getMessage().contains("connect("))) {
                return false;
            }
        }
        String description = e.getStatus().getDescription();
        return description != null && LOST.matcher(description).find();
    }

    private static final Pattern LOST = Pattern.compile("(?i)(closed|reset|shutdown|GOAWAY|end of stream|RST_STREAM)");

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
}

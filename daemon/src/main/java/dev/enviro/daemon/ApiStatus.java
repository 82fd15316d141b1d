package dev.enviro.daemon;

import dev.enviro.grpc.ApiTrailers;

import dev.enviro.actors.EngineException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a failure crosses the API: {@link EngineException.Reason} maps one to one onto a gRPC code, its
 * message becomes the description (the line the CLI prints), and two trailers travel with it (see
 * enviro.proto): {@code enviro-reason} marks the failure as the engine's own (so a client can tell it
 * from a transport failure, e.g. no engine listening), {@code enviro-exit-code} carries 126/127.
 */
public final class ApiStatus {


    private static final Logger log = LoggerFactory.getLogger(ApiStatus.class);

    private ApiStatus() {}

    /** The status a failed call of {@code rpc} answers with. Unexpected failures are logged with their stack. */
    public static StatusRuntimeException of(Throwable failure, String rpc) {
        Throwable cause = unwrap(failure);
        return switch (cause) {
            case EngineException e -> engine(e);
            case StatusRuntimeException e -> e;
            case StatusException e -> new StatusRuntimeException(e.getStatus(), e.getTrailers());
            default -> {
                log.error("{} failed unexpectedly", rpc, cause);
                Metadata trailers = new Metadata();
                trailers.put(ApiTrailers.REASON, EngineException.Reason.INTERNAL.name());
                yield Status.INTERNAL
                        .withDescription("internal error in " + rpc + ": " + oneLine(cause) + " (see the engine's log)")
                        .asRuntimeException(trailers);
            }
        };
    }

    static StatusRuntimeException engine(EngineException e) {
        Metadata trailers = new Metadata();
        trailers.put(ApiTrailers.REASON, e.reason().name());
        if (e.exitCode() != 0) {
            trailers.put(ApiTrailers.EXIT_CODE, Integer.toString(e.exitCode()));
        }
        return code(e.reason()).withDescription(e.getMessage()).asRuntimeException(trailers);
    }

    static Status code(EngineException.Reason reason) {
        return switch (reason) {
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case INTERNAL -> Status.INTERNAL;
        };
    }

    /** Stages wrap their failure; the client must see the engine's own. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String oneLine(Throwable t) {
        String message = t.getMessage();
        String text = message == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + message;
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}

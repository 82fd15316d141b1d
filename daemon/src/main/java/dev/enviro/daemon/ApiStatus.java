package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.ApiErrors;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status a failed RPC answers with: the engine's {@link EnviroError} as {@link ApiErrors} maps it,
 * anything else as an INTERNAL error logged here with its stack (it is a bug: every expected failure
 * is an {@code EnviroError} where it happens).
 */
public final class ApiStatus {

    private static final Logger log = LoggerFactory.getLogger(ApiStatus.class);

    private ApiStatus() {}

    public static StatusRuntimeException of(Throwable failure, String rpc) {
        Throwable cause = unwrap(failure);
        return switch (cause) {
            case EnviroError e -> ApiErrors.toStatus(e);
            case StatusRuntimeException e -> e;
            case StatusException e -> new StatusRuntimeException(e.getStatus(), e.getTrailers());
            default -> {
                log.error("{} failed unexpectedly", rpc, cause);
                yield ApiErrors.toStatus(new EnviroError(ErrorCode.INTERNAL,
                        "internal error in " + rpc + ": " + oneLine(cause) + " (see the engine's log)", cause));
            }
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

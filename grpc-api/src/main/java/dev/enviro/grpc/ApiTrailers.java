package dev.enviro.grpc;

import io.grpc.Metadata;

/**
 * The trailers an engine adds to a failed call beside its status: the reason (one of the engine's
 * error reasons) and the exit code a CLI should end with. The server writes them once (the daemon's
 * {@code ApiStatus}); {@link EnviroException} reads them.
 */
public final class ApiTrailers {

    public static final Metadata.Key<String> REASON = Metadata.Key.of("enviro-reason", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> EXIT_CODE = Metadata.Key.of("enviro-exit-code", Metadata.ASCII_STRING_MARSHALLER);

    private ApiTrailers() {}
}

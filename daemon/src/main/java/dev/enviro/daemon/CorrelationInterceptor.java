package dev.enviro.daemon;

import dev.enviro.actors.Correlation;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Gives every call a correlation id: the client's {@code enviro-correlation-id} header, else a fresh
 * one, bound as {@link Correlation#ID} while the handler runs, so the events the call causes carry
 * it. Unary and server-streaming handlers run in {@code onHalfClose}, which is where it is bound.
 */
final class CorrelationInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> HEADER = Metadata.Key.of(Correlation.HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final int MAX_LENGTH = 128;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String given = headers.get(HEADER);
        String id = given == null || given.isBlank() || given.length() > MAX_LENGTH ? Correlation.generate() : given;
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onHalfClose() {
                ScopedValue.where(Correlation.ID, id).run(super::onHalfClose);
            }
        };
    }
}

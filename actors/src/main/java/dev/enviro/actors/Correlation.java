package dev.enviro.actors;

import java.util.UUID;

/**
 * The correlation id of the API call being served, carried implicitly from the API layer into the
 * {@link Engine} methods: bind {@link #ID} around a call ({@code ScopedValue.where(Correlation.ID, id).call(...)})
 * and every event that call causes carries it. Implicit so that the Engine's signatures stay as they
 * are; unbound, each call gets a fresh id.
 */
public final class Correlation {

    public static final ScopedValue<String> ID = ScopedValue.newInstance();

    /** The gRPC request header a client may send to choose the id. */
    public static final String HEADER = "enviro-correlation-id";

    private Correlation() {}

    public static String current() {
        return ID.isBound() ? ID.get() : generate();
    }

    public static String generate() {
        return UUID.randomUUID().toString();
    }
}

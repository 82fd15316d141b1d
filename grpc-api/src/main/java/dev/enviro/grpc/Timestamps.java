package dev.enviro.grpc;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** {@code google.protobuf.Timestamp} ⇄ {@link Instant}, for both sides of the API. */
public final class Timestamps {

    private Timestamps() {}

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}

package dev.enviro.bench;

/**
 * One way of running {@code true} in a fresh container. {@link #runOnce} returns when the container
 * has exited and is gone; the harness times the whole call from the outside, the same way for every
 * variant.
 */
public sealed interface Variant extends AutoCloseable permits GrpcRun, CommandRun {

    VariantKind kind();

    void runOnce(int round) throws VariantFailure;

    @Override
    default void close() {}
}

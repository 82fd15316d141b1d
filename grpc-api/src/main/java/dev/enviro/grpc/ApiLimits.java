package dev.enviro.grpc;

/** Sizes the engine's API holds to, on every transport it serves. */
public final class ApiLimits {
    private ApiLimits() {}

    /**
     * The largest request the engine takes (gRPC's default is 4 MiB): a container's argv and environment
     * alone may take 6 MiB, execve's own cap, and a request within the kernel's limits must reach the
     * engine's checks rather than fail in the transport.
     */
    public static final int MAX_REQUEST_BYTES = 16 << 20;
}

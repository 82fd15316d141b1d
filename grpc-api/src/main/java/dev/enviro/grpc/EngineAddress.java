package dev.enviro.grpc;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the engine's API listens: a unix socket, written {@code unix:///path} as Docker does.
 * Chosen by {@code --host}, else {@code ENVIRO_HOST}, else the default for root or rootless use.
 * TCP ({@code tcp://host:port} with TLS) is planned and refused here until the server can serve it.
 */
public record EngineAddress(Path socket) {

    public static final String ENV = "ENVIRO_HOST";
    private static final String UNIX = "unix://";

    public EngineAddress {
        if (!socket.isAbsolute()) {
            throw new IllegalArgumentException("the engine socket must be an absolute path: " + socket);
        }
        socket = socket.normalize();
    }

    /** Parses {@code unix:///absolute/path}; the message of the exception is the line a user sees. */
    public static EngineAddress parse(String host) {
        if (host.startsWith(UNIX) && host.length() > UNIX.length()) {
            Path path = Path.of(host.substring(UNIX.length()));
            if (path.isAbsolute()) {
                return new EngineAddress(path);
            }
        }
        if (host.startsWith("tcp://")) {
            throw new IllegalArgumentException("invalid host " + host + ": TCP is not supported yet, use unix:///path/to/enviro.sock");
        }
        throw new IllegalArgumentException("invalid host " + host + ": expected unix:///path/to/enviro.sock");
    }

    /** {@code flag} (may be null) wins over {@code ENVIRO_HOST}, which wins over the default. */
    public static EngineAddress resolve(String flag, Map<String, String> env, int uid) {
        if (flag != null && !flag.isEmpty()) {
            return parse(flag);
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return parse(fromEnv);
        }
        return defaultFor(env, uid);
    }

    /**
     * {@code /run/enviro/enviro.sock} for root, {@code $XDG_RUNTIME_DIR/enviro/enviro.sock} rootless.
     * Without {@code XDG_RUNTIME_DIR} (no login session, e.g. {@code su}) a per-user directory under
     * {@code /tmp} is used, as podman does; the daemon creates it 0700.
     */
    public static EngineAddress defaultFor(Map<String, String> env, int uid) {
        if (uid == 0) {
            return new EngineAddress(Path.of("/run/enviro/enviro.sock"));
        }
        String runtimeDir = env.get("XDG_RUNTIME_DIR");
        Path base = runtimeDir != null && !runtimeDir.isEmpty() && Path.of(runtimeDir).isAbsolute()
                ? Path.of(runtimeDir)
                : Path.of("/tmp", "enviro-run-" + uid);
        return new EngineAddress(base.resolve("enviro").resolve("enviro.sock"));
    }

    /**
     * Where the engine's CLI runs for the native relay: this socket's path with {@code .cli} appended
     * (the relay derives it the same way, docs/relay.md).
     */
    public Path cliSocket() {
        return Path.of(socket + ".cli");
    }

    @Override
    public String toString() {
        return UNIX + socket;
    }
}

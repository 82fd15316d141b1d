package dev.enviro.daemon;

import dev.enviro.grpc.EngineAddress;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * What {@code enviro daemon} is started with: its state directory, the address it serves, and the
 * registries it may speak plain HTTP to ({@code HOST} or {@code HOST:PORT}; loopback ones always are).
 */
public record DaemonSettings(Path stateDir, EngineAddress address, Set<String> insecureRegistries) {

    public static final String STATE_DIR_ENV = "ENVIRO_STATE_DIR";

    public DaemonSettings {
        for (String r : insecureRegistries) {
            if (!r.matches("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+)(:\\d{1,5})?")) {
                throw new IllegalArgumentException("--insecure-registry '" + r + "': give a registry as HOST or HOST:PORT, e.g. registry.local:5000 (no scheme, no path)");
            }
        }
        insecureRegistries = Set.copyOf(insecureRegistries);
    }

    public DaemonSettings(Path stateDir, EngineAddress address) {
        this(stateDir, address, Set.of());
    }

    /** {@code flag} (may be null) wins over {@code ENVIRO_STATE_DIR}, which wins over the default. */
    public static Path stateDir(String flag, Map<String, String> env, int uid) {
        if (flag != null && !flag.isEmpty()) {
            return Path.of(flag).toAbsolutePath().normalize();
        }
        String fromEnv = env.get(STATE_DIR_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Path.of(fromEnv).toAbsolutePath().normalize();
        }
        if (uid == 0) {
            return Path.of("/var/lib/enviro");
        }
        String dataHome = env.get("XDG_DATA_HOME");
        if (dataHome != null && !dataHome.isEmpty() && Path.of(dataHome).isAbsolute()) {
            return Path.of(dataHome, "enviro");
        }
        return Path.of(System.getProperty("user.home"), ".local", "share", "enviro");
    }

    /**
     * A daemon logs at INFO (logback.xml's {@code enviro.log.level}). Call before the first SLF4J logger
     * is made: here, in a class that makes none, because touching one that does (EnviroDaemon) would
     * start logging at the default level first.
     */
    static void logAtInfo() {
        System.setProperty("enviro.log.level", "INFO");
    }
}

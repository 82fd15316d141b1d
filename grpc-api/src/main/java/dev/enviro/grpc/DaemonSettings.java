package dev.enviro.grpc;

import java.nio.file.Path;
import java.util.Map;

/** What {@code enviro daemon} is started with: its state directory and the address it serves. */
public record DaemonSettings(Path stateDir, EngineAddress address) {

    public static final String STATE_DIR_ENV = "ENVIRO_STATE_DIR";

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
}

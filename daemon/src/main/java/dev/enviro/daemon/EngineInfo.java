package dev.enviro.daemon;

/**
 * What {@code enviro info} shows: facts the composition root ({@link EnviroDaemon}) knows once it has
 * built the engine's parts. Strings are for people; {@code snapshotter} is {@code overlay} or {@code copy}.
 */
public record EngineInfo(String version, String stateDir, String snapshotter, String cgroupVersion, String cgroupLayout,
                         boolean rootless, String executor, int ioUringRings, String journal, String idMap,
                         java.util.List<String> insecureRegistries) {

    public EngineInfo {
        insecureRegistries = java.util.List.copyOf(insecureRegistries);
    }

    /** Enviro's version, as the CLI's {@code --version} prints it. */
    public static final String VERSION = "0.1.0";

    /** For an engine served without the daemon's parts (embedding, API tests). */
    public static EngineInfo embedded() {
        return new EngineInfo(VERSION, "", "", "", "", false, "", 0, "", "", java.util.List.of());
    }
}

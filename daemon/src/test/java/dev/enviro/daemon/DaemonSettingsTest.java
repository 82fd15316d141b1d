package dev.enviro.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonSettingsTest {

    @Test
    void stateDirectoryDefaults() {
        assertEquals(Path.of("/var/lib/enviro"), DaemonSettings.stateDir(null, Map.of(), 0));
        assertEquals(Path.of("/d/enviro"), DaemonSettings.stateDir(null, Map.of("XDG_DATA_HOME", "/d"), 1000));
        assertEquals(Path.of("/s"), DaemonSettings.stateDir(null, Map.of("ENVIRO_STATE_DIR", "/s"), 0));
        assertEquals(Path.of("/f"), DaemonSettings.stateDir("/f", Map.of("ENVIRO_STATE_DIR", "/s"), 0));
    }
}

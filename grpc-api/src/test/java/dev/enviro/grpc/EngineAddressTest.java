package dev.enviro.grpc;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineAddressTest {

    @Test
    void rootUsesRunEnviro() {
        assertEquals("unix:///run/enviro/enviro.sock", EngineAddress.defaultFor(Map.of(), 0).toString());
    }

    @Test
    void rootlessUsesTheRuntimeDirectory() {
        assertEquals(Path.of("/run/user/1000/enviro/enviro.sock"),
                EngineAddress.defaultFor(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000).socket());
        assertEquals(Path.of("/tmp/enviro-run-1000/enviro/enviro.sock"), EngineAddress.defaultFor(Map.of(), 1000).socket());
    }

    @Test
    void flagWinsOverEnvironmentWhichWinsOverDefault() {
        Map<String, String> env = Map.of("ENVIRO_HOST", "unix:///e.sock");
        assertEquals(Path.of("/f.sock"), EngineAddress.resolve("unix:///f.sock", env, 0).socket());
        assertEquals(Path.of("/e.sock"), EngineAddress.resolve(null, env, 0).socket());
        assertEquals(Path.of("/run/enviro/enviro.sock"), EngineAddress.resolve(null, Map.of(), 0).socket());
    }

    @Test
    void onlyAbsoluteUnixAddressesAreAccepted() {
        assertEquals("invalid host tcp://1.2.3.4:2375: TCP is not supported yet, use unix:///path/to/enviro.sock",
                assertThrows(IllegalArgumentException.class, () -> EngineAddress.parse("tcp://1.2.3.4:2375")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> EngineAddress.parse("unix://relative.sock"));
        assertThrows(IllegalArgumentException.class, () -> EngineAddress.parse("/no/scheme.sock"));
        assertThrows(IllegalArgumentException.class, () -> EngineAddress.parse("unix://"));
    }
}

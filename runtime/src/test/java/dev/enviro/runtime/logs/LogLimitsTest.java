package dev.enviro.runtime.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.ffm.helper.HelperPlan.LogRotation;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogLimitsTest {

    @Test
    void theDefaultIsBoundedTenMebibytesTimesFive() {
        assertEquals(new LogRotation(10L << 20, 5), LogLimits.parse(List.of()));
    }

    @Test
    void sizesReadAsDockerReadsThem() {
        assertEquals(new LogRotation(1L << 20, 3), LogLimits.parse(List.of("max-size=1m", "max-file=3")));
        assertEquals(512L << 10, LogLimits.parse(List.of("max-size=512k")).maxBytes());
        assertEquals(2L << 30, LogLimits.parse(List.of("max-size=2G")).maxBytes());
        assertEquals(100_000, LogLimits.parse(List.of("max-size=100000")).maxBytes());
        assertEquals(1, LogLimits.parse(List.of("max-file=1")).maxFiles());
    }

    @Test
    void nonsenseIsRefusedWithTheOption() {
        for (String bad : List.of("max-size=0", "max-size=-1m", "max-size=1x", "max-size=1k", "max-file=0", "max-file=two", "mode=fast", "max-size")) {
            String m = assertThrows(dev.enviro.errors.EnviroError.class, () -> LogLimits.parse(List.of(bad))).getMessage();
            assertTrue(m.startsWith("--log-opt " + bad + ": "), m);
        }
    }
}

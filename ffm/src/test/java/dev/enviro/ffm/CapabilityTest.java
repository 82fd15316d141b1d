package dev.enviro.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CapabilityTest {

    @Test
    void lastCapIsTheKernelsWholeNumber() throws Exception {
        // read the way a shell does, one read(2) with a big buffer
        Process p = new ProcessBuilder("cat", Path.of("/proc/sys/kernel/cap_last_cap").toString()).start();
        int kernel = Integer.parseInt(new String(p.getInputStream().readAllBytes()).trim());
        assertEquals(Math.min(kernel, Capability.values().length - 1), Capability.lastCap());
    }

    @Test
    void namesParseWithOrWithoutPrefix() {
        assertEquals(Optional.of(Capability.SYS_ADMIN), Capability.parse("cap_sys_admin"));
        assertEquals(Optional.of(Capability.NET_RAW), Capability.parse("NET_RAW"));
        assertEquals(Optional.empty(), Capability.parse("NET_GOD"));
        assertEquals(21, Capability.SYS_ADMIN.ordinal());
        assertEquals(40, Capability.CHECKPOINT_RESTORE.ordinal());
    }
}

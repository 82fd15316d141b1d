package dev.enviro.runtime.network;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leases on disk: one address per container, kept across calls, given back, swept, never twice. */
class BridgeAddressesTest {
    @TempDir Path dir;

    private BridgeAddresses addresses(int prefix) {
        return new BridgeAddresses(dir, (Inet4Address) InetAddress.ofLiteral("10.89.7.9"), prefix);
    }

    @Test
    void containersGetTheFreeAddressesInOrderAndKeepTheirs() throws Exception {
        BridgeAddresses a = addresses(16);
        assertEquals("10.89.0.1", a.gateway().getHostAddress());
        assertEquals("10.89.0.2", a.lease("c1").getHostAddress());
        assertEquals("10.89.0.3", a.lease("c2").getHostAddress());
        assertEquals("10.89.0.2", a.lease("c1").getHostAddress(), "a container keeps its address");
        a.release("c1");
        assertEquals("10.89.0.2", a.lease("c3").getHostAddress(), "a released address is free again");
        assertEquals("10.89.0.3", new BridgeAddresses(dir, (Inet4Address) InetAddress.ofLiteral("10.89.0.0"), 16).held("c2").orElseThrow().getHostAddress(),
                "leases outlive the engine that took them");
    }

    @Test
    void aFullSubnetSaysSoAndTheSweepFreesWhatIsGone() throws Exception {
        BridgeAddresses a = addresses(30); // .1 gateway, .2 the only container address, .3 broadcast
        Path gone = dir.resolve("state/containers/c1"), alive = Files.createDirectories(dir.resolve("state/containers/c2"));
        assertEquals("10.89.7.10", a.lease(gone.toString()).getHostAddress());
        var e = assertThrows(java.io.IOException.class, () -> a.lease(alive.toString()));
        assertEquals("no free address left in 10.89.7.8/30: remove containers on it", e.getMessage());
        Path stray = dir.resolve("leases/.lease-stray.tmp");
        Files.writeString(stray, "x");
        Files.setLastModifiedTime(stray, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 120_000));
        a.sweep();
        try (var left = Files.list(dir.resolve("leases"))) {
            assertEquals(0, left.count(), "a lease whose container's directory is gone, and an old temporary file, are removed");
        }
        assertEquals("10.89.7.10", a.lease(alive.toString()).getHostAddress());
        a.sweep();
        assertEquals("10.89.7.10", a.held(alive.toString()).orElseThrow().getHostAddress(), "a live container's lease stays");
    }
}

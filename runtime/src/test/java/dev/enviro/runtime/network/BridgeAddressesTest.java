package dev.enviro.runtime.network;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
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
    void aFullSubnetSaysSoAndTheSweepFreesTheGone() throws Exception {
        BridgeAddresses a = addresses(30); // .1 gateway, .2 the only container address, .3 broadcast
        assertEquals("10.89.7.10", a.lease("c1").getHostAddress());
        var e = assertThrows(java.io.IOException.class, () -> a.lease("c2"));
        assertEquals("no free address left in 10.89.7.8/30: remove containers on it", e.getMessage());
        Files.writeString(dir.resolve("leases/.lease-stray.tmp"), "c9");
        a.sweep(Set.of("c2"));
        try (var left = Files.list(dir.resolve("leases"))) {
            assertEquals(0, left.count(), "the leases of containers that are gone, and stray temporary files, are removed");
        }
        assertEquals("10.89.7.10", a.lease("c2").getHostAddress());
    }
}

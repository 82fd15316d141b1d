package dev.enviro.runtime.network;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's nftables table, as one transaction rebuilt from the containers' recorded ports. */
class PortRulesTest {
    @TempDir Path dir;

    @Test
    void theTableIsRebuiltWholeFromTheRecordedPorts() throws Exception {
        PortRules rules = new PortRules(dir, "10.89.0.0/16", "enviro0");
        Files.createDirectories(dir.resolve("ports"));
        Files.write(dir.resolve("ports/aaaaaaaaaaaaaaaa"), List.of("/state/containers/aaaaaaaaaaaaaaaa",
                new PortRules.Record(new PortMapping(null, 8080, 80, "tcp"), addr("10.89.0.2")).line(),
                new PortRules.Record(new PortMapping(addr("127.0.0.1"), 5353, 53, "udp"), addr("10.89.0.2")).line()));
        assertEquals("""
                add table ip enviro
                add chain ip enviro prerouting { type nat hook prerouting priority dstnat; policy accept; }
                add chain ip enviro output { type nat hook output priority -100; policy accept; }
                add chain ip enviro postrouting { type nat hook postrouting priority srcnat; policy accept; }
                add chain ip enviro ports
                flush chain ip enviro prerouting
                flush chain ip enviro output
                flush chain ip enviro postrouting
                flush chain ip enviro ports
                add rule ip enviro prerouting fib daddr type local jump ports
                add rule ip enviro output fib daddr type local jump ports
                add rule ip enviro postrouting ip saddr 127.0.0.0/8 ip daddr 10.89.0.0/16 masquerade
                add rule ip enviro postrouting ip saddr 10.89.0.0/16 ip daddr != 10.89.0.0/16 masquerade
                add rule ip enviro ports tcp dport 8080 dnat to 10.89.0.2:80
                add rule ip enviro ports ip daddr 127.0.0.1 udp dport 5353 dnat to 10.89.0.2:53
                """, rules.ruleset());
    }

    @Test
    void aPortAnotherContainerPublishedIsRefusedWithItsName() throws Exception {
        PortRules rules = new PortRules(dir, "10.89.0.0/16", "enviro0");
        Files.createDirectories(dir.resolve("ports"));
        Files.write(dir.resolve("ports/bbbbbbbbbbbbbbbbbbbb"), List.of("/state/containers/bbbbbbbbbbbbbbbbbbbb",
                new PortRules.Record(new PortMapping(null, 8080, 80, "tcp"), addr("10.89.0.3")).line()));
        var e = assertThrows(dev.enviro.errors.EnviroError.class, () -> rules.check("/other/containers/cccc", List.of(new PortMapping(addr("127.0.0.1"), 8080, 81, "tcp"))));
        assertEquals("host port 8080/tcp is published by container bbbbbbbbbbbb: stop or remove it, or choose another port", e.getMessage());
        int free;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        Files.write(dir.resolve("ports/bbbbbbbbbbbbbbbbbbbb"), List.of("/state/containers/bbbbbbbbbbbbbbbbbbbb",
                new PortRules.Record(new PortMapping(null, free, 80, "tcp"), addr("10.89.0.3")).line()));
        rules.check("/state/containers/bbbbbbbbbbbbbbbbbbbb", List.of(new PortMapping(null, free, 80, "tcp"))); // its own, at a restart
        try (java.net.ServerSocket holder = new java.net.ServerSocket(free)) {
            var inUse = assertThrows(dev.enviro.errors.EnviroError.class, () -> rules.check("/state/containers/bbbbbbbbbbbbbbbbbbbb", List.of(new PortMapping(null, free, 80, "tcp"))));
            assertTrue(inUse.getMessage().startsWith("host port " + free + "/tcp is in use on the host"), inUse.getMessage());
        }
    }

    private static Inet4Address addr(String a) {
        return (Inet4Address) InetAddress.ofLiteral(a);
    }
}

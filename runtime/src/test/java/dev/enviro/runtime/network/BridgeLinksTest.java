package dev.enviro.runtime.network;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.enviro.ffm.Processes;
import dev.enviro.ffm.RouteSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Real rtnetlink: a bridge with its address, a veth pair into another namespace, both removed again. */
class BridgeLinksTest {

    @Test
    void aBridgeAndAVethIntoAnotherNamespaceAreMadeAndRemoved() throws Exception {
        assumeTrue(Processes.getuid() == 0, "creates links in the host's network namespace: .ci/run runs as root");
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16, 1 << 20));
        String bridge = "envt" + suffix, veth = "vet" + suffix;
        Process other = new ProcessBuilder("unshare", "--net", "sleep", "60").start();
        try {
            Inet4Address gateway = (Inet4Address) InetAddress.ofLiteral("10.251.0.1");
            int index = BridgeLinks.ensureBridge(bridge, gateway, 24);
            assertEquals(index, BridgeLinks.ensureBridge(bridge, gateway, 24), "a second call keeps what is there");
            assertTrue(Files.readString(Path.of("/sys/class/net", bridge, "flags")).strip().matches("0x[0-9a-f]*[13579bdf]"), "up");
            assertTrue(Files.isDirectory(Path.of("/sys/class/net", bridge, "bridge")), "a bridge");

            int pid = awaitOwnNamespace(other);
            BridgeLinks.addVeth(veth, index, "eth0", pid);
            assertEquals(bridge, Files.readSymbolicLink(Path.of("/sys/class/net", veth, "master")).getFileName().toString());
            assertTrue(Files.readString(Path.of("/proc", Integer.toString(pid), "net/dev")).contains("eth0:"), "the peer is in the other namespace");
            BridgeLinks.addVeth(veth, index, "eth0", pid); // a repeated start replaces the old pair

            BridgeLinks.deleteLink(veth);
            assertEquals(0, RouteSocket.index(veth));
            assertFalse(Files.readString(Path.of("/proc", Integer.toString(pid), "net/dev")).contains("eth0:"), "its peer went with it");
            BridgeLinks.deleteLink(veth); // none is fine
        } finally {
            other.destroyForcibly().waitFor();
            BridgeLinks.deleteLink(veth);
            BridgeLinks.deleteLink(bridge);
        }
        assertEquals(0, RouteSocket.index(bridge));
    }

    /** The pid of unshare's sleep once it is in a namespace of its own (unshare execs sleep in place). */
    private static int awaitOwnNamespace(Process p) throws Exception {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        for (int i = 0; i < 200; i++) {
            if (!Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "ns/net")).toString().equals(host)) return (int) p.pid();
            Thread.sleep(10);
        }
        throw new AssertionError("unshare --net did not take a namespace");
    }
}

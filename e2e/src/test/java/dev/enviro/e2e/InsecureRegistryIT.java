package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5: registries are spoken to over HTTPS, plain HTTP only for loopback ones (the other e2e
 * pulls) and those the daemon is told are insecure ({@code enviro daemon --insecure-registry}, as
 * dockerd's flag). The registry here listens on this host's own non-loopback address.
 */
class InsecureRegistryIT {
    @TempDir Path dir;

    /** An IPv4 address of an up, non-loopback interface of this host (CI's VM has eth0). */
    private static Optional<String> hostAddress() throws Exception {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!n.isUp() || n.isLoopback()) continue;
            for (InetAddress a : Collections.list(n.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) return Optional.of(a.getHostAddress());
            }
        }
        return Optional.empty();
    }

    @Test
    void aRegistryOnAnotherAddressIsHttpsUnlessTheDaemonListsItInsecure() throws Exception {
        Optional<String> address = hostAddress();
        Assumptions.assumeTrue(address.isPresent(), "needs a non-loopback IPv4 address on this host");
        try (LocalRegistry registry = LocalRegistry.start(dir, address.get())) {
            registry.push(BusyboxImage.archive(), "e2e/busybox:1.0");
            String ref = registry.host() + "/e2e/busybox:1.0";

            try (EngineFixture engine = EngineFixture.root()) {
                Cli.Result refused = engine.cli(60, "pull", ref);
                assertEquals(125, refused.exitCode(), refused::toString);
                String line = refused.stderr().strip();
                assertEquals(1, line.lines().count(), refused::toString);
                assertTrue(line.contains("registry " + registry.host() + ": HTTPS failed"), refused::toString);
                assertTrue(line.endsWith("start the daemon with --insecure-registry " + registry.host()), refused::toString);
                assertFalse(engine.cli("images").stdout().contains(registry.host()), "nothing was stored");
            }

            try (EngineFixture engine = EngineFixture.root("--insecure-registry", registry.host())) {
                Cli.Result pulled = engine.cli("pull", ref);
                assertEquals(0, pulled.exitCode(), pulled::toString);
                Cli.Result run = engine.cli("run", "--rm", ref, "echo", "over-plain-http");
                assertEquals("over-plain-http\n", run.stdout(), run::toString);
                Cli.Result info = engine.cli("info");
                assertTrue(info.stdout().contains("Insecure Registries: " + registry.host() + "\n"), info::toString);
            }
        }
    }

    @Test
    void anInsecureRegistryWithASchemeOrPathIsRefusedInOneLine() throws Exception {
        Cli.Result r = Cli.run(java.util.List.of(), java.util.Map.of(), 60, "daemon", "--state-dir", dir.resolve("state").toString(),
                "--host", "unix://" + dir.resolve("sock"), "--insecure-registry", "http://registry.local:5000/v2");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("Error: --insecure-registry 'http://registry.local:5000/v2': give a registry as HOST or HOST:PORT, e.g. registry.local:5000 (no scheme, no path)",
                r.stderr().strip(), r::toString);
        assertFalse(java.nio.file.Files.exists(dir.resolve("sock")), "no daemon started");
    }
}

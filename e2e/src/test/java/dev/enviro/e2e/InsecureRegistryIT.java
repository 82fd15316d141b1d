package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5: registries are spoken to over HTTPS, plain HTTP only for loopback ones (the other e2e
 * pulls) and those the daemon is told are insecure ({@code enviro daemon --insecure-registry}, as
 * dockerd's flag). The registry here is named by this host's own name.
 */
class InsecureRegistryIT {
    @TempDir Path dir;

    /**
     * A registry name the engine cannot take for a loopback one: this host's own name (the JVM resolves
     * it, through /etc/hosts at least), whatever address it resolves to. Only localhost, 127.0.0.0/8
     * and [::1] as written are plain HTTP by default.
     */
    private static String hostName() throws Exception {
        String name = InetAddress.getLocalHost().getHostName();
        assertFalse(name.equals("localhost") || name.startsWith("127."), "this host's name is " + name + ": the test needs a name that is not loopback's");
        return name;
    }

    @Test
    void aRegistryNotNamedAsLoopbackIsHttpsUnlessTheDaemonListsItInsecure() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(dir, hostName())) {
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

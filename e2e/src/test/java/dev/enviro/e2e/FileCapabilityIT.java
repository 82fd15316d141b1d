package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 5 (xattrs): a layer's file capability (PAX {@code SCHILY.xattr.security.capability}, as docker
 * writes it) is applied for the container's root and works inside the container, not on the host.
 */
class FileCapabilityIT {
    /** cap_net_bind_service+ep (bit 10), revision 2, as `setcap` writes it. */
    private static final String NET_BIND_SERVICE = "0100000200040000000000000000000000000000";

    private static String capEff(Cli.Result r) {
        return r.stdout().lines().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow(() -> new AssertionError(r.toString())).substring(7).strip();
    }

    @Test
    void aFileCapabilityOfALayerWorksForTheContainerAndGrantsNothingOnTheHost() throws Exception {
        try (EngineFixture engine = EngineFixture.root(); LocalRegistry registry = LocalRegistry.start(engine.dir)) {
            Path layout = LayeredImage.build(engine.dir.resolve("caps"), List.of(List.of("d opt", "d opt/cap", "c opt/cap/cat " + NET_BIND_SERVICE)));
            registry.pushLayout(layout, "e2e/caps:1");
            String ref = registry.host() + "/e2e/caps:1";
            Cli.Result pulled = engine.cli("pull", ref); // unpacked while pulling: the xattr goes through PullUnpacker
            assertEquals(0, pulled.exitCode(), pulled::toString);

            // As uid 1000, without no_new_privs: the copy of busybox carrying the capability gets it at exec ...
            Cli.Result capable = engine.cli("run", "--rm", "-u", "1000", "--security-opt", "no-new-privileges=false", ref, "/opt/cap/cat", "/proc/self/status");
            assertEquals(0, capable.exitCode(), capable::toString);
            assertEquals("0000000000000400", capEff(capable), capable::toString);
            // ... the image's own busybox does not ...
            Cli.Result plain = engine.cli("run", "--rm", "-u", "1000", "--security-opt", "no-new-privileges=false", ref, "cat", "/proc/self/status");
            assertEquals("0000000000000000", capEff(plain), plain::toString);
            // ... and with no_new_privs, the engine's default, file capabilities are not granted at all.
            Cli.Result nnp = engine.cli("run", "--rm", "-u", "1000", ref, "/opt/cap/cat", "/proc/self/status");
            assertEquals("0000000000000000", capEff(nnp), nnp::toString);

            // On the host the file's capability names the container's root (revision 3, rootid 100000): it grants nothing here.
            Path file;
            try (Stream<Path> layers = Files.list(engine.stateDir.resolve("snapshots/layers"))) {
                file = layers.map(l -> l.resolve("opt/cap/cat")).filter(Files::isRegularFile).findFirst().orElseThrow();
            }
            byte[] value = dev.enviro.ffm.Files.lgetxattr(file, "security.capability");
            String hex = java.util.HexFormat.of().formatHex(value);
            assertEquals(24, value.length, hex);
            assertEquals(100000, ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt(20), "rootid: " + hex);
        }
    }
}

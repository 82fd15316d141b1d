package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.enviro.images.registry.FaultyProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 5: rmi, tag, image inspect, save, image prune and interrupted pulls, through the CLI against a real daemon. */
class ImageVerbsIT {
    EngineFixture engine;

    @BeforeEach
    void start() throws Exception {
        engine = EngineFixture.root();
        engine.loadBusybox();
    }

    @AfterEach
    void stop() throws Exception {
        if (engine != null) engine.close();
    }

    private Cli.Result ok(String... args) throws Exception {
        Cli.Result r = engine.cli(120, args);
        assertEquals(0, r.exitCode(), () -> String.join(" ", args) + ": " + r + "\n" + engine.daemonLog());
        return r;
    }

    private List<String> entries(String dir) throws Exception {
        Path p = engine.stateDir.resolve(dir);
        if (!Files.isDirectory(p)) return List.of();
        try (Stream<Path> s = Files.list(p)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void tagThenRmiUntagsAndAnImageInUseNeedsForce() throws Exception {
        String id = ok("image", "inspect", "--format", "{{.Id}}", "localhost/busybox").stdout().strip();
        assertTrue(id.matches("sha256:[0-9a-f]{64}"), id);
        ok("tag", "localhost/busybox", "localhost/copy:1");
        String images = ok("images").stdout();
        assertTrue(images.contains("localhost/copy") && images.contains("localhost/busybox"), images);
        ok("run", "--name", "user1", "localhost/copy:1", "true");

        Cli.Result untag = ok("rmi", "localhost/busybox");
        assertEquals("Untagged: localhost/busybox:latest\n", untag.stdout(), "another name is left: only untagged");

        Cli.Result refused = engine.cli("rmi", "localhost/copy:1");
        assertEquals(125, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("is used by container user1"), refused::toString);
        assertEquals(1, refused.stderr().strip().lines().count(), "one line: " + refused.stderr());

        Cli.Result forced = ok("rmi", "-f", "localhost/copy:1");
        assertEquals("Untagged: localhost/copy:1\n", forced.stdout(), "the image stays while user1 exists");
        assertTrue(ok("images").stdout().contains("<none>"), "listed untagged");
        Cli.Result kept = ok("image", "prune");
        assertTrue(kept.stdout().contains("Total reclaimed space: 0B"), kept::toString);
        assertEquals("by-id\n", ok("run", "--rm", id.substring(7, 19), "echo", "by-id").stdout(), "still runs by id");

        ok("rm", "user1");
        Cli.Result pruned = ok("image", "prune");
        assertTrue(pruned.stdout().contains("deleted: sha256:"), pruned::toString);
        assertEquals(List.of(), entries("content/blobs/sha256"), "no image, no blob");
        assertEquals(List.of(), entries("snapshots/layers"), "no image, no layer snapshot");
        assertEquals(1, ok("images").stdout().lines().count(), "only the header is left");
    }

    @Test
    void imageInspectShowsIdNamesDigestsConfigLayersSizeAndCreated() throws Exception {
        JsonNode all = new ObjectMapper().readTree(ok("image", "inspect", "localhost/busybox").stdout());
        assertEquals(1, all.size());
        JsonNode i = all.get(0);
        assertTrue(i.path("Id").asText().matches("sha256:[0-9a-f]{64}"), i::toString);
        assertEquals("localhost/busybox:latest", i.path("RepoTags").get(0).asText());
        assertTrue(i.path("RepoDigests").get(0).asText().startsWith("localhost/busybox@sha256:"), i::toString);
        assertEquals("sh", i.path("Config").path("Cmd").get(0).asText(), i::toString);
        assertEquals(1, i.path("RootFS").path("Layers").size());
        assertEquals(i.path("Layers").get(0).path("Size").asLong(), i.path("Size").asLong());
        assertEquals("1970-01-01T00:00:00Z", i.path("Created").asText());
        Cli.Result missing = engine.cli("image", "inspect", "localhost/nothing");
        assertEquals(125, missing.exitCode());
        assertTrue(missing.stderr().contains("image \"localhost/nothing:latest\" not found"), missing::toString);
    }

    @Test
    void saveWritesAnArchiveThatSkopeoAndLoadRead() throws Exception {
        ok("tag", "localhost/busybox", "localhost/saved:2");
        Path archive = engine.dir.resolve("saved.tar");
        ok("save", "-o", archive.toString(), "localhost/saved:2");
        Process skopeo = new ProcessBuilder("skopeo", "inspect", "oci-archive:" + archive).redirectErrorStream(true).start();
        String out = new String(skopeo.getInputStream().readAllBytes());
        assertTrue(skopeo.waitFor(60, TimeUnit.SECONDS) && skopeo.exitValue() == 0, out);
        assertTrue(out.contains("\"Architecture\": \"amd64\""), out);

        ok("rmi", "localhost/saved:2", "localhost/busybox");
        assertEquals(List.of(), entries("content/blobs/sha256"));
        Cli.Result loaded = ok("load", "-i", archive.toString());
        assertEquals("Loaded image: localhost/saved:2\n", loaded.stdout());
        assertEquals("from-save\n", ok("run", "--rm", "localhost/saved:2", "echo", "from-save").stdout());
    }

    @Test
    void pruneAllNeverTouchesTheLowerLayersOfARunningContainer() throws Exception {
        String id = ok("run", "-d", "localhost/busybox", "sleep", "60").stdout().strip();
        List<String> layers = entries("snapshots/layers");
        assertEquals(1, layers.size(), layers::toString);
        // Debris a crash or an older engine leaves: an orphan blob and layer, a per-image snapshot.
        Files.writeString(engine.stateDir.resolve("content/blobs/sha256/" + "a".repeat(64)), "orphan");
        Files.createDirectories(engine.stateDir.resolve("snapshots/layers/" + "b".repeat(64) + "-0-100000-65536_g_0-100000-65536/etc"));
        Files.createDirectories(engine.stateDir.resolve("snapshots/" + "c".repeat(64) + "-0-100000-65536_g_0-100000-65536/bin"));

        ok("rmi", "-f", "localhost/busybox");
        Cli.Result pruned = ok("image", "prune", "-a");
        assertTrue(pruned.stdout().contains("Collected 1 blobs and 2 layer snapshots"), pruned::toString);
        assertEquals(layers, entries("snapshots/layers"), "the running container's layer stays");
        assertFalse(Files.exists(engine.stateDir.resolve("snapshots/" + "c".repeat(64) + "-0-100000-65536_g_0-100000-65536")));
        String pid = ok("inspect", "--format", "{{.State.Pid}}", id).stdout().strip();
        assertTrue(Files.isRegularFile(Path.of("/proc/" + pid + "/root/bin/busybox")), "its root still has busybox");

        ok("rm", "-f", id);
        ok("image", "prune", "-a");
        assertEquals(List.of(), entries("snapshots/layers"), "with the container gone, so is the layer");
        assertEquals(List.of(), entries("content/blobs/sha256"));
    }

    @Test
    void aPullKilledMidwayLeavesNothingAfterTheEngineRestarts() throws Exception {
        List<String> blobsBefore = entries("content/blobs/sha256");
        List<String> layersBefore = entries("snapshots/layers");
        try (LocalRegistry registry = LocalRegistry.start(engine.dir)) {
            // busybox's layer (about 1 MB) stalls behind the proxy; the small top layer, config and manifest do not
            Path layout = LayeredImage.build(engine.dir.resolve("two-layers"), List.of(List.of("f etc/top top")));
            registry.pushLayout(layout, "e2e/interrupted:1");
            int port = Integer.parseInt(registry.host().substring(registry.host().lastIndexOf(':') + 1));
            try (FaultyProxy proxy = new FaultyProxy(port, FaultyProxy.Fault.STALL, 200_000)) {
                ok("rmi", "localhost/busybox"); // so that the busybox layer must be downloaded
                ProcessBuilder pb = new ProcessBuilder(Cli.launcher().toString(), "pull", proxy.host() + "/e2e/interrupted:1")
                        .redirectErrorStream(true).redirectOutput(engine.dir.resolve("pull.out").toFile());
                pb.environment().putAll(engine.env());
                Process pull = pb.start();
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while ((entries("content/blobs/sha256").isEmpty() || proxy.faults.get() == 0) && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    assertFalse(entries("content/blobs/sha256").isEmpty(), "the small layer was committed before the kill");
                    assertTrue(proxy.faults.get() > 0, "the busybox layer is stalled");
                    assertFalse(entries("images/pulls").isEmpty(), "the pull is marked in flight");
                    engine.killDaemon();
                } finally {
                    pull.destroyForcibly().waitFor();
                }
            }
        }
        engine.startDaemon();
        assertEquals(List.of(), entries("content/blobs/sha256"), "the interrupted pull's blobs are gone");
        assertEquals(List.of(), entries("snapshots/layers"), "and its unpacked layer");
        assertEquals(List.of(), entries("content/ingest"));
        assertEquals(List.of(), entries("images/pulls"));
        assertTrue(entries("snapshots").stream().noneMatch(n -> n.startsWith(".tmp-")), entries("snapshots")::toString);
        assertTrue(blobsBefore.size() > 0 && layersBefore.isEmpty(), "busybox was loaded, not yet unpacked");
    }
}

package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.helper.HelperPlan;
import dev.enviro.ffm.helper.PlanWriter;
import dev.enviro.images.unpack.Layer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rmi, tag, inspect, save and prune on a real store: untag versus delete, images in use, garbage collection. */
class ImageVerbsTest {
    @TempDir static Path images;
    static Path ociTar;
    static Path derivedLayout;
    @TempDir Path state;
    ImageStore store;
    ImageSummary busybox;

    @BeforeAll
    static void buildImages() throws Exception {
        ociTar = Commands.busybox(images, "localhost/busybox:latest");
        derivedLayout = DerivedImage.build(ociTar, images.resolve("derived"), "localhost/derived:1", new Layer().file("etc/derived", "d").bytes());
    }

    @BeforeEach
    void open() throws Exception {
        store = ImageStore.open(state);
        busybox = store.load(ociTar).getFirst();
    }

    private long blobs() throws Exception {
        try (Stream<Path> s = Files.list(state.resolve("content/blobs/sha256"))) {
            return s.count();
        }
    }

    private List<String> layerDirs() throws Exception {
        try (Stream<Path> s = Files.list(state.resolve("snapshots/layers"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void tagAddsANameAndRmiOfOneNameOnlyUntags() throws Exception {
        ImageSummary tagged = store.tag("localhost/busybox", "example.org/team/box:2");
        assertEquals(List.of("example.org/team/box:2", "localhost/busybox:latest"), tagged.names());
        assertEquals(busybox.id(), store.resolve("example.org/team/box:2").configDigest());

        ImageRemoval untag = store.remove("localhost/busybox:latest", false, Map.of());
        assertEquals(List.of("localhost/busybox:latest"), untag.untagged());
        assertEquals(List.of(), untag.deleted(), "another name still points at it");
        assertEquals(List.of("example.org/team/box:2"), store.list().getFirst().names());
        long blobs = blobs();

        ImageRemoval last = store.remove("example.org/team/box:2", false, Map.of());
        assertEquals(List.of(busybox.id()), last.deleted(), "its last name takes the image with it");
        assertEquals(List.of(), store.list());
        assertTrue(blobs() < blobs && blobs() == 0, "its blobs are freed at once: " + blobs());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(EnviroError.class, () -> store.resolve(busybox.id())).code());
    }

    @Test
    void tagRefusesABadNameAndAMissingSource() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(EnviroError.class, () -> store.tag("localhost/busybox", "Bad Name")).code());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(EnviroError.class, () -> store.tag("localhost/nothing", "x:1")).code());
    }

    @Test
    void anImageAContainerUsesNeedsForceAndThenStaysUntagged() throws Exception {
        Map<String, List<String>> used = Map.of(busybox.manifestDigest(), List.of("web"));
        EnviroError refused = assertThrows(EnviroError.class, () -> store.remove("localhost/busybox", false, used));
        assertEquals(ErrorCode.CONFLICT, refused.code());
        assertTrue(refused.getMessage().contains("used by container web"), refused.getMessage());
        assertEquals(List.of("localhost/busybox:latest"), store.list().getFirst().names(), "nothing changed");

        ImageRemoval forced = store.remove("localhost/busybox", true, used);
        assertEquals(List.of("localhost/busybox:latest"), forced.untagged());
        assertEquals(List.of(), forced.deleted());
        assertEquals(List.of(), store.list().getFirst().names(), "listed untagged while the container exists");
        assertEquals(busybox.manifestDigest(), store.resolve(busybox.id()).manifestDigest());

        assertEquals(List.of(), store.prune(false, used).deletedImages(), "prune keeps what a container uses");
        PruneReport pruned = store.prune(false, Map.of());
        assertEquals(List.of(busybox.id()), pruned.deletedImages(), "once the container is gone, the dangling image goes");
        assertEquals(0, blobs());
    }

    @Test
    void rmiByIdOfAnImageWithSeveralNamesNeedsForce() throws Exception {
        store.tag("localhost/busybox", "localhost/other:1");
        assertEquals(ErrorCode.CONFLICT, assertThrows(EnviroError.class, () -> store.remove(busybox.id().substring(7, 19), false, Map.of())).code());
        ImageRemoval r = store.remove(busybox.id().substring(7, 19), true, Map.of());
        assertEquals(List.of("localhost/busybox:latest", "localhost/other:1"), r.untagged());
        assertEquals(List.of(busybox.id()), r.deleted());
    }

    @Test
    void inspectShowsDigestsConfigAndLayers() throws Exception {
        ImageDetails d = store.inspect("localhost/busybox");
        assertEquals(busybox, d.summary());
        assertEquals(List.of("localhost/busybox@" + busybox.manifestDigest()), d.digests());
        assertEquals("amd64", d.architecture());
        assertTrue(d.configJson().contains("\"diff_ids\""), d.configJson());
        assertEquals(1, d.layers().size());
        assertTrue(d.layers().getFirst().diffId().startsWith("sha256:") && d.layers().getFirst().size() > 500_000, d.layers()::toString);
    }

    @Test
    void saveWritesAnOciArchiveThatLoadAndSkopeoRead() throws Exception {
        store.load(derivedLayout);
        store.tag("localhost/busybox", "localhost/busybox:two");
        Path out = state.resolve("saved.tar");
        store.save(List.of("localhost/derived:1", busybox.id()), out);
        String inspect = Commands.check(List.of("skopeo", "inspect", "oci-archive:" + out + ":localhost/derived:1"));
        assertTrue(inspect.contains("\"Architecture\": \"amd64\""), inspect);
        try (Stream<Path> s = Files.list(state)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList(), "no temporary file left");
        }

        Path other = Files.createDirectory(state.resolve("other"));
        ImageStore fresh = ImageStore.open(other);
        List<ImageSummary> loaded = fresh.load(out);
        assertEquals(Set.of("localhost/derived:1", "localhost/busybox:latest", "localhost/busybox:two"),
                Set.copyOf(loaded.stream().flatMap(i -> i.names().stream()).toList()), "an id saves every name of the image");
        assertEquals(store.resolve("localhost/derived:1"), fresh.resolve("localhost/derived:1"), "same digests after the round trip");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(EnviroError.class, () -> store.save(List.of("localhost/nothing"), out)).code());
    }

    @Test
    void pruneCollectsUnreachableBlobsAndLayersButNeverWhatAContainerPlanUses() throws Exception {
        store.load(derivedLayout);
        IdMap map = IdMap.single(0, 0);
        Snapshotter snapshotter = Snapshotter.overlay(state, store);
        // A container of the derived image: its plan names both layers as lowerdirs.
        Path ctr = state.resolve("containers/c1");
        List<Mount> mounts = snapshotter.prepare(store.resolve("localhost/derived:1"), map, ctr);
        writePlan(ctr, mounts.getLast());
        snapshotter.prepare(busybox(store), map, state.resolve("containers/c2")); // prepared, never planned: protects nothing
        assertEquals(2, layerDirs().size());
        // Debris: an orphan blob, a layer of no image, a per-image snapshot of an older engine, failed-pull leftovers.
        Files.writeString(state.resolve("content/blobs/sha256/" + "a".repeat(64)), "orphan");
        Files.createDirectories(state.resolve("snapshots/layers/" + "b".repeat(64) + "-" + map.key()).resolve("etc"));
        Files.createDirectories(state.resolve("snapshots/" + "c".repeat(64) + "-" + map.key()).resolve("bin"));
        Files.writeString(state.resolve("content/ingest/ingest-1"), "partial");
        Files.createDirectories(state.resolve("snapshots/.tmp-1/x"));

        ImageRemoval r = store.remove("localhost/derived:1", true, Map.of());
        assertEquals(1, r.deleted().size());
        PruneReport report = store.prune(true, Map.of());
        assertEquals(List.of(busybox.id()), report.deletedImages());
        assertEquals(List.of("localhost/busybox:latest"), report.untagged());
        assertEquals(0, blobs(), "no image left, no blob left");
        List<String> planned = layerDirs();
        assertEquals(2, planned.size(), "the planned container's two layers stay: " + planned);
        assertTrue(mounts.getLast().options().getFirst().contains(planned.get(0)) && mounts.getLast().options().getFirst().contains(planned.get(1)));
        assertFalse(Files.exists(state.resolve("snapshots/" + "c".repeat(64) + "-" + map.key())));
        assertFalse(Files.exists(state.resolve("content/ingest/ingest-1")));
        assertFalse(Files.exists(state.resolve("snapshots/.tmp-1")));

        Files.delete(ctr.resolve("plan.bin"));
        PruneReport after = store.prune(true, Map.of());
        assertEquals(2, after.snapshots(), "with the container gone, its layers go");
        assertEquals(List.of(), layerDirs());
        assertTrue(after.reclaimedBytes() > 500_000, "busybox's layer: " + after.reclaimedBytes());
    }

    @Test
    void pruneWithoutAllKeepsNamedImagesAndTheirLayers() throws Exception {
        long before = blobs();
        PruneReport report = store.prune(false, Map.of());
        assertEquals(List.of(), report.deletedImages());
        assertEquals(0, report.blobs());
        assertEquals(before, blobs());
    }

    @Test
    void blobsOfAPullCutShortByADeadEngineAreCollectedAtTheNextStart() throws Exception {
        // What a killed engine leaves: its pull marker and a layer committed before the name was recorded.
        Files.writeString(state.resolve("images/pulls/pull-1"), "");
        Path orphan = state.resolve("content/blobs/sha256/" + "d".repeat(64));
        Files.writeString(orphan, "layer of an interrupted pull");
        ImageStore reopened = ImageStore.open(state);
        assertFalse(Files.exists(orphan));
        assertTrue(Files.exists(state.resolve("content/blobs/sha256/" + busybox.manifestDigest().substring(7))), "recorded images keep theirs");
        assertEquals(busybox.id(), reopened.resolve("localhost/busybox").configDigest());
        try (Stream<Path> s = Files.list(state.resolve("images/pulls"))) {
            assertEquals(0, s.count());
        }
        // Without a marker, a start collects nothing (an orphan then waits for 'image prune').
        Files.writeString(orphan, "x");
        ImageStore.open(state);
        assertTrue(Files.exists(orphan));
    }

    private ResolvedImage busybox(ImageStore s) throws EnviroError {
        return s.resolve("localhost/busybox");
    }

    /** The plan the native executor writes for a container with this root mount, in the helper's binary format. */
    private static void writePlan(Path ctr, Mount root) throws Exception {
        HelperPlan plan = new HelperPlan(0, 0,
                List.of(new HelperPlan.Mount(root.type(), root.source(), root.target(), 0, String.join(",", root.options()), 0)),
                List.of(), root.target(), "box", List.of("/bin/sh"), List.of("PATH=/bin"), "/", 0, 0, List.of(), false,
                ctr.resolve("ctr.log").toString(), ctr.resolve("exit.status").toString());
        Files.write(ctr.resolve("plan.bin"), PlanWriter.write(plan));
    }
}

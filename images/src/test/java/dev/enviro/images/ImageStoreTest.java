package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads real archives: the project's busybox OCI tar, and skopeo's docker-archive of it. */
class ImageStoreTest {
    @TempDir static Path images;
    static Path ociTar;
    @TempDir Path state;

    @BeforeAll
    static void buildBusybox() throws Exception {
        ociTar = Commands.busybox(images, "localhost/busybox:latest");
    }

    private static String refsJson(Path state) throws IOException {
        Path refs = state.resolve("images/refs.json");
        return Files.exists(refs) ? Files.readString(refs) : "";
    }

    @Test
    void theBusyboxScriptIsReproducibleAndSkopeoReadsIt() throws Exception {
        Path again = Files.createTempDirectory(images, "again");
        Path second = Commands.busybox(again, "localhost/busybox:latest");
        assertArrayEquals(Files.readAllBytes(ociTar), Files.readAllBytes(second), "two builds give the same bytes");
        String inspect = Commands.check(List.of("skopeo", "inspect", "oci-archive:" + ociTar));
        assertTrue(inspect.contains("\"Architecture\": \"amd64\""), inspect);
    }

    @Test
    void loadsAnOciArchiveAndResolvesEveryForm() throws Exception {
        ImageStore store = ImageStore.open(state);
        List<ImageSummary> loaded = store.load(ociTar);
        assertEquals(1, loaded.size());
        ImageSummary s = loaded.getFirst();
        assertEquals(List.of("localhost/busybox:latest"), s.names());
        assertTrue(s.size() > 500_000, "the layer holds busybox: " + s.size());
        assertEquals(0L, s.created().getEpochSecond());
        assertEquals(List.of(s), store.list());

        ResolvedImage byName = store.resolve("localhost/busybox");
        assertEquals("localhost/busybox:latest", byName.reference());
        assertEquals(s.id(), byName.configDigest());
        assertEquals(List.of("sh"), byName.config().cmd());
        assertTrue(byName.config().env().contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        assertEquals(1, byName.layerDigests().size());
        assertEquals(byName, store.resolve("localhost/busybox:latest"));
        for (String id : List.of(s.id(), s.id().substring(7), s.id().substring(7, 19), s.manifestDigest(), "localhost/busybox@" + s.manifestDigest())) {
            assertEquals(byName.manifestDigest(), store.resolve(id).manifestDigest(), id);
        }
        EnviroError e = assertThrows(EnviroError.class, () -> store.resolve("localhost/nope"));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertEquals("image \"localhost/nope:latest\" not found: pull it with 'enviro pull localhost/nope:latest' or load it with 'enviro load -i FILE'", e.getMessage());
        assertThrows(EnviroError.class, () -> store.resolve("busybox"), "docker.io/library/busybox is another image");

        // A second engine on the same state directory sees the same images (everything is on disk).
        assertEquals(store.list(), ImageStore.open(state).list());
    }

    @Test
    void loadsAnOciLayoutDirectoryAndBareNamesBecomeDockerHubNames() throws Exception {
        Path tar = Commands.busybox(Files.createTempDirectory(images, "bare"), "busybox:latest");
        Path dir = Files.createTempDirectory(images, "layout");
        Commands.check(List.of("tar", "-xf", tar.toString(), "-C", dir.toString()));
        ImageStore store = ImageStore.open(state);
        assertEquals(List.of("docker.io/library/busybox:latest"), store.load(dir).getFirst().names());
        assertEquals(store.resolve("busybox"), store.resolve("docker.io/library/busybox:latest"));
    }

    @Test
    void aTagOnlyRefNameDefersToContainerdsNameAnnotation() throws Exception {
        Path dir = Files.createTempDirectory(images, "tagonly");
        Commands.check(List.of("tar", "-xf", ociTar.toString(), "-C", dir.toString()));
        String index = Files.readString(dir.resolve("index.json"));
        Files.writeString(dir.resolve("index.json"), index.replace("\"org.opencontainers.image.ref.name\":\"localhost/busybox:latest\"",
                "\"io.containerd.image.name\":\"localhost/other:v2\",\"org.opencontainers.image.ref.name\":\"v2\""));
        ImageStore store = ImageStore.open(state);
        assertEquals(List.of("localhost/other:v2"), store.load(dir).getFirst().names());
    }

    @Test
    void loadsADockerArchiveMadeBySkopeo() throws Exception {
        Path docker = images.resolve("docker-" + System.nanoTime() + ".tar");
        Commands.check(List.of("skopeo", "copy", "-q", "oci-archive:" + ociTar, "docker-archive:" + docker + ":localhost/busybox:latest"));
        ImageStore store = ImageStore.open(state);
        ImageSummary fromDocker = store.load(docker).getFirst();
        assertEquals(List.of("localhost/busybox:latest"), fromDocker.names());
        ResolvedImage r = store.resolve("localhost/busybox:latest");
        assertEquals(List.of("sh"), r.config().cmd());
        // The manifest made from manifest.json is stored like any blob and verified like one.
        assertTrue(Files.exists(state.resolve("content/blobs/sha256/" + r.manifestDigest().substring(7))));
        assertTrue(Files.exists(state.resolve("content/blobs/sha256/" + r.layerDigests().getFirst().substring(7))));
        // Loading the OCI archive of the same image moves the name; the docker-made image stays listed by id.
        store.load(ociTar);
        assertEquals(2, store.list().size());
        assertEquals(List.of(), store.list().stream().filter(i -> i.manifestDigest().equals(fromDocker.manifestDigest())).findFirst().orElseThrow().names());
    }

    @Test
    void aTruncatedArchiveStoresNothing() throws Exception {
        byte[] whole = Files.readAllBytes(ociTar);
        Path truncated = images.resolve("truncated-" + System.nanoTime() + ".tar");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertMalformedAndNothingStored(truncated);
    }

    @Test
    void anArchiveWithoutIndexStoresNothing() throws Exception {
        Path noIndex = images.resolve("noindex-" + System.nanoTime() + ".tar");
        Commands.check(List.of("sh", "-c", "d=$(mktemp -d) && tar -xf '" + ociTar + "' -C $d && rm $d/index.json && tar -cf '" + noIndex + "' -C $d . && rm -r $d"));
        EnviroError e = assertMalformedAndNothingStored(noIndex);
        assertTrue(e.getMessage().contains("neither index.json nor manifest.json"), e.getMessage());
    }

    @Test
    void aCorruptBlobIsADigestMismatchAndStoresNothing() throws Exception {
        Path dir = Files.createTempDirectory(images, "corrupt");
        Commands.check(List.of("tar", "-xf", ociTar.toString(), "-C", dir.toString()));
        try (var blobs = Files.list(dir.resolve("blobs/sha256"))) {
            Path biggest = blobs.max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
            byte[] b = Files.readAllBytes(biggest);
            b[b.length / 2] ^= 1;
            Files.write(biggest, b);
        }
        ImageStore store = ImageStore.open(state);
        EnviroError e = assertThrows(EnviroError.class, () -> store.load(dir));
        assertEquals(ErrorCode.CORRUPT, e.code(), e.getMessage());
        assertNothingStored();
    }

    @Test
    void aMemberClimbingOutOfTheArchiveIsRefused() throws Exception {
        Path hostile = images.resolve("hostile-" + System.nanoTime() + ".tar");
        try (OutputStream out = Files.newOutputStream(hostile); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            byte[] b = "{}".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("../index.json", true);
            e.setSize(b.length);
            tar.putArchiveEntry(e);
            tar.write(b);
            tar.closeArchiveEntry();
        }
        EnviroError e = assertMalformedAndNothingStored(hostile);
        assertTrue(e.getMessage().contains("climbs out"), e.getMessage());
    }

    private static java.util.Set<String> blobs(Path state) throws IOException {
        try (var s = Files.list(state.resolve("content/blobs/sha256"))) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    /**
     * Issue 11, item 5: load refuses an image whose layers can never be unpacked safely, in one line
     * naming the image, the layer and the entry, and stores nothing of it (no blob, no name, no layer).
     */
    @Test
    void anImageWhoseLayersCannotBeUnpackedSafelyIsRefusedAndNothingOfItIsStored() throws Exception {
        ImageStore store = ImageStore.open(state);
        store.load(ociTar);
        List<ImageSummary> listed = store.list();
        java.util.Set<String> blobs = blobs(state);
        String refs = refsJson(state);
        record Hostile(String entry, List<byte[]> layers) {}
        List<Hostile> cases = List.of(
                new Hostile("entry '../../etc/x' escapes the layer root", List.of(new dev.enviro.images.unpack.Layer().file("../../etc/x", "x").bytes())),
                new Hostile("entry 'etc/h' hard-links to '/etc/passwd', an absolute path",
                        List.of(new dev.enviro.images.unpack.Layer().hardlink("etc/h", "/etc/passwd").bytes())),
                new Hostile("entry 'etc/.wh..' is a whiteout that escapes its directory",
                        List.of(new dev.enviro.images.unpack.Layer().file("etc/.wh..", "").bytes())),
                // each layer alone is harmless; the second climbs out through the first's link
                new Hostile("entry 'up/passwd' escapes the layer root: path /up climbs above the root",
                        List.of(new dev.enviro.images.unpack.Layer().symlink("up", "../..").bytes(), new dev.enviro.images.unpack.Layer().file("up/passwd", "x").bytes())));
        for (int i = 0; i < cases.size(); i++) {
            Hostile c = cases.get(i);
            Path layout = DerivedImage.build(ociTar, images.resolve("evil-" + i + "-" + System.nanoTime()), "localhost/evil:" + i, c.layers().toArray(byte[][]::new));
            EnviroError e = assertThrows(EnviroError.class, () -> store.load(layout));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
            String layer = dev.enviro.images.content.Digest.of(c.layers().getLast()).toString();
            assertEquals("image localhost/evil:" + i + ": layer " + layer + ": " + c.entry() + ": the image cannot be unpacked safely", e.getMessage());
            assertEquals(listed, store.list(), "nothing recorded");
            assertEquals(blobs, blobs(state), "no blob committed, not even the harmless ones");
            assertEquals(refs, refsJson(state));
            try (var ingest = Files.list(state.resolve("content/ingest"))) {
                assertEquals(0, ingest.count(), "staged blobs are deleted");
            }
            assertFalse(Files.exists(state.resolve("snapshots")), "nothing unpacked");
            int n = i;
            assertEquals(ErrorCode.NOT_FOUND, assertThrows(EnviroError.class, () -> store.resolve("localhost/evil:" + n)).code());
        }
        // the same layers without the hostile one load
        Path fine = DerivedImage.build(ociTar, images.resolve("fine-" + System.nanoTime()), "localhost/fine:1",
                new dev.enviro.images.unpack.Layer().symlink("up", "../..").bytes(), new dev.enviro.images.unpack.Layer().fifo("run/pipe", 0600).bytes());
        assertEquals(List.of("localhost/fine:1"), store.load(fine).getFirst().names());
    }

    private EnviroError assertMalformedAndNothingStored(Path archive) throws Exception {
        ImageStore store = ImageStore.open(state);
        EnviroError e = assertThrows(EnviroError.class, () -> store.load(archive));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith(archive.getFileName() + ": not an OCI layout or docker archive: "), e.getMessage());
        assertNothingStored();
        return e;
    }

    private void assertNothingStored() throws Exception {
        assertEquals(List.of(), ImageStore.open(state).list());
        assertEquals("", refsJson(state));
        try (var blobs = Files.list(state.resolve("content/blobs/sha256")); var ingest = Files.list(state.resolve("content/ingest"))) {
            assertEquals(0, blobs.count(), "blobs are staged, never committed, for a bad archive");
            assertEquals(0, ingest.count(), "staged blobs are deleted");
        }
    }
}

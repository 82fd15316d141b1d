package dev.enviro.images.registry;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.ffm.IdMap;
import dev.enviro.images.ImageStore;
import dev.enviro.images.ImageSummary;
import dev.enviro.images.Mount;
import dev.enviro.images.PullEvent;
import dev.enviro.images.ResolvedImage;
import dev.enviro.images.Snapshotter;
import dev.enviro.images.content.Digest;
import dev.enviro.images.oci.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from a real registry: Debian's docker-registry on 127.0.0.1, the project's busybox image
 * pushed with skopeo; faults injected by a TCP proxy in between; token auth by a test token server.
 */
class RegistryPullTest {
    @TempDir static Path shared;
    static LocalRegistry registry;
    static Path busybox;
    static String busyboxLayer;
    @TempDir Path state;

    @BeforeAll
    static void startRegistry() throws Exception {
        Path script = Path.of("").toAbsolutePath().getParent().resolve("scripts/busybox-image.sh");
        busybox = shared.resolve("busybox.tar");
        Process p = new ProcessBuilder(script.toString(), busybox.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        Path dir = Files.createDirectory(shared.resolve("plain"));
        registry = LocalRegistry.start(dir, null);
        registry.push(busybox, "test/busybox:1.0", null);
        busyboxLayer = manifest(registry.host(), "test/busybox", "1.0").path("layers").get(0).path("digest").asText();
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) registry.close();
    }

    @Test
    void pullsByTagThenByDigestAndTheImageUnpacks() throws Exception {
        ImageStore store = ImageStore.open(state);
        List<PullEvent> events = new CopyOnWriteArrayList<>();
        ImageSummary pulled = store.pull(registry.host() + "/test/busybox:1.0", null, null, events::add);
        assertEquals(List.of(registry.host() + "/test/busybox:1.0"), pulled.names());
        assertTrue(events.stream().anyMatch(e -> e instanceof PullEvent.LayerDone d && d.digest().equals(busyboxLayer) && !d.existed()), events::toString);
        PullEvent.LayerProgress last = events.stream().filter(e -> e instanceof PullEvent.LayerProgress).map(e -> (PullEvent.LayerProgress) e).reduce((a, b) -> b).orElseThrow();
        assertEquals(last.total(), last.bytes());

        ResolvedImage image = store.resolve(registry.host() + "/test/busybox:1.0");
        assertEquals(List.of("sh"), image.config().cmd());
        assertEquals(List.of(busyboxLayer), image.layerDigests());

        // By digest: the layers are there already, nothing is downloaded; the digest name resolves.
        events.clear();
        String byDigest = registry.host() + "/test/busybox@" + pulled.manifestDigest();
        ImageSummary again = store.pull(byDigest, null, null, events::add);
        assertEquals(pulled.id(), again.id());
        assertTrue(events.stream().noneMatch(e -> e instanceof PullEvent.LayerProgress), events::toString);
        assertEquals(pulled.manifestDigest(), store.resolve(byDigest).manifestDigest());

        // The pulled image is a root filesystem: its snapshot holds busybox.
        Files.setAttribute(state, "unix:mode", 0755);
        IdMap map = IdMap.single((Integer) Files.getAttribute(state, "unix:uid"), (Integer) Files.getAttribute(state, "unix:gid"));
        List<Mount> mounts = Snapshotter.overlay(state, store).prepare(image, map, state.resolve("containers/c1"));
        String lower = mounts.getFirst().options().getFirst().substring("lowerdir=".length());
        assertTrue(Files.isRegularFile(Path.of(lower, "bin/busybox")));
    }

    @Test
    void aZstdLayerIsPulledVerifiedAndUnpackedWhilePulling() throws Exception {
        // busybox's layer recompressed by the zstd tool (another implementation than the decoder's):
        // same diff id, so the config stays; the manifest names the zstd blob and media type.
        JsonNode gz = manifest(registry.host(), "test/busybox", "1.0");
        byte[] tar;
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(get("http://" + registry.host() + "/v2/test/busybox/blobs/" + busyboxLayer)))) {
            tar = in.readAllBytes();
        }
        byte[] zst = dev.enviro.images.unpack.ZstdTool.compress(tar, "-19");
        assertEquals((byte) 0x28, zst[0], "a zstd frame");
        putBlob("test/zstd", zst);
        putBlob("test/zstd", get("http://" + registry.host() + "/v2/test/busybox/blobs/" + gz.path("config").path("digest").asText()));
        ObjectNode m = gz.deepCopy();
        ((ObjectNode) m.path("layers").get(0)).put("mediaType", "application/vnd.oci.image.layer.v1.tar+zstd")
                .put("digest", Digest.of(zst).toString()).put("size", zst.length);
        putManifest("test/zstd", "1", "application/vnd.oci.image.manifest.v1+json", Json.MAPPER.writeValueAsBytes(m));

        ImageStore store = ImageStore.open(state);
        Files.setAttribute(state, "unix:mode", 0755);
        IdMap map = IdMap.single((Integer) Files.getAttribute(state, "unix:uid"), (Integer) Files.getAttribute(state, "unix:gid"));
        Snapshotter snapshotter = Snapshotter.open(state, store, map); // unpacks while pulling
        ImageSummary pulled = store.pull(registry.host() + "/test/zstd:1", null, null, e -> {});
        ResolvedImage image = store.resolve(registry.host() + "/test/zstd:1");
        assertEquals(List.of(Digest.of(zst).toString()), image.layerDigests());
        try (Stream<Path> layers = Files.list(state.resolve("snapshots/layers"))) {
            assertEquals(1, layers.count(), "the layer was unpacked during the pull: " + pulled);
        }
        List<Mount> mounts = snapshotter.prepare(image, map, state.resolve("containers/z1"));
        String lower = mounts.getFirst().options().getFirst().substring("lowerdir=".length());
        assertTrue(Files.isRegularFile(Path.of(lower, "bin/busybox")));
        assertTrue(Files.isSymbolicLink(Path.of(lower, "bin/sh")));
    }

    @Test
    void aMissingTagIsNotFound() throws Exception {
        ImageStore store = ImageStore.open(state);
        EnviroError e = assertThrows(EnviroError.class, () -> store.pull(registry.host() + "/test/busybox:nope", null, null, x -> {}));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertEquals("image " + registry.host() + "/test/busybox:nope not found in registry " + registry.host() + ": check the name and tag", e.getMessage());
    }

    @Test
    void aMultiPlatformIndexSelectsTheRequestedPlatform() throws Exception {
        String index = pushTwoPlatformIndex("test/multi", "latest");
        ImageStore store = ImageStore.open(state);
        ImageSummary host = store.pull(registry.host() + "/test/multi", null, null, e -> {});
        ImageSummary arm = store.pull(registry.host() + "/test/multi:latest", "linux/arm64", null, e -> {});
        assertNotEquals(host.manifestDigest(), arm.manifestDigest());
        assertEquals(config(store, host.id()).path("architecture").asText(), "amd64");
        assertEquals(config(store, arm.id()).path("architecture").asText(), "arm64");
        // The index itself is kept, and a pull by the index's digest picks the platform's manifest too.
        assertEquals(arm.manifestDigest(), store.pull(registry.host() + "/test/multi@" + index, "linux/arm64", null, e -> {}).manifestDigest());
        EnviroError none = assertThrows(EnviroError.class, () -> store.pull(registry.host() + "/test/multi", "linux/s390x", null, e -> {}));
        assertEquals(ErrorCode.NOT_FOUND, none.code());
        assertTrue(none.getMessage().contains("has no linux/s390x variant (it has linux/amd64, linux/arm64)"), none.getMessage());
    }

    /** As docker: a platform asked for must be the image's, also when the image is not an index; nothing is stored. */
    @Test
    void aSinglePlatformImageIsRefusedForAnotherPlatform() throws Exception {
        ImageStore store = ImageStore.open(state);
        List<PullEvent> events = new CopyOnWriteArrayList<>();
        EnviroError other = assertThrows(EnviroError.class, () -> store.pull(registry.host() + "/test/busybox:1.0", "linux/arm64", null, events::add));
        assertEquals(ErrorCode.NOT_FOUND, other.code());
        assertEquals("image " + registry.host() + "/test/busybox:1.0 is linux/amd64, not linux/arm64 (it has no other platform): pull it without --platform",
                other.getMessage());
        assertTrue(events.stream().noneMatch(e -> e instanceof PullEvent.Resolved), "refused before it resolved: no progress shown");
        assertEquals(List.of(), store.list());
        assertEquals(1, store.pull(registry.host() + "/test/busybox:1.0", "linux/amd64", null, e -> {}).names().size(), "its own platform pulls");
    }

    @Test
    void aConnectionCutMidLayerIsResumedWithARangeRequest() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(registry.port, FaultyProxy.Fault.CUT, 300_000)) {
            ImageStore store = ImageStore.open(state);
            dev.enviro.images.Snapshotter.open(state, store, dev.enviro.ffm.IdMap.single(0, 0)); // unpacks while pulling
            ImageSummary pulled = store.pull(proxy.host() + "/test/busybox:1.0", null, null, e -> {});
            try (Stream<Path> layers = Files.list(state.resolve("snapshots/layers"))) {
                List<Path> all = layers.toList();
                assertEquals(1, all.size(), "the layer was unpacked during the pull, across the resumed connection");
                assertTrue(Files.isRegularFile(all.getFirst().resolve("bin/busybox")));
            }
            assertEquals(1, proxy.faults.get(), "the proxy cut one answer");
            assertEquals(1, proxy.rangeRequests.get(), "the download resumed with Range");
            assertEquals(busyboxLayer, store.resolve(pulled.manifestDigest()).layerDigests().getFirst());
            assertTrue(Files.isRegularFile(state.resolve("content/blobs/sha256/" + busyboxLayer.substring(7))));
        }
    }

    @Test
    void aCorruptedLayerIsRejectedAndNothingIsStored() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(registry.port, FaultyProxy.Fault.FLIP, 300_000)) {
            ImageStore store = ImageStore.open(state);
            dev.enviro.images.Snapshotter.open(state, store, dev.enviro.ffm.IdMap.single(0, 0));
            EnviroError e = assertThrows(EnviroError.class, () -> store.pull(proxy.host() + "/test/busybox:1.0", null, null, x -> {}));
            assertEquals(ErrorCode.CORRUPT, e.code(), e.getMessage());
            assertTrue(e.getMessage().startsWith("layer " + busyboxLayer + " of " + proxy.host() + "/test/busybox:1.0 does not match its digest"), e.getMessage());
            assertFalse(Files.exists(state.resolve("content/blobs/sha256/" + busyboxLayer.substring(7))), "the corrupt layer is not stored");
            try (Stream<Path> ingest = Files.list(state.resolve("content/ingest"))) {
                assertEquals(List.of(), ingest.toList(), "no partial file is left");
            }
            assertEquals(List.of(), store.list(), "no image is recorded");
            try (Stream<Path> snapshots = Files.list(state.resolve("snapshots")); Stream<Path> layers = Files.list(state.resolve("snapshots/layers"))) {
                assertEquals(List.of("layers"), snapshots.map(p -> p.getFileName().toString()).toList(), "no half-unpacked layer is left");
                assertEquals(List.of(), layers.toList(), "what was unpacked from the corrupt bytes is not published");
            }
        }
    }

    private List<String> entries(String dir) throws IOException {
        Path p = state.resolve(dir);
        if (!Files.exists(p)) return List.of();
        try (Stream<Path> s = Files.list(p)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Issue 11, item 5: a pulled image whose layers climb out of the root together (a link in one, a
     * file under it in the next) is refused before its name is recorded, and what the pull stored of
     * it (blobs, the layer unpacked while pulling) is removed; what another image uses stays.
     */
    @Test
    void anImageWhoseLayersCannotBeUnpackedSafelyIsRefusedAndThePullLeavesNothing() throws Exception {
        JsonNode base = manifest(registry.host(), "test/busybox", "1.0");
        byte[] link = new dev.enviro.images.unpack.Layer().symlink("up", "../..").bytes();
        byte[] under = new dev.enviro.images.unpack.Layer().file("up/pwned", "x").bytes();
        putBlob("test/evil", get("http://" + registry.host() + "/v2/test/busybox/blobs/" + busyboxLayer));
        putBlob("test/evil", link);
        putBlob("test/evil", under);
        ObjectNode config = (ObjectNode) Json.MAPPER.readTree(get("http://" + registry.host() + "/v2/test/busybox/blobs/" + base.path("config").path("digest").asText()));
        ArrayNode diffIds = (ArrayNode) config.path("rootfs").path("diff_ids");
        ObjectNode m = base.deepCopy();
        for (byte[] layer : List.of(link, under)) {
            diffIds.add(Digest.of(layer).toString());
            ((ArrayNode) m.path("layers")).addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar")
                    .put("digest", Digest.of(layer).toString()).put("size", layer.length);
        }
        byte[] configBytes = Json.MAPPER.writeValueAsBytes(config);
        putBlob("test/evil", configBytes);
        ((ObjectNode) m.path("config")).put("digest", Digest.of(configBytes).toString()).put("size", configBytes.length);
        putManifest("test/evil", "1", "application/vnd.oci.image.manifest.v1+json", Json.MAPPER.writeValueAsBytes(m));

        ImageStore store = ImageStore.open(state);
        Files.setAttribute(state, "unix:mode", 0755);
        IdMap map = IdMap.single((Integer) Files.getAttribute(state, "unix:uid"), (Integer) Files.getAttribute(state, "unix:gid"));
        Snapshotter.open(state, store, map); // unpacks while pulling: the harmless layers are unpacked before the check
        store.pull(registry.host() + "/test/busybox:1.0", null, null, e -> {});
        List<ImageSummary> listed = store.list();
        List<String> blobs = entries("content/blobs/sha256"), layers = entries("snapshots/layers");
        String refs = Files.readString(state.resolve("images/refs.json"));

        String ref = registry.host() + "/test/evil:1";
        EnviroError e = assertThrows(EnviroError.class, () -> store.pull(ref, null, null, x -> {}));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertEquals("image " + ref + ": layer " + Digest.of(under) + ": entry 'up/pwned' escapes the layer root: path /up climbs above the root"
                + ": the image cannot be unpacked safely", e.getMessage());
        assertEquals(listed, store.list(), "no name recorded");
        assertEquals(refs, Files.readString(state.resolve("images/refs.json")));
        assertEquals(layers, entries("snapshots/layers"), "the layer unpacked while pulling is gone");
        assertEquals(blobs, entries("content/blobs/sha256"), "the refused image's blobs are gone; busybox's, which busybox uses, stay");
        assertEquals(List.of(), entries("content/ingest"));
        assertEquals(List.of(), entries("images/pulls"), "the pull is over");
        assertTrue(entries("snapshots").stream().noneMatch(n -> n.startsWith(".tmp-")), entries("snapshots")::toString);
        assertFalse(Files.exists(state.getParent().resolve("pwned")));
    }

    @Test
    void tokenAuthPullsWithCredentialsAndRefusesWrongOnes() throws Exception {
        Path dir = Files.createDirectory(state.resolve("token-registry"));
        try (TokenServer tokens = new TokenServer(dir);
             LocalRegistry secured = LocalRegistry.start(dir, tokens.registryAuthYaml())) {
            secured.push(busybox, "private/busybox:1.0", TokenServer.USER + ":" + TokenServer.PASSWORD);
            String ref = secured.host() + "/private/busybox:1.0";
            Path store1 = Files.createDirectory(state.resolve("s1"));
            ImageStore store = ImageStore.open(store1);
            int before = tokens.issued.get();
            ImageSummary pulled = store.pull(ref, null, new Credentials(TokenServer.USER, TokenServer.PASSWORD), e -> {});
            assertEquals(List.of(ref), pulled.names());
            assertTrue(tokens.issued.get() > before, "a token was fetched");

            ImageStore other = ImageStore.open(Files.createDirectory(state.resolve("s2")));
            EnviroError wrong = assertThrows(EnviroError.class, () -> other.pull(ref, null, new Credentials(TokenServer.USER, "wrong"), e -> {}));
            assertEquals(ErrorCode.DENIED, wrong.code());
            assertEquals("registry " + secured.host() + " denied access to private/busybox for user alice: wrong user name or password, or no pull permission; run 'enviro login "
                    + secured.host() + "' again", wrong.getMessage());
            EnviroError anonymous = assertThrows(EnviroError.class, () -> other.pull(ref, null, null, e -> {}));
            assertEquals(ErrorCode.DENIED, anonymous.code());
            assertTrue(anonymous.getMessage().contains("needs a login ('enviro login " + secured.host() + "')"), anonymous.getMessage());
            assertEquals(List.of(), other.list());

            // enviro login's check, asked of the same registry: a token for no repository, the credentials checked
            RegistryLogin.check(secured.host(), new Credentials(TokenServer.USER, TokenServer.PASSWORD), java.util.Set.of());
            EnviroError refused = assertThrows(EnviroError.class,
                    () -> RegistryLogin.check("http://" + secured.host() + "/ignored", new Credentials(TokenServer.USER, "wrong"), java.util.Set.of()));
            assertEquals(ErrorCode.DENIED, refused.code());
            assertEquals("registry " + secured.host() + " refused the login of user alice: check the user name and password", refused.getMessage());
        }
    }

    // ---------------------------------------------------------------- pushing an index by hand

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static JsonNode manifest(String host, String repo, String ref) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://" + host + "/v2/" + repo + "/manifests/" + ref))
                .header("Accept", RegistryClient.MANIFEST_ACCEPT).build();
        HttpResponse<byte[]> a = HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, a.statusCode());
        return Json.MAPPER.readTree(a.body());
    }

    private static byte[] get(String url) throws Exception {
        HttpResponse<byte[]> a = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, a.statusCode(), url);
        return a.body();
    }

    /** POST + PUT upload of one blob (the two-step form every registry supports). */
    private static void putBlob(String repo, byte[] blob) throws Exception {
        String base = "http://" + registry.host();
        HttpResponse<Void> start = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(202, start.statusCode());
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = URI.create(base).resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + Digest.of(blob));
        HttpResponse<Void> done = HTTP.send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(201, done.statusCode());
    }

    private static void putManifest(String repo, String ref, String mediaType, byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + registry.host() + "/v2/" + repo + "/manifests/" + ref))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
    }

    /**
     * Pushes busybox as linux/amd64 and a copy whose config says linux/arm64 (same layer, another
     * config), then an OCI index of both under {@code tag}; answers the index's digest.
     */
    private static String pushTwoPlatformIndex(String repo, String tag) throws Exception {
        registry.push(busybox, repo + ":amd64", null);
        JsonNode amd = manifest(registry.host(), repo, "amd64");
        byte[] amdBytes = Json.MAPPER.writeValueAsBytes(amd);
        ObjectNode config = (ObjectNode) Json.MAPPER.readTree(get("http://" + registry.host() + "/v2/" + repo + "/blobs/" + amd.path("config").path("digest").asText()));
        config.put("architecture", "arm64");
        byte[] armConfig = Json.MAPPER.writeValueAsBytes(config);
        putBlob(repo, armConfig);
        ObjectNode arm = amd.deepCopy();
        ((ObjectNode) arm.path("config")).put("digest", Digest.of(armConfig).toString()).put("size", armConfig.length);
        byte[] armBytes = Json.MAPPER.writeValueAsBytes(arm);
        putManifest(repo, "arm64", "application/vnd.oci.image.manifest.v1+json", armBytes);
        putManifest(repo, "amd64", "application/vnd.oci.image.manifest.v1+json", amdBytes);
        ObjectNode index = Json.MAPPER.createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode ms = index.putArray("manifests");
        for (Object[] m : new Object[][] {{amdBytes, "amd64"}, {armBytes, "arm64"}}) {
            byte[] b = (byte[]) m[0];
            ObjectNode d = ms.addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json").put("digest", Digest.of(b).toString()).put("size", b.length);
            d.putObject("platform").put("os", "linux").put("architecture", (String) m[1]);
        }
        byte[] indexBytes = Json.MAPPER.writeValueAsBytes(index);
        putManifest(repo, tag, "application/vnd.oci.image.index.v1+json", indexBytes);
        return Digest.of(indexBytes).toString();
    }

    private JsonNode config(ImageStore store, String configDigest) throws Exception {
        return Json.MAPPER.readTree(Files.readAllBytes(state.resolve("content/blobs/sha256/" + configDigest.substring(7))));
    }
}

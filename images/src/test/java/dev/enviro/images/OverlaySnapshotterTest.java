package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.ffm.IdMap;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlaySnapshotterTest {
    @TempDir static Path images;
    static Path ociTar;
    @TempDir Path state;
    ImageStore store;
    ResolvedImage busybox;

    @BeforeAll
    static void buildBusybox() throws Exception {
        ociTar = Commands.busybox(images, "localhost/busybox:latest");
    }

    @BeforeEach
    void load() throws Exception {
        // The mapped container root must be able to reach the snapshot: JUnit's temp dirs are 0700.
        Files.setAttribute(state, "unix:mode", 0755);
        store = ImageStore.open(state);
        store.load(ociTar);
        busybox = store.resolve("localhost/busybox");
    }

    private Path layerDir(ResolvedImage image, int index, IdMap map) throws Exception {
        String config = new String(Files.readAllBytes(state.resolve("content/blobs/sha256/" + image.configDigest().substring(7))));
        var diffIds = dev.enviro.images.oci.Json.MAPPER.readTree(config).path("rootfs").path("diff_ids");
        return state.resolve("snapshots/layers/" + diffIds.get(index).asText().substring(7) + "-" + map.key());
    }

    @Test
    void prepareUnpacksOnceAndReturnsOneOverlayMount() throws Exception {
        Snapshotter snapshotter = Snapshotter.overlay(state, store);
        IdMap map = IdMap.single((Integer) Files.getAttribute(state, "unix:uid"), (Integer) Files.getAttribute(state, "unix:gid"));
        Path ctr = state.resolve("containers/c1");
        List<Mount> mounts = snapshotter.prepare(busybox, map, ctr);
        Path layer = layerDir(busybox, 0, map);
        assertEquals(List.of(new Mount("overlay", "overlay", ctr.resolve("rootfs").toString(),
                List.of("lowerdir=" + layer, "upperdir=" + ctr.resolve("upper"), "workdir=" + ctr.resolve("work"), "userxattr"))), mounts);
        assertTrue(Files.isRegularFile(layer.resolve("bin/busybox")));
        assertEquals("busybox", Files.readSymbolicLink(layer.resolve("bin/sh")).toString());
        assertEquals(01777, (Integer) Files.getAttribute(layer.resolve("tmp"), "unix:mode") & 07777);
        for (String d : List.of("upper", "work", "rootfs")) assertTrue(Files.isDirectory(ctr.resolve(d)), d);
        // A second container shares the layer.
        snapshotter.prepare(busybox, map, state.resolve("containers/c2"));
        try (var s = Files.list(state.resolve("snapshots/layers"))) {
            assertEquals(1, s.count());
        }
        snapshotter.remove(ctr);
        for (String d : List.of("upper", "work", "rootfs")) assertFalse(Files.exists(ctr.resolve(d)), d);
        assertTrue(Files.isRegularFile(layer.resolve("bin/busybox")), "the shared layer stays");
    }

    @Test
    void imagesSharingABaseLayerShareItsDirectory() throws Exception {
        store.load(DerivedImage.build(ociTar, images.resolve("one-" + System.nanoTime()), "localhost/one:latest",
                new dev.enviro.images.unpack.Layer().file("etc/one", "1").bytes()));
        store.load(DerivedImage.build(ociTar, images.resolve("two-" + System.nanoTime()), "localhost/two:latest",
                new dev.enviro.images.unpack.Layer().file("etc/two", "2").bytes()));
        ResolvedImage one = store.resolve("localhost/one"), two = store.resolve("localhost/two");
        IdMap map = IdMap.single(0, 0);
        Snapshotter snapshotter = Snapshotter.overlay(state, store);
        String lowerOne = lowerdir(snapshotter.prepare(one, map, state.resolve("containers/a")).getLast());
        String lowerTwo = lowerdir(snapshotter.prepare(two, map, state.resolve("containers/b")).getLast());
        List<String> a = List.of(lowerOne.split(":")), b = List.of(lowerTwo.split(":"));
        assertEquals(2, a.size());
        assertEquals(a.get(1), b.get(1), "the busybox layer is one directory");
        assertEquals(layerDir(one, 1, map).toString(), a.get(0), "top layer first");
        assertNotEquals(a.get(0), b.get(0));
        assertTrue(Files.isSameFile(Path.of(a.get(1), "bin/busybox"), Path.of(b.get(1), "bin/busybox")));
        try (var s = Files.list(state.resolve("snapshots/layers"))) {
            assertEquals(3, s.count(), "busybox, one, two");
        }
    }

    private static String lowerdir(Mount m) {
        return m.options().stream().filter(o -> o.startsWith("lowerdir=")).findFirst().orElseThrow().substring(9);
    }

    @Test
    void concurrentPreparesOfOneImageBuildOneSnapshot() throws Exception {
        IdMap map = IdMap.single(0, 0);
        List<Snapshotter> engines = List.of(Snapshotter.overlay(state, store), Snapshotter.overlay(state, ImageStore.open(state)));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Mount>>> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Snapshotter s = engines.get(i % 2);
                Path ctr = state.resolve("containers/c" + i);
                all.add(pool.submit(() -> s.prepare(busybox, map, ctr)));
            }
            for (Future<List<Mount>> f : all) assertEquals(1, f.get().size());
        } finally {
            pool.shutdownNow();
        }
        try (var s = Files.list(state.resolve("snapshots"))) {
            assertEquals(List.of("layers"), s.map(p -> p.getFileName().toString()).toList(), "no .tmp-* left");
        }
        try (var s = Files.list(state.resolve("snapshots/layers"))) {
            assertEquals(List.of(layerDir(busybox, 0, map).getFileName().toString()), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /**
     * The real thing: the mount as the helper will do it, inside a user namespace whose root is host
     * uid 100000. util-linux cannot map a range without /etc/subuid, so the process first becomes
     * uid 100000 and maps only itself as root; that is the id the snapshot's files belong to.
     */
    @Test
    void theMountWorksInsideAUserNamespace() throws Exception {
        Assumptions.assumeTrue(Commands.isRoot(), "shifting ownership to 100000 needs root");
        Snapshotter snapshotter = Snapshotter.overlay(state, store);
        IdMap map = IdMap.defaultRoot();
        Path ctr = state.resolve("containers/c1");
        Mount m = snapshotter.prepare(busybox, map, ctr).getLast();
        Path snapshot = layerDir(busybox, 0, map);
        assertEquals(100000, Files.getAttribute(snapshot.resolve("bin/busybox"), "unix:uid"));
        assertEquals(100000, Files.getAttribute(ctr.resolve("upper"), "unix:uid"));
        String root = m.target();
        String script = "mount -t " + m.type() + " -o " + String.join(",", m.options()) + " " + m.source() + " " + root
                + " && " + root + "/bin/busybox echo hello-from-overlay"
                + " && rm -r " + root + "/etc && mkdir " + root + "/etc && echo new > " + root + "/etc/hostname"
                + " && ls " + root + "/etc";
        Commands.Result r = Commands.run(List.of("setpriv", "--reuid=100000", "--regid=100000", "--clear-groups",
                "unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script));
        assertEquals(0, r.exit(), r.output());
        assertEquals("hello-from-overlay\nhostname\n", r.output());
        assertFalse(OverlaySnapshotter.isMountPoint(Path.of(root)), "the mount lived and died with the namespace");
        assertTrue(Files.exists(snapshot.resolve("etc/passwd")), "the lower directory is untouched");
        assertTrue(Files.exists(ctr.resolve("upper/etc/hostname")));
        snapshotter.remove(ctr);
        assertFalse(Files.exists(ctr.resolve("upper"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(ctr.resolve("work"), LinkOption.NOFOLLOW_LINKS));
    }

    /** Whiteouts and opaque directories of upper layers hide lower content inside the container's user namespace. */
    @Test
    void whiteoutsAndOpaqueDirectoriesHideLowerLayersInAUserNamespace() throws Exception {
        Assumptions.assumeTrue(Commands.isRoot(), "shifting ownership to 100000 needs root");
        byte[] middle = new dev.enviro.images.unpack.Layer().dir("var", 0755).file("var/keep", "k").dir("var/lib", 0755).file("var/lib/old", "o").bytes();
        byte[] top = new dev.enviro.images.unpack.Layer().file("var/.wh..wh..opq", "").file("var/new", "n").file("etc/.wh.group", "").bytes();
        store.load(DerivedImage.build(ociTar, images.resolve("wh-" + System.nanoTime()), "localhost/wh:latest", middle, top));
        ResolvedImage wh = store.resolve("localhost/wh");
        Snapshotter snapshotter = Snapshotter.overlay(state, store);
        Path ctr = state.resolve("containers/w");
        Mount m = snapshotter.prepare(wh, IdMap.defaultRoot(), ctr).getLast();
        String root = m.target();
        String script = "mount -t " + m.type() + " -o " + String.join(",", m.options()) + " " + m.source() + " " + root
                + " && ls " + root + "/var && ls " + root + "/etc"
                + " && rm -r " + root + "/var && rm " + root + "/etc/passwd && rmdir " + root + "/etc && ls " + root + " | tr '\\n' ' '";
        try {
            Commands.Result r = Commands.run(List.of("setpriv", "--reuid=100000", "--regid=100000", "--clear-groups",
                    "unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script));
            assertEquals(0, r.exit(), r.output());
            assertEquals("new\npasswd\nbin dev home proc root sbin sys tmp usr ", r.output());
        } finally {
            snapshotter.remove(ctr);
        }
    }

    @Test
    void removeRefusesARootfsMountedOnTheHost() throws Exception {
        Assumptions.assumeTrue(Commands.isRoot(), "mounting on the host needs root");
        Snapshotter snapshotter = Snapshotter.overlay(state, store);
        Path ctr = state.resolve("containers/c1");
        snapshotter.prepare(busybox, IdMap.single(0, 0), ctr);
        Path rootfs = ctr.resolve("rootfs");
        Commands.check(List.of("mount", "-t", "tmpfs", "tmpfs", rootfs.toString()));
        try {
            EnviroError e = assertThrows(EnviroError.class, () -> snapshotter.remove(ctr));
            assertTrue(e.getMessage().contains("is mounted on the host") && e.getMessage().contains("umount " + rootfs), e.getMessage());
            assertTrue(Files.exists(ctr.resolve("upper")), "nothing is removed under a mount");
        } finally {
            Commands.check(List.of("umount", rootfs.toString()));
        }
        snapshotter.remove(ctr);
        assertFalse(Files.exists(rootfs));
    }

    @Test
    void aHostileImageIsRefusedAtLoadAndNothingOfItIsStored() throws Exception {
        Path dir = Files.createTempDirectory(images, "hostile");
        Commands.check(List.of("tar", "-xf", ociTar.toString(), "-C", dir.toString()));
        // Rewrite the image with a second layer whose entry climbs out of the root.
        Commands.check(List.of("python3", "-c", HOSTILE_LAYER, dir.toString()));
        Path other = state.resolve("other");
        ImageStore fresh = ImageStore.open(other);
        EnviroError e = assertThrows(EnviroError.class, () -> fresh.load(dir));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        String layer = hostileLayerDigest(dir);
        assertEquals("image localhost/hostile:latest: layer " + layer + ": entry '../../pwned' escapes the layer root: the image cannot be unpacked safely", e.getMessage());
        assertEquals(List.of(), fresh.list());
        try (var blobs = Files.list(other.resolve("content/blobs/sha256")); var ingest = Files.list(other.resolve("content/ingest"))) {
            assertEquals(0, blobs.count(), "no blob committed");
            assertEquals(0, ingest.count(), "nothing staged left");
        }
        assertFalse(Files.exists(other.resolve("images/refs.json")) && Files.readString(other.resolve("images/refs.json")).contains("hostile"));
        assertFalse(Files.exists(other.resolve("snapshots")), "nothing unpacked");
        assertFalse(Files.exists(state.resolve("pwned")));
    }

    /** The defence behind the check at load (an image recorded before it existed): unpacking refuses too, leaving nothing. */
    @Test
    void aHostileLayerFailsUnpackingAndLeavesNoSnapshot() throws Exception {
        byte[] hostile = new dev.enviro.images.unpack.Layer().file("../../pwned", "bad").bytes();
        LocalImageStore local = (LocalImageStore) store;
        dev.enviro.images.content.Digest digest = dev.enviro.images.content.Digest.of(hostile);
        try (var ingest = local.content().ingest()) {
            ingest.write(hostile, 0, hostile.length);
            ingest.commit(digest, hostile.length);
        }
        LayerSnapshots layers = ((OverlaySnapshotter) Snapshotter.overlay(state, store)).layers();
        EnviroError e = assertThrows(EnviroError.class, () -> layers.ensureFromBlob("localhost/hostile", digest, digest, IdMap.single(0, 0), List.of()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals("image localhost/hostile: layer " + digest + ": entry '../../pwned' escapes the layer root: the image cannot be unpacked safely", e.getMessage());
        try (var s = Files.list(state.resolve("snapshots"))) {
            assertEquals(List.of("layers"), s.map(p -> p.getFileName().toString()).toList(), "no .tmp-* left");
        }
        try (var s = Files.list(state.resolve("snapshots/layers"))) {
            assertEquals(0, s.count(), "the hostile layer is not there");
        }
        assertFalse(Files.exists(state.getParent().resolve("pwned")));
    }

    /** An upper layer's file under a lower layer's symbolic link shows where the link leads; a FIFO of a layer is a FIFO. */
    @Test
    void anEntryUnderALowerLayersLinkShowsWhereTheLinkLeadsInTheContainer() throws Exception {
        Assumptions.assumeTrue(Commands.isRoot(), "shifting ownership to 100000 needs root");
        byte[] links = new dev.enviro.images.unpack.Layer().dir("opt", 0755).dir("opt/real", 0755).symlink("opt/app", "real")
                .symlink("data", "/opt/real").bytes();
        byte[] files = new dev.enviro.images.unpack.Layer().file("opt/app/conf", "c").file("data/more", "m").fifo("opt/real/pipe", 0600).bytes();
        store.load(DerivedImage.build(ociTar, images.resolve("links-" + System.nanoTime()), "localhost/links:latest", links, files));
        ResolvedImage image = store.resolve("localhost/links");
        Snapshotter snapshotter = Snapshotter.overlay(state, store);
        Path ctr = state.resolve("containers/l");
        Mount m = snapshotter.prepare(image, IdMap.defaultRoot(), ctr).getLast();
        String root = m.target();
        String script = "mount -t " + m.type() + " -o " + String.join(",", m.options()) + " " + m.source() + " " + root
                + " && readlink " + root + "/opt/app && readlink " + root + "/data && ls " + root + "/opt/real | tr '\\n' ' '"
                + " && cat " + root + "/opt/real/conf " + root + "/opt/real/more && test -p " + root + "/opt/real/pipe && echo fifo";
        try {
            Commands.Result r = Commands.run(List.of("setpriv", "--reuid=100000", "--regid=100000", "--clear-groups",
                    "unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script));
            assertEquals(0, r.exit(), r.output());
            assertEquals("real\n/opt/real\nconf more pipe cmfifo\n", r.output(), "the links stay links; what went under them is in opt/real");
        } finally {
            snapshotter.remove(ctr);
        }
    }

    private static String hostileLayerDigest(Path layout) throws Exception {
        var index = dev.enviro.images.oci.Json.MAPPER.readTree(layout.resolve("index.json").toFile());
        var manifest = dev.enviro.images.oci.Json.MAPPER.readTree(layout.resolve("blobs/sha256/" + index.path("manifests").get(0).path("digest").asText().substring(7)).toFile());
        return manifest.path("layers").get(1).path("digest").asText();
    }

    /** Adds a layer holding "../../pwned" to the layout in argv[1], named localhost/hostile. */
    private static final String HOSTILE_LAYER = """
            import hashlib, io, json, sys, tarfile
            d = sys.argv[1]
            def put(b):
                h = hashlib.sha256(b).hexdigest(); open(f"{d}/blobs/sha256/{h}", "wb").write(b); return "sha256:" + h, len(b)
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w") as t:
                ti = tarfile.TarInfo("../../pwned"); ti.size = 3; t.addfile(ti, io.BytesIO(b"bad"))
            layer = buf.getvalue()
            idx = json.load(open(f"{d}/index.json"))
            m = json.load(open(f"{d}/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
            c = json.load(open(f"{d}/blobs/sha256/" + m["config"]["digest"][7:]))
            ld, ls = put(layer)
            c["rootfs"]["diff_ids"].append(ld)
            cd, cs = put(json.dumps(c).encode())
            m["config"].update(digest=cd, size=cs)
            m["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls})
            md, ms = put(json.dumps(m).encode())
            idx["manifests"][0].update(digest=md, size=ms)
            idx["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] = "localhost/hostile:latest"
            json.dump(idx, open(f"{d}/index.json", "w"))
            """;
}

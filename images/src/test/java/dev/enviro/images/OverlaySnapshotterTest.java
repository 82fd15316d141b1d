package dev.enviro.images;

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

    @Test
    void prepareUnpacksOnceAndReturnsOneOverlayMount() throws Exception {
        Snapshotter snapshotter = Snapshotter.overlay(state, store);
        IdMap map = IdMap.single((Integer) Files.getAttribute(state, "unix:uid"), (Integer) Files.getAttribute(state, "unix:gid"));
        Path ctr = state.resolve("containers/c1");
        List<Mount> mounts = snapshotter.prepare(busybox, map, ctr);
        Path snapshot = state.resolve("snapshots/" + busybox.manifestDigest().substring(7) + "-" + map.key());
        assertEquals(List.of(new Mount("overlay", "overlay", ctr.resolve("rootfs").toString(),
                List.of("lowerdir=" + snapshot, "upperdir=" + ctr.resolve("upper"), "workdir=" + ctr.resolve("work"), "userxattr"))), mounts);
        assertTrue(Files.isRegularFile(snapshot.resolve("bin/busybox")));
        assertEquals("busybox", Files.readSymbolicLink(snapshot.resolve("bin/sh")).toString());
        assertEquals(01777, (Integer) Files.getAttribute(snapshot.resolve("tmp"), "unix:mode") & 07777);
        for (String d : List.of("upper", "work", "rootfs")) assertTrue(Files.isDirectory(ctr.resolve(d)), d);
        // A second container shares the snapshot.
        snapshotter.prepare(busybox, map, state.resolve("containers/c2"));
        try (var s = Files.list(state.resolve("snapshots"))) {
            assertEquals(1, s.count());
        }
        snapshotter.remove(ctr);
        for (String d : List.of("upper", "work", "rootfs")) assertFalse(Files.exists(ctr.resolve(d)), d);
        assertTrue(Files.isRegularFile(snapshot.resolve("bin/busybox")), "the shared snapshot stays");
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
            assertEquals(List.of(busybox.manifestDigest().substring(7) + "-" + map.key()), s.map(p -> p.getFileName().toString()).toList(), "no .tmp-* left");
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
        Path snapshot = state.resolve("snapshots/" + busybox.manifestDigest().substring(7) + "-" + map.key());
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

    @Test
    void removeRefusesARootfsMountedOnTheHost() throws Exception {
        Assumptions.assumeTrue(Commands.isRoot(), "mounting on the host needs root");
        Snapshotter snapshotter = Snapshotter.overlay(state, store);
        Path ctr = state.resolve("containers/c1");
        snapshotter.prepare(busybox, IdMap.single(0, 0), ctr);
        Path rootfs = ctr.resolve("rootfs");
        Commands.check(List.of("mount", "-t", "tmpfs", "tmpfs", rootfs.toString()));
        try {
            ImageException e = assertThrows(ImageException.class, () -> snapshotter.remove(ctr));
            assertTrue(e.getMessage().contains("is mounted on the host") && e.getMessage().contains("umount " + rootfs), e.getMessage());
            assertTrue(Files.exists(ctr.resolve("upper")), "nothing is removed under a mount");
        } finally {
            Commands.check(List.of("umount", rootfs.toString()));
        }
        snapshotter.remove(ctr);
        assertFalse(Files.exists(rootfs));
    }

    @Test
    void aHostileLayerFailsPrepareAndLeavesNoSnapshot() throws Exception {
        Path dir = Files.createTempDirectory(images, "hostile");
        Commands.check(List.of("tar", "-xf", ociTar.toString(), "-C", dir.toString()));
        // Rewrite the image with a second layer whose entry climbs out of the root.
        Commands.check(List.of("python3", "-c", HOSTILE_LAYER, dir.toString()));
        ImageStore fresh = ImageStore.open(state.resolve("other"));
        fresh.load(dir);
        ResolvedImage bad = fresh.resolve("localhost/hostile");
        Snapshotter snapshotter = Snapshotter.overlay(state.resolve("other"), fresh);
        ImageException e = assertThrows(ImageException.class, () -> snapshotter.prepare(bad, IdMap.single(0, 0), state.resolve("other/containers/x")));
        assertEquals(ImageException.Kind.MALFORMED, e.kind());
        assertTrue(e.getMessage().contains("is unsafe"), e.getMessage());
        try (var s = Files.list(state.resolve("other/snapshots"))) {
            assertEquals(0, s.count(), "neither a snapshot nor a .tmp-* is left");
        }
        assertFalse(Files.exists(state.resolve("other/pwned")));
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

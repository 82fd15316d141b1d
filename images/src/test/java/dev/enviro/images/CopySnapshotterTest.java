package dev.enviro.images;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.ffm.IdMap;
import dev.enviro.images.unpack.Layer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopySnapshotterTest {
    @TempDir Path images;
    @TempDir Path state;

    @Test
    void eachContainerGetsAFlattenedCopyBindMountedOntoItself() throws Exception {
        Path busybox = Commands.busybox(images, "localhost/busybox:latest");
        byte[] middle = new Layer().dir("var", 0755).file("var/keep", "k").file("etc/motd", "m").bytes();
        byte[] top = new Layer().file("var/.wh..wh..opq", "").file("var/new", "n").file("etc/.wh.motd", "").bytes();
        ImageStore store = ImageStore.open(state);
        store.load(DerivedImage.build(busybox, images.resolve("layout"), "localhost/wh:latest", middle, top));
        ResolvedImage image = store.resolve("localhost/wh");
        Snapshotter copy = Snapshotter.copy(state, store);
        assertEquals("copy", copy.name());
        Path ctr = state.resolve("containers/c");
        List<Mount> mounts = copy.prepare(image, IdMap.single(0, 0), ctr);
        Path rootfs = ctr.resolve("rootfs");
        assertEquals(List.of(new Mount("none", rootfs.toString(), rootfs.toString(), List.of("rbind", "nodev"))), mounts, "nodev: device nodes of a layer cannot be opened");
        assertTrue(Files.isRegularFile(rootfs.resolve("bin/busybox")));
        try (var s = Files.list(rootfs.resolve("var"))) {
            assertEquals(List.of("new"), s.map(p -> p.getFileName().toString()).toList(), "the opaque directory hid keep");
        }
        assertFalse(Files.exists(rootfs.resolve("etc/motd")));
        assertFalse(Files.exists(state.resolve("snapshots/layers")), "no shared layers: nothing to share without overlay");
        copy.remove(ctr);
        assertFalse(Files.exists(rootfs));
    }
}

package dev.enviro.images.unpack;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.ffm.IdMap;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A layer unpacked on its own, as an overlay lower layer: deletions become overlay's markers. */
class OverlayLayerTest {
    @TempDir Path dir;

    private Path unpack(String name, Layer layer, List<Path> lowers) throws IOException {
        Path root = Files.createDirectory(dir.resolve(name));
        LayerApplier.overlayLayer(root, IdMap.single(0, 0), lowers).apply(new ByteArrayInputStream(layer.bytes()));
        return root;
    }

    @Test
    void whiteoutsBecomeCharacterDevicesAndOpaqueMarkersXattrs() throws IOException {
        Path l = unpack("l2", new Layer().file("a/.wh.gone", "").dir("o", 0755).file("o/.wh..wh..opq", "").file("o/new", "5")
                .file(".wh.top", ""), List.of());
        assertTrue(OverlayMarkers.isWhiteout(l.resolve("a/gone")), "a/gone is a 0/0 character device");
        assertTrue(OverlayMarkers.isWhiteout(l.resolve("top")));
        assertFalse(Files.exists(l.resolve("a/.wh.gone"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(OverlayMarkers.isOpaque(l.resolve("o")));
        assertFalse(OverlayMarkers.isOpaque(l.resolve("a")));
        assertEquals("5", Files.readString(l.resolve("o/new")));
        assertFalse(Files.exists(l.resolve("o/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aDirectoryReplacingAWhiteoutOfItsLayerIsOpaque() throws IOException {
        Path l = unpack("l", new Layer().file(".wh.etc", "").dir("etc", 0755).file("etc/new", "n"), List.of());
        assertTrue(Files.isDirectory(l.resolve("etc"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(OverlayMarkers.isOpaque(l.resolve("etc")), "the old etc of the layers below must not show through");
    }

    @Test
    void aFileCapabilityCopiedFromALowerLayerSurvivesTheChown() throws Exception {
        Path base = Files.createDirectory(dir.resolve("capbase"));
        String capability = new String(FileCapabilityTest.revision2(1 << 10), java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] lower = new Layer().fileWithXattrs("bin/tool", "binary", java.util.Map.of("security.capability", capability)).bytes();
        LayerApplier.overlayLayer(base, IdMap.defaultRoot(), List.of()).apply(new ByteArrayInputStream(lower));
        Path upper = Files.createDirectory(dir.resolve("capupper"));
        LayerApplier.overlayLayer(upper, IdMap.defaultRoot(), List.of(base)).apply(new ByteArrayInputStream(new Layer().hardlink("bin/alias", "bin/tool").bytes()));
        assertArrayEquals(dev.enviro.ffm.Files.lgetxattr(base.resolve("bin/tool"), "security.capability"),
                dev.enviro.ffm.Files.lgetxattr(upper.resolve("bin/alias"), "security.capability"));
        assertEquals(100000, FileCapability.rootId(dev.enviro.ffm.Files.lgetxattr(upper.resolve("bin/alias"), "security.capability")));
    }

    @Test
    void hardLinksIntoLowerLayersNeedTheLowersAndThenCopy() throws IOException {
        Path base = unpack("base", new Layer().file("bin/tool", "binary", 0755, 0), List.of());
        Layer upper = new Layer().hardlink("bin/alias", "bin/tool");
        byte[] bytes = upper.bytes();
        Path alone = Files.createDirectory(dir.resolve("alone"));
        assertThrows(LayerApplier.LowerLayersNeeded.class,
                () -> LayerApplier.overlayLayer(alone, IdMap.single(0, 0), null).apply(new ByteArrayInputStream(bytes)));
        Path withLowers = Files.createDirectory(dir.resolve("with"));
        LayerApplier.overlayLayer(withLowers, IdMap.single(0, 0), List.of(base)).apply(new ByteArrayInputStream(bytes));
        assertEquals("binary", Files.readString(withLowers.resolve("bin/alias")));
        assertEquals(0755, (Integer) Files.getAttribute(withLowers.resolve("bin/alias"), "unix:mode") & 07777);
        assertFalse(Files.isSameFile(base.resolve("bin/tool"), withLowers.resolve("bin/alias")), "layers never share inodes they could modify");
    }

    @Test
    void aHardLinkToALowerLayersSparseFileOrFifoCopiesItAsItIs() throws Exception {
        Path base = Files.createDirectory(dir.resolve("sparsebase"));
        LayerApplier.overlayLayer(base, IdMap.single(0, 0), List.of()).apply(new ByteArrayInputStream(LayerApplierTest.sparseLayer("gnu", 64L << 20, 4096)));
        LayerApplier.overlayLayer(base, IdMap.single(0, 0), List.of()).apply(new ByteArrayInputStream(new Layer().fifo("pipe", 0640).bytes()));
        Path upper = Files.createDirectory(dir.resolve("sparseupper"));
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> LayerApplier.overlayLayer(upper, IdMap.single(0, 0), List.of(base))
                .apply(new ByteArrayInputStream(new Layer().hardlink("copy.img", "disk.img").hardlink("pipe2", "pipe").bytes())), "a FIFO is never opened");
        Path copy = upper.resolve("copy.img");
        assertEquals(64L << 20, Files.size(copy));
        assertTrue(LayerApplierTest.allocated(copy) < (256 << 10), "the copy keeps the holes: " + LayerApplierTest.allocated(copy));
        assertEquals(Files.mismatch(base.resolve("disk.img"), copy), -1L);
        assertEquals(0010640, (Integer) Files.getAttribute(upper.resolve("pipe2"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0177777, "a FIFO, its mode kept");
    }

    @Test
    void anEntryUnderALinkOfALowerLayerGoesWhereTheLinkLeadsInsideTheRoot() throws IOException {
        // The OCI spec leaves it open; applied flattened (docker's vfs, containerd through a mount) bin/tool
        // lands in usr/bin: each overlay layer follows the links of the layers below it the same way.
        Path base = unpack("usrmerge", new Layer().dir("usr", 0755).dir("usr/bin", 0750).symlink("bin", "usr/bin").symlink("up", "../.."), List.of());
        Path upper = unpack("tool", new Layer().file("bin/tool", "t"), List.of(base));
        assertFalse(Files.exists(upper.resolve("bin"), LinkOption.NOFOLLOW_LINKS), "no directory bin hiding the link below");
        assertEquals("t", Files.readString(upper.resolve("usr/bin/tool")));
        assertEquals(0750, (Integer) Files.getAttribute(upper.resolve("usr/bin"), "unix:mode") & 07777, "the directory made on the way is the lower one's");
        // a link that climbs out is refused, as flattened
        UnsafeEntryException e = assertThrows(UnsafeEntryException.class, () -> unpack("climb", new Layer().file("up/x", "x"), List.of(base)));
        assertEquals("entry 'up/x' escapes the layer root: path /up climbs above the root", e.getMessage());
        // without the layers below, the layer cannot know: it waits for them
        assertThrows(LayerApplier.LowerLayersNeeded.class, () -> unpack("alone", new Layer().file("bin/tool", "t"), null));
    }

    @Test
    void aWhiteoutOrOpaqueDirectoryOfTheLayerHidesTheLinksBelow() throws IOException {
        Path base = unpack("links", new Layer().dir("a", 0755).symlink("a/l", "/target").dir("target", 0755), List.of());
        // a/l is whited out here, then a/l/x: a new directory (opaque), not the link below
        Path wh = unpack("wh", new Layer().file("a/.wh.l", "").file("a/l/x", "x"), List.of(base));
        assertTrue(Files.isDirectory(wh.resolve("a/l"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(OverlayMarkers.isOpaque(wh.resolve("a/l")));
        assertFalse(Files.exists(wh.resolve("target/x")));
        Path opq = unpack("opq", new Layer().dir("a", 0755).file("a/.wh..wh..opq", "").file("a/l/y", "y"), List.of(base));
        assertEquals("y", Files.readString(opq.resolve("a/l/y")), "below an opaque a/, a/l of the layers below is gone");
    }
}

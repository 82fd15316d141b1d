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
                .file(".wh.top", ""), null);
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
        Path l = unpack("l", new Layer().file(".wh.etc", "").dir("etc", 0755).file("etc/new", "n"), null);
        assertTrue(Files.isDirectory(l.resolve("etc"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(OverlayMarkers.isOpaque(l.resolve("etc")), "the old etc of the layers below must not show through");
    }

    @Test
    void aFileCapabilityCopiedFromALowerLayerSurvivesTheChown() throws Exception {
        Path base = Files.createDirectory(dir.resolve("capbase"));
        String capability = new String(FileCapabilityTest.revision2(1 << 10), java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] lower = new Layer().fileWithXattrs("bin/tool", "binary", java.util.Map.of("security.capability", capability)).bytes();
        LayerApplier.overlayLayer(base, IdMap.defaultRoot(), null).apply(new ByteArrayInputStream(lower));
        Path upper = Files.createDirectory(dir.resolve("capupper"));
        LayerApplier.overlayLayer(upper, IdMap.defaultRoot(), List.of(base)).apply(new ByteArrayInputStream(new Layer().hardlink("bin/alias", "bin/tool").bytes()));
        assertArrayEquals(dev.enviro.ffm.Files.lgetxattr(base.resolve("bin/tool"), "security.capability"),
                dev.enviro.ffm.Files.lgetxattr(upper.resolve("bin/alias"), "security.capability"));
        assertEquals(100000, FileCapability.rootId(dev.enviro.ffm.Files.lgetxattr(upper.resolve("bin/alias"), "security.capability")));
    }

    @Test
    void hardLinksIntoLowerLayersNeedTheLowersAndThenCopy() throws IOException {
        Path base = unpack("base", new Layer().file("bin/tool", "binary", 0755, 0), null);
        Layer upper = new Layer().hardlink("bin/alias", "bin/tool");
        byte[] bytes = upper.bytes();
        Path alone = Files.createDirectory(dir.resolve("alone"));
        assertThrows(LayerApplier.LowerLinkException.class,
                () -> LayerApplier.overlayLayer(alone, IdMap.single(0, 0), null).apply(new ByteArrayInputStream(bytes)));
        Path withLowers = Files.createDirectory(dir.resolve("with"));
        LayerApplier.overlayLayer(withLowers, IdMap.single(0, 0), List.of(base)).apply(new ByteArrayInputStream(bytes));
        assertEquals("binary", Files.readString(withLowers.resolve("bin/alias")));
        assertEquals(0755, (Integer) Files.getAttribute(withLowers.resolve("bin/alias"), "unix:mode") & 07777);
        assertFalse(Files.isSameFile(base.resolve("bin/tool"), withLowers.resolve("bin/alias")), "layers never share inodes they could modify");
    }

    @Test
    void aLayerNeverFollowsLinksOfOtherLayers() throws IOException {
        // Layer 2 swapped a/ for a link to / ; layer 3, unpacked on its own, writes a/x into its own a/.
        Path l3 = unpack("l3", new Layer().file("a/x", "inside"), null);
        assertTrue(Files.isDirectory(l3.resolve("a"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("inside", Files.readString(l3.resolve("a/x")));
    }
}

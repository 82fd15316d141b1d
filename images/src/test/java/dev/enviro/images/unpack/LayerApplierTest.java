package dev.enviro.images.unpack;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.ffm.IdMap;
import dev.enviro.images.content.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerApplierTest {
    @TempDir Path dir;
    Path root;
    Path outside;

    @BeforeEach
    void sandbox() throws IOException {
        root = Files.createDirectory(dir.resolve("root"));
        outside = Files.createDirectory(dir.resolve("outside"));
    }

    private Digest apply(Layer layer, IdMap map) throws IOException {
        byte[] b = layer.bytes();
        Digest d = new LayerApplier(root, map).apply(new ByteArrayInputStream(b));
        assertEquals(Digest.of(b), d, "the diff id is the sha256 of the whole tar");
        return d;
    }

    private Digest apply(Layer layer) throws IOException {
        return apply(layer, IdMap.single(0, 0));
    }

    @Test
    void filesDirsLinksModesAndTimesAreApplied() throws IOException {
        apply(new Layer().dir("etc", 0755).file("etc/motd", "hi\n", 04755, 0).symlink("etc/alias", "motd")
                .hardlink("etc/hard", "etc/motd").dir("tmp", 01777).file("deep/missing/parent", "x"));
        assertEquals("hi\n", Files.readString(root.resolve("etc/motd")));
        assertEquals(04755, (Integer) Files.getAttribute(root.resolve("etc/motd"), "unix:mode") & 07777);
        assertEquals(01777, (Integer) Files.getAttribute(root.resolve("tmp"), "unix:mode") & 07777);
        assertEquals("motd", Files.readSymbolicLink(root.resolve("etc/alias")).toString());
        assertTrue(Files.isSameFile(root.resolve("etc/motd"), root.resolve("etc/hard")));
        assertEquals(FileTime.fromMillis(1_500_000_000_000L), Files.getLastModifiedTime(root.resolve("etc/motd")));
        assertEquals(FileTime.fromMillis(1_000_000_000L), Files.getLastModifiedTime(root.resolve("etc")), "directory times are set after their children");
        assertEquals("x", Files.readString(root.resolve("deep/missing/parent")));
    }

    @Test
    void whiteoutsDeleteLowerEntriesAndOpaqueDirectoriesHideThem() throws IOException {
        apply(new Layer().dir("a", 0755).file("a/keep", "1").file("a/gone", "2").dir("o", 0755).file("o/old1", "3").dir("o/sub", 0755).file("o/sub/old2", "4"));
        apply(new Layer().file("a/.wh.gone", "").file("o/new", "5").file("o/.wh..wh..opq", "").file("o/.wh.nothing-there", ""));
        assertTrue(Files.exists(root.resolve("a/keep")));
        assertFalse(Files.exists(root.resolve("a/gone")));
        assertFalse(Files.exists(root.resolve("a/.wh.gone")), "whiteouts are not files of the result");
        assertEquals("5", Files.readString(root.resolve("o/new")), "the opaque directory keeps what its own layer wrote");
        assertFalse(Files.exists(root.resolve("o/old1")));
        assertFalse(Files.exists(root.resolve("o/sub")));
        assertFalse(Files.exists(root.resolve("o/.wh..wh..opq")));
    }

    @Test
    void aDirectoryReplacedBySymlinkWithinOneLayerIsResolvedAnewForLaterEntries() throws IOException {
        // The applier remembers resolved parents; "d" and "f" change from directories to links mid-layer.
        apply(new Layer().dir("d", 0755).file("d/first", "1").dir("e", 0755).symlink("d", "e").file("d/second", "2")
                .dir("f", 0755).file("f/a", "a").symlink("f", "/").file("f/b", "b"));
        assertTrue(Files.isSymbolicLink(root.resolve("d")));
        assertEquals("2", Files.readString(root.resolve("e/second")), "d/second went through the new link d -> e");
        assertFalse(Files.exists(root.resolve("e/first")), "the old directory d went with its contents");
        assertEquals("b", Files.readString(root.resolve("b")), "f/b went through f -> / to the root");
        try (var s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing is written outside the root");
        }
    }

    @Test
    void userXattrsAndFileCapabilitiesAreAppliedTheRestIsNot() throws Exception {
        // cap_net_bind_service+ep, revision 2, as `setcap` writes it; all its bytes are below 0x80
        String capability = new String(FileCapabilityTest.revision2(1 << 10), StandardCharsets.ISO_8859_1);
        apply(new Layer().fileWithXattrs("bin/tool", "binary", java.util.Map.of("user.note", "hello", "security.capability", capability,
                "trusted.overlay.opaque", "y")), IdMap.defaultRoot());
        Path tool = root.resolve("bin/tool");
        assertEquals("hello", new String(dev.enviro.ffm.Files.lgetxattr(tool, "user.note"), StandardCharsets.UTF_8));
        byte[] cap = dev.enviro.ffm.Files.lgetxattr(tool, "security.capability");
        assertEquals(24, cap.length, "revision 3: the capability is the container root's, not the host's");
        assertEquals(100000, FileCapability.rootId(cap));
        assertEquals(100000, (Integer) Files.getAttribute(tool, "unix:uid"), "set after chown, which would have cleared it");
        dev.enviro.ffm.SyscallException none = assertThrows(dev.enviro.ffm.SyscallException.class,
                () -> dev.enviro.ffm.Files.lgetxattr(tool, "trusted.overlay.opaque"));
        assertEquals("ENODATA", none.errnoName(), "trusted.* is the host's business");
    }

    @Test
    void noFileCapabilityWhenTheMapHasNoContainerRoot() throws Exception {
        // container ids 1000-1009 only: a capability for "root" would have nobody to name but the host's root
        IdMap noRoot = new IdMap(java.util.List.of(new IdMap.Range(1000, 200000, 10)), java.util.List.of(new IdMap.Range(1000, 200000, 10)));
        String capability = new String(FileCapabilityTest.revision2(1 << 10), StandardCharsets.ISO_8859_1);
        apply(new Layer().fileWithXattrs("bin/tool", "binary", java.util.Map.of("security.capability", capability)), noRoot);
        assertTrue(Files.isRegularFile(root.resolve("bin/tool")), "the layer still unpacks");
        assertThrows(dev.enviro.ffm.SyscallException.class, () -> dev.enviro.ffm.Files.lgetxattr(root.resolve("bin/tool"), "security.capability"));
    }

    @Test
    void binaryXattrValuesArriveExactly() throws Exception {
        // cap_setuid+cap_setgid+ep (bits 6 and 7: a 0xc0 byte, not UTF-8), as newuidmap carries it
        byte[] setuid = FileCapabilityTest.revision2(0xc0);
        byte[] binary = {(byte) 0xff, 0, (byte) 0x80, 'x', '\n', '='};
        apply(new Layer().rawPaxXattrs(java.util.Map.of("security.capability", setuid, "user.blob", binary)).file("bin/newuidmap", "binary", 04755, 0)
                .file("bin/after", "no xattrs"), IdMap.defaultRoot());
        Path tool = root.resolve("bin/newuidmap");
        assertArrayEquals(binary, dev.enviro.ffm.Files.lgetxattr(tool, "user.blob"));
        byte[] cap = dev.enviro.ffm.Files.lgetxattr(tool, "security.capability");
        assertArrayEquals(FileCapability.forRoot(setuid, 100000), cap, "the 0xc0 byte survived");
        assertThrows(dev.enviro.ffm.SyscallException.class, () -> dev.enviro.ffm.Files.lgetxattr(root.resolve("bin/after"), "user.blob"),
                "a PAX header describes the next entry only");
    }

    @Test
    void laterLayersReplaceEntriesOfAnyType() throws IOException {
        apply(new Layer().file("x", "file").dir("d", 0755).file("d/child", "c").symlink("l", "/etc"));
        apply(new Layer().dir("x", 0700).file("d", "now a file").file("l", "no longer a link"));
        assertTrue(Files.isDirectory(root.resolve("x"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("now a file", Files.readString(root.resolve("d")));
        assertFalse(Files.isSymbolicLink(root.resolve("l")));
    }

    @Test
    void ownershipIsShiftedThroughTheIdMap() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "chown to other ids needs root");
        apply(new Layer().file("r", "", 0644, 0).file("u", "", 0644, 1000).file("unmapped", "", 0644, 70000).symlink("s", "r"), IdMap.defaultRoot());
        assertEquals(100000, Files.getAttribute(root.resolve("r"), "unix:uid"));
        assertEquals(101000, Files.getAttribute(root.resolve("u"), "unix:uid"));
        assertEquals(101000, Files.getAttribute(root.resolve("u"), "unix:gid"));
        assertEquals(0, Files.getAttribute(root.resolve("unmapped"), "unix:uid"), "an unmapped id keeps the engine's own");
        assertEquals(100000, Files.getAttribute(root.resolve("s"), "unix:uid", LinkOption.NOFOLLOW_LINKS), "symlinks are lchown'ed, not followed");
        assertEquals(0, Files.getAttribute(root.resolve("r").getParent(), "unix:uid"), "the root dir is the caller's to own");
    }

    @Test
    void deviceNodesAreSkipped() throws IOException {
        Layer l = new Layer();
        TarArchiveEntry e = new TarArchiveEntry("dev/null", TarConstants.LF_CHR);
        e.setDevMajor(1);
        e.setDevMinor(3);
        l.tar.putArchiveEntry(e);
        l.tar.closeArchiveEntry();
        apply(l.file("after", "ok"));
        assertFalse(Files.exists(root.resolve("dev/null"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("ok", Files.readString(root.resolve("after")));
    }

    private void assertRefused(Layer layer) throws IOException {
        byte[] b = layer.bytes();
        assertThrows(IOException.class, () -> new LayerApplier(root, IdMap.single(0, 0)).apply(new ByteArrayInputStream(b)));
    }

    private void assertNothingOutside() throws IOException {
        try (var s = Files.walk(outside)) {
            assertEquals(1, s.count(), "nothing may be written outside the root");
        }
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "nothing may be written beside the root");
        }
    }

    @Test
    void climbingAndAbsoluteNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LayerApplier(root, IdMap.single(0, 0)).apply(new ByteArrayInputStream(new Layer().file("../outside/x", "pwned").bytes())));
        assertThrows(IllegalArgumentException.class, () -> new LayerApplier(root, IdMap.single(0, 0)).apply(new ByteArrayInputStream(new Layer().file("/tmp/x", "pwned").bytes())));
        assertDoesNotThrow(this::assertNothingOutside);
    }

    @Test
    void writingThroughASymlinkThatEscapesIsRefused() throws IOException {
        assertRefused(new Layer().symlink("evil", "../outside").file("evil/x", "pwned"));
        assertRefused(new Layer().symlink("a", "b").symlink("b", "a").file("a/x", "loop"));
        assertNothingOutside();
    }

    @Test
    void absoluteSymlinksResolveInsideTheRoot() throws IOException {
        // /etc in the container is root/etc: following "abs -> <host path of outside>" stays in the root.
        apply(new Layer().dir("etc", 0755).symlink("abs", outside.toString()).symlink("etclink", "/etc").file("etclink/passwd", "root"));
        assertEquals("root", Files.readString(root.resolve("etc/passwd")));
        apply(new Layer().file("abs/x", "contained"));
        assertEquals("contained", Files.readString(root.resolve(outside.toString().substring(1)).resolve("x")));
        assertNothingOutside();
    }

    @Test
    void hardlinksOutOfTheRootAreRefused() throws IOException {
        Files.writeString(outside.resolve("secret"), "s");
        assertThrows(IllegalArgumentException.class, () -> new LayerApplier(root, IdMap.single(0, 0)).apply(new ByteArrayInputStream(new Layer().hardlink("h", "../outside/secret").bytes())));
        assertThrows(IllegalArgumentException.class, () -> new LayerApplier(root, IdMap.single(0, 0)).apply(new ByteArrayInputStream(new Layer().hardlink("h", "/etc/passwd").bytes())));
        assertRefused(new Layer().symlink("o", "../outside").hardlink("h", "o/secret"));
        assertFalse(Files.exists(root.resolve("h"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(1L, (long) (Integer) Files.getAttribute(outside.resolve("secret"), "unix:nlink"));
    }
}

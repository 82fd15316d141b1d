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

    /**
     * Overlay form: an entry that shadows a link of a layer below changes where the names under it lead,
     * though nothing on disk is replaced (a finding of LayerFuzzTest: the layer's resolved parents were
     * kept, and a later entry landed where the shadowed link had led).
     */
    @Test
    void anEntryShadowingALowerLinkRedirectsTheEntriesAfterIt() throws IOException {
        Path lower = Files.createDirectory(root.resolve("l0")), upper = Files.createDirectory(root.resolve("l1"));
        LayerApplier.overlayLayer(lower, IdMap.single(0, 0), java.util.List.of())
                .apply(new ByteArrayInputStream(new Layer().dir("a", 0755).symlink("a/b", "/").dir("x", 0755).bytes()));
        LayerApplier.overlayLayer(upper, IdMap.single(0, 0), java.util.List.of(lower)).apply(new ByteArrayInputStream(
                new Layer().file("a/b/x/f1", "through the link").dir("a/b", 0755).file("a/b/x/f2", "under the new directory").bytes()));
        assertEquals("through the link", Files.readString(upper.resolve("x/f1")));
        assertEquals("under the new directory", Files.readString(upper.resolve("a/b/x/f2")));
        assertFalse(Files.exists(upper.resolve("x/f2")));
        ImageModel model = new ImageModel();
        model.apply(LayerScan.read(new ByteArrayInputStream(new Layer().dir("a", 0755).symlink("a/b", "/").dir("x", 0755).bytes()), true));
        model.apply(LayerScan.read(new ByteArrayInputStream(new Layer().file("a/b/x/f1", "through the link").dir("a/b", 0755)
                .file("a/b/x/f2", "under the new directory").bytes()), true));
        assertEquals(RootedPath.Node.OTHER, model.lookup(java.util.List.of("a", "b", "x"), "f2"), "the check at load sees it there too");
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
    void anOpaqueDirectoryKeepsWhatItsOwnLayerPutUnderItWhereverItCameBefore() throws IOException {
        // as an overlay layer's opaque directory shows it: nothing of the layers below, all of this layer's
        apply(new Layer().dir("a", 0755).dir("a/x", 0755).file("a/x/old", "o").file("a/keep", "k"));
        apply(new Layer().file("a/x/new", "n").file("a/made/deep/f", "f").file("a/.wh..wh..opq", ""));
        assertEquals("n", Files.readString(root.resolve("a/x/new")), "under a directory of the layers below");
        assertEquals("f", Files.readString(root.resolve("a/made/deep/f")), "under directories this layer made for it");
        assertFalse(Files.exists(root.resolve("a/x/old")));
        assertFalse(Files.exists(root.resolve("a/keep")));
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
    void fifosAndDeviceNodesAreMadeNotDropped() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "mknod of a device needs root");
        apply(new Layer().fifo("run/pipe", 0620).device("dev/null", TarConstants.LF_CHR, 1, 3).device("dev/loop9", TarConstants.LF_BLK, 7, 9)
                .file("after", "ok"));
        Path pipe = root.resolve("run/pipe");
        assertEquals(0010000, (Integer) Files.getAttribute(pipe, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000, "a FIFO");
        assertEquals(0620, (Integer) Files.getAttribute(pipe, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
        assertEquals(FileTime.fromMillis(1_500_000_000_000L), Files.getLastModifiedTime(pipe, LinkOption.NOFOLLOW_LINKS));
        Path nul = root.resolve("dev/null");
        assertEquals(0020000, (Integer) Files.getAttribute(nul, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000, "a character device");
        assertEquals((1L << 8) | 3, (Long) Files.getAttribute(nul, "unix:rdev", LinkOption.NOFOLLOW_LINKS));
        assertEquals(0060000, (Integer) Files.getAttribute(root.resolve("dev/loop9"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000, "a block device");
        assertEquals((7L << 8) | 9, (Long) Files.getAttribute(root.resolve("dev/loop9"), "unix:rdev", LinkOption.NOFOLLOW_LINKS));
        assertEquals("ok", Files.readString(root.resolve("after")));
        // a later layer replaces them like any entry
        apply(new Layer().file("run/pipe", "now a file"));
        assertEquals("now a file", Files.readString(root.resolve("run/pipe")));
    }

    @Test
    void aCharacterDeviceZeroZeroIsAWhiteoutInBothForms() throws IOException {
        // overlay's own form of a whiteout, as a tar of an overlay upper directory carries it
        apply(new Layer().dir("etc", 0755).file("etc/gone", "g").file("etc/kept", "k"));
        apply(new Layer().device("etc/gone", TarConstants.LF_CHR, 0, 0));
        assertFalse(Files.exists(root.resolve("etc/gone"), LinkOption.NOFOLLOW_LINKS), "flattened: deleted, no device left");
        assertTrue(Files.exists(root.resolve("etc/kept")));
        Path layer = Files.createDirectory(dir.resolve("overlay"));
        LayerApplier.overlayLayer(layer, IdMap.single(0, 0), java.util.List.of()).apply(new ByteArrayInputStream(new Layer().device("gone", TarConstants.LF_CHR, 0, 0).bytes()));
        assertTrue(OverlayMarkers.isWhiteout(layer.resolve("gone")), "overlay: a whiteout");
    }

    @Test
    void aFifoIsMadeInAnOverlayLayerToo() throws IOException {
        Path layer = Files.createDirectory(dir.resolve("layer"));
        LayerApplier.overlayLayer(layer, IdMap.single(0, 0), java.util.List.of()).apply(new ByteArrayInputStream(new Layer().fifo("p", 0600).bytes()));
        assertEquals(0010000, (Integer) Files.getAttribute(layer.resolve("p"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000);
    }

    /** Bytes the file system allocated to a file, as du counts them (st_blocks, 512-byte units; NIO does not expose it). */
    static long allocated(Path p) throws IOException {
        try {
            Process stat = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
            String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            assertEquals(0, stat.waitFor(), out);
            return Long.parseLong(out) * 512;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFileOfZerosIsWrittenWithHoles() throws IOException {
        byte[] content = new byte[8 << 20]; // 8 MiB: zeros, then 5 bytes of data in the middle, zeros again
        System.arraycopy("hello".getBytes(StandardCharsets.US_ASCII), 0, content, 3 << 20, 5);
        Layer l = new Layer();
        TarArchiveEntry e = new TarArchiveEntry("zeros");
        e.setSize(content.length);
        e.setMode(0100644);
        l.tar.putArchiveEntry(e);
        l.tar.write(content);
        l.tar.closeArchiveEntry();
        apply(l);
        Path zeros = root.resolve("zeros");
        assertEquals(content.length, Files.size(zeros));
        assertArrayEquals(content, Files.readAllBytes(zeros));
        assertTrue(allocated(zeros) <= 64 * 1024, "8 MiB of mostly zeros takes a block or two, not 8 MiB: " + allocated(zeros));
    }

    /**
     * A layer holding one sparse file {@code size} long with a few bytes at {@code dataAt}, made by GNU
     * tar in {@code format}: {@code gnu} (old GNU sparse headers) or {@code pax-0.0}, {@code pax-0.1},
     * {@code pax-1.0} (the PAX sparse versions).
     */
    static byte[] sparseLayer(String format, long size, long... dataAt) throws Exception {
        Path work = Files.createTempDirectory("enviro-sparse-");
        try {
            try (var f = new java.io.RandomAccessFile(work.resolve("disk.img").toFile(), "rw")) {
                f.setLength(size);
                for (long at : dataAt) {
                    f.seek(at);
                    f.write(("data@" + at).getBytes(StandardCharsets.US_ASCII));
                }
            }
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("tar", "--sparse"));
            if (format.equals("gnu")) cmd.add("--format=gnu");
            else cmd.addAll(java.util.List.of("--format=pax", "--sparse-version=" + format.substring(4)));
            cmd.addAll(java.util.List.of("-cf", "-", "-C", work.toString(), "disk.img"));
            Process tar = new ProcessBuilder(cmd).start();
            byte[] out = tar.getInputStream().readAllBytes();
            assertEquals(0, tar.waitFor(), new String(tar.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            return out;
        } finally {
            dev.enviro.images.content.Tree.delete(work);
        }
    }

    @Test
    void sparseFilesStaySparseInEveryGnuAndPaxForm() throws Exception {
        // 1 GiB in a 10 KB layer. (The tar reader takes no larger sparse sizes: PAX ones are read as an
        // int, old GNU ones as 11 octal digits; a layer with one is refused as unreadable.)
        long size = 1L << 30;
        long[] at = {0, 1 << 20, (1L << 30) - 4096 - 512};
        for (String format : java.util.List.of("gnu", "pax-0.0", "pax-0.1", "pax-1.0")) {
            byte[] layer = sparseLayer(format, size, at);
            assertTrue(layer.length < 64 * 1024, format + ": a small layer: " + layer.length);
            Path target = Files.createDirectory(dir.resolve(format));
            Digest d = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                    () -> new LayerApplier(target, IdMap.single(0, 0)).apply(new ByteArrayInputStream(layer)));
            assertEquals(Digest.of(layer), d, format);
            Path img = target.resolve("disk.img");
            assertEquals(size, Files.size(img), format);
            try (var ch = java.nio.channels.FileChannel.open(img)) {
                for (long a : at) {
                    byte[] want = ("data@" + a).getBytes(StandardCharsets.US_ASCII);
                    java.nio.ByteBuffer got = java.nio.ByteBuffer.allocate(want.length);
                    ch.read(got, a);
                    assertArrayEquals(want, got.array(), format + " at " + a);
                }
                java.nio.ByteBuffer hole = java.nio.ByteBuffer.allocate(16);
                ch.read(hole, 512L << 20);
                assertArrayEquals(new byte[16], hole.array(), format + ": a hole reads zeros");
            }
            assertTrue(allocated(img) < (256 << 10), format + ": 1 GiB with 3 runs of data takes a few blocks, not " + allocated(img));
            // the check at load reads it just as fast, writing nothing
            LayerScan.Scanned scanned = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                    () -> LayerScan.read(new ByteArrayInputStream(layer), false));
            assertNull(scanned.refusal(), format);
            assertEquals(d, scanned.diffId());
        }
    }

    /** How the applier refuses {@code layer} as unsafe. */
    private UnsafeEntryException refusal(Layer layer) throws IOException {
        byte[] b = layer.bytes();
        return assertThrows(UnsafeEntryException.class, () -> new LayerApplier(root, IdMap.single(0, 0)).apply(new ByteArrayInputStream(b)));
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
    void climbingAndAbsoluteNamesAreRefused() throws IOException {
        UnsafeEntryException climbing = refusal(new Layer().file("../outside/x", "pwned"));
        assertEquals("entry '../outside/x' escapes the layer root", climbing.getMessage());
        UnsafeEntryException absolute = refusal(new Layer().file("/tmp/x", "pwned"));
        assertEquals("entry '/tmp/x' is an absolute path", absolute.getMessage());
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
        UnsafeEntryException climbing = refusal(new Layer().hardlink("h", "../outside/secret"));
        assertEquals("entry 'h' hard-links to '../outside/secret', which escapes the layer root", climbing.getMessage());
        UnsafeEntryException absolute = refusal(new Layer().hardlink("h", "/etc/passwd"));
        assertEquals("entry 'h' hard-links to '/etc/passwd', an absolute path", absolute.getMessage());
        assertRefused(new Layer().symlink("o", "../outside").hardlink("h", "o/secret"));
        assertFalse(Files.exists(root.resolve("h"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(1L, (long) (Integer) Files.getAttribute(outside.resolve("secret"), "unix:nlink"));
    }
}

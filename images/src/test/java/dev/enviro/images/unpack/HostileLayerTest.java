package dev.enviro.images.unpack;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.ffm.IdMap;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layers built to escape or to choke the reader: refused with an IOException, nothing outside the root. */
class HostileLayerTest {
    @TempDir Path sandbox;
    Path root;

    @BeforeEach
    void dirs() throws IOException {
        root = Files.createDirectory(sandbox.resolve("root"));
        Files.writeString(sandbox.resolve("bait"), "b");
    }

    private void assertOnlyRootAndBait() throws IOException {
        try (var s = Files.list(sandbox)) {
            assertEquals(List.of("bait", "root"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("b", Files.readString(sandbox.resolve("bait")));
    }

    private void applyFlattened(byte[]... layers) throws IOException {
        LayerApplier a = new LayerApplier(root, IdMap.single(0, 0));
        for (byte[] l : layers) a.apply(new ByteArrayInputStream(l));
    }

    @Test
    void aSymlinkSwappedForADirectoryAcrossLayersKeepsWritesInside() throws IOException {
        for (String target : List.of("/", "../..", "..", "../../..", "/..")) {
            Files.walk(root).sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(root)).forEach(p -> p.toFile().delete());
            byte[] l1 = new Layer().dir("a", 0755).file("a/old", "o").bytes();
            byte[] l2 = new Layer().symlink("a", target).bytes();
            byte[] l3 = new Layer().file("a/x", "pwned?").bytes();
            try {
                applyFlattened(l1, l2, l3);
                // Followed inside the root, as the container would resolve it: a -> / is the root itself.
                assertTrue(Files.exists(root.resolve("x")) || Files.exists(root.resolve("a/x")), target);
            } catch (UnsafeEntryException refused) {
                assertTrue(refused.getMessage().startsWith("entry 'a/x' escapes the layer root: path /a climbs above the root"), refused.getMessage());
            }
            assertOnlyRootAndBait();
        }
    }

    /** The check at load, writing nothing: {@link LayerScan} per layer, replayed in order into an {@link ImageModel}; null when it accepts. */
    private static IOException checked(boolean devices, byte[]... layers) {
        ImageModel model = new ImageModel();
        try {
            for (byte[] l : layers) model.apply(LayerScan.read(new ByteArrayInputStream(l), devices));
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private static byte[][] layers(Layer... layers) throws IOException {
        byte[][] out = new byte[layers.length][];
        for (int i = 0; i < layers.length; i++) out[i] = layers[i].bytes();
        return out;
    }

    private void emptyRoot() throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(root)).toList()) Files.delete(p);
        }
    }

    @Test
    void theCheckAtLoadRefusesWhatUnpackingRefusesInTheSameWords() throws IOException {
        List<Map.Entry<String, byte[][]>> hostile = new java.util.ArrayList<>();
        hostile.add(Map.entry("entry '../../etc/x' escapes the layer root", layers(new Layer().file("../../etc/x", "x"))));
        hostile.add(Map.entry("entry '/etc/x' is an absolute path", layers(new Layer().file("/etc/x", "x"))));
        hostile.add(Map.entry("entry 'h' hard-links to '/etc/passwd', an absolute path", layers(new Layer().hardlink("h", "/etc/passwd"))));
        hostile.add(Map.entry("entry 'h' hard-links to '../bait', which escapes the layer root", layers(new Layer().hardlink("h", "../bait"))));
        hostile.add(Map.entry("entry 'a/.wh..' is a whiteout that escapes its directory", layers(new Layer().dir("a", 0755).file("a/.wh..", ""))));
        hostile.add(Map.entry("entry 'a/.wh..' is a whiteout that escapes its directory", layers(new Layer().file("a/.wh..", "")))); // no a/ listed
        hostile.add(Map.entry("entry 'up/x' escapes the layer root: path /up climbs above the root",
                layers(new Layer().symlink("up", "../.."), new Layer().file("up/x", "x")))); // only the two layers together climb out
        hostile.add(Map.entry("entry 'd/l/x' escapes the layer root: path /d/l climbs above the root",
                layers(new Layer().dir("d", 0755), new Layer().symlink("d/l", "../../.."), new Layer().file("d/l/x", "x"))));
        hostile.add(Map.entry("entry 'h' hard-links to 'o/bait', which escapes the layer root: path /o climbs above the root",
                layers(new Layer().symlink("o", ".."), new Layer().hardlink("h", "o/bait"))));
        hostile.add(Map.entry("entry 'a/x' cannot be resolved: path /a: too many levels of symbolic links",
                layers(new Layer().symlink("a", "b").symlink("b", "a").file("a/x", "loop"))));
        for (Map.Entry<String, byte[][]> c : hostile) {
            IOException atLoad = checked(true, c.getValue());
            assertInstanceOf(UnsafeEntryException.class, atLoad, c.getKey());
            assertEquals(c.getKey(), atLoad.getMessage());
            emptyRoot();
            UnsafeEntryException atUnpack = assertThrows(UnsafeEntryException.class, () -> applyFlattened(c.getValue()), c.getKey());
            assertEquals(atLoad.getMessage(), atUnpack.getMessage(), "one implementation, one wording");
            assertOnlyRootAndBait();
        }
    }

    @Test
    void theCheckAtLoadAcceptsLinksFollowedInsideTheRoot() throws IOException {
        // a -> / and a/x: the root's own x, as the container resolves it; a hard link through a link inside
        assertNull(checked(true, layers(new Layer().dir("a", 0755), new Layer().symlink("a", "/"), new Layer().file("a/x", "x")
                .dir("etc", 0755).file("etc/f", "f").symlink("e", "etc").hardlink("h", "e/f"))));
        // broken rather than hostile: a hard link to nothing, an entry under a file
        assertEquals("entry 'h' hard-links to 'nothing', which is not in the layers", checked(true, layers(new Layer().hardlink("h", "nothing"))).getMessage());
        assertEquals("entry 'f/x' is under /f, which is not a directory", checked(true, layers(new Layer().file("f", "1"), new Layer().file("f/x", "2"))).getMessage());
    }

    @Test
    void aDeviceNodeTheEngineMayNotMakeIsRefusedAtLoadWithTheReason() throws IOException {
        IOException e = checked(false, layers(new Layer().device("dev/sda", TarConstants.LF_BLK, 8, 0)));
        assertNotNull(e);
        assertEquals("entry 'dev/sda' is block device 8:0, which this engine may not create (mknod needs root): remove it from the image "
                + "(containers get /dev from the runtime) or use an engine running as root", e.getMessage());
        assertNull(checked(false, layers(new Layer().device("gone", TarConstants.LF_CHR, 0, 0).fifo("pipe", 0600))),
                "a character device 0/0 (overlay's whiteout) and a FIFO need no privilege");
        assertNull(checked(true, layers(new Layer().device("dev/sda", TarConstants.LF_BLK, 8, 0))), "an engine that may makes it");
    }

    @Test
    void anUnknownEntryTypeIsRefusedNotDropped() throws IOException {
        Layer l = new Layer();
        org.apache.commons.compress.archivers.tar.TarArchiveEntry e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("label", (byte) 'V', true);
        l.tar.putArchiveEntry(e);
        l.tar.closeArchiveEntry();
        byte[] b = l.bytes();
        assertEquals("entry 'label' has tar type 'V', which a layer cannot hold", checked(true, b).getMessage());
        IOException atUnpack = assertThrows(IOException.class, () -> applyFlattened(b));
        assertEquals("entry 'label' has tar type 'V', which a layer cannot hold", atUnpack.getMessage());
    }

    @Test
    void aLayerDeclaringMoreThanTheCapIsRefused() throws Exception {
        // 2 TiB in a base-256 size field, no data: refused at the header, before a byte is read or written
        byte[] size = new byte[12];
        size[0] = (byte) 0x80;
        size[6] = 0x02; // 2^41
        byte[] layer = concat(header("big", size, '0'), new byte[1024]);
        String why = "entry 'big' (2199023255552 bytes) takes the layer's files past 1024 GiB, more than any image needs: "
                + "the layer is broken or made to fill the disk";
        assertEquals(why, checked(true, layer).getMessage());
        assertEquals(why, assertThrows(IOException.class, () -> applyFlattened(layer)).getMessage());
        assertOnlyRootAndBait();
    }

    @Test
    void sparseFilesCannotPromiseMoreThanTheCapEither() throws Exception {
        // 520 sparse files of 2 GiB (the largest the PAX reader takes) in a layer of a few hundred KB: 1.04 TiB declared
        Path work = Files.createDirectory(sandbox.resolve("work"));
        List<String> cmd = new java.util.ArrayList<>(List.of("tar", "--sparse", "--format=pax", "-cf", "-", "-C", work.toString()));
        for (int i = 0; i < 520; i++) {
            try (var f = new java.io.RandomAccessFile(work.resolve("f" + i).toFile(), "rw")) {
                f.setLength(Integer.MAX_VALUE);
            }
            cmd.add("f" + i);
        }
        Process tar = new ProcessBuilder(cmd).start();
        byte[] layer = tar.getInputStream().readAllBytes();
        assertEquals(0, tar.waitFor());
        dev.enviro.images.content.Tree.delete(work);
        assertTrue(layer.length < 4 << 20, "a small layer: " + layer.length);
        IOException atLoad = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> checked(true, layer));
        assertEquals("entry 'f512' (2147483647 bytes) takes the layer's files past 1024 GiB, more than any image needs: "
                + "the layer is broken or made to fill the disk", atLoad.getMessage());
    }

    /** One ustar header block for a regular file, with {@code size} written raw into the size field. */
    private static byte[] header(String name, byte[] sizeField, char type) {
        byte[] h = new byte[512];
        put(h, 0, name.getBytes(StandardCharsets.US_ASCII));
        put(h, 100, "0000644\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 108, "0000000\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 116, "0000000\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 124, sizeField);
        put(h, 136, "00000000000\0".getBytes(StandardCharsets.US_ASCII));
        h[156] = (byte) type;
        put(h, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, "00".getBytes(StandardCharsets.US_ASCII));
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII));
        return h;
    }

    private static void put(byte[] h, int at, byte[] v) {
        System.arraycopy(v, 0, h, at, v.length);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private IOException refused(byte[] layer) {
        IOException e = assertThrows(IOException.class, () -> applyFlattened(layer));
        assertNotNull(e.getMessage());
        return e;
    }

    @Test
    void aHugeSizeFieldIsRefused() throws IOException {
        byte[] octal = "77777777777\0".getBytes(StandardCharsets.US_ASCII); // 8 GiB declared, 512 bytes present
        refused(concat(header("big", octal, '0'), new byte[512], new byte[1024]));
        byte[] base256 = new byte[12];
        base256[0] = (byte) 0x80;
        Arrays.fill(base256, 1, 12, (byte) 0x7f);
        refused(concat(header("huge", base256, '0'), new byte[512], new byte[1024]));
        assertOnlyRootAndBait();
    }

    @Test
    void negativeAndGarbageNumbersAreRefused() throws IOException {
        byte[] negative = new byte[12];
        Arrays.fill(negative, (byte) 0xff);
        refused(concat(header("neg", negative, '0'), new byte[1024]));
        refused(concat(header("garbage", "zz9-x!q@#$%\0".getBytes(StandardCharsets.US_ASCII), '0'), new byte[1024]));
        assertOnlyRootAndBait();
    }

    @Test
    void aTruncatedHeaderIsRefused() throws IOException {
        byte[] whole = new Layer().file("a", "1").file("b", "2").bytes();
        refused(Arrays.copyOf(whole, 1024 + 300)); // the second header cut in the middle
        refused(Arrays.copyOf(whole, 700)); // data cut
        assertOnlyRootAndBait();
    }

    @Test
    void anArchiveEndingRightAfterItsEndBlocksIsWhole() throws IOException {
        // Go's archive/tar (docker, buildkit) writes two zero blocks and no record padding.
        byte[] data = Arrays.copyOf("x".getBytes(StandardCharsets.US_ASCII), 512);
        applyFlattened(concat(header("a", "00000000001\0".getBytes(StandardCharsets.US_ASCII), '0'), data, new byte[1024]));
        assertEquals("x", Files.readString(root.resolve("a")));
        refused(concat(header("b", "00000000001\0".getBytes(StandardCharsets.US_ASCII), '0'), data, new byte[1000]));
    }

    @Test
    void aPaxHeaderWithAnAbsurdLengthIsRefused() throws IOException {
        byte[] record = "99999999999 path=x\n".getBytes(StandardCharsets.US_ASCII);
        byte[] pax = Arrays.copyOf(record, 512);
        byte[] size = String.format("%011o\0", record.length).getBytes(StandardCharsets.US_ASCII);
        refused(concat(header("PaxHeaders/x", size, 'x'), pax, header("x", "00000000000\0".getBytes(StandardCharsets.US_ASCII), '0'), new byte[1024]));
        byte[] huge = String.format("%011o\0", 07777777777L).getBytes(StandardCharsets.US_ASCII); // a 1 GiB extended header
        refused(concat(header("PaxHeaders/y", huge, 'x'), pax, new byte[1024]));
        assertOnlyRootAndBait();
    }
}

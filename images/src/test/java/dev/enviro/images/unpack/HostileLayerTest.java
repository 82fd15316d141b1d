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
            } catch (RootedPath.EscapeException refused) {
                assertTrue(refused.getMessage().contains("climbs above the root"), refused.getMessage());
            }
            assertOnlyRootAndBait();
        }
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

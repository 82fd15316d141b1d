package dev.enviro.images.unpack;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** A layer's compression is told by its magic number; each opens to the same tar. */
class LayerFormatTest {

    private final byte[] tar;

    LayerFormatTest() throws IOException {
        tar = new Layer().dir("etc", 0755).file("etc/motd", "hello from a layer\n".repeat(50)).bytes();
    }

    private static byte[] zstd(byte[] data) throws Exception {
        return ZstdTool.compress(data);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(data);
        }
        return b.toByteArray();
    }

    private static byte[] opened(byte[] blob, LayerFormat expected) throws IOException {
        InputStream in = new BufferedInputStream(new ByteArrayInputStream(blob));
        LayerFormat format = LayerFormat.detect(in);
        assertEquals(expected, format);
        try (InputStream tar = format.open(in)) {
            return tar.readAllBytes();
        }
    }

    @Test
    void tarGzipAndZstdOpenToTheSameTar() throws Exception {
        assertArrayEquals(tar, opened(tar, LayerFormat.TAR));
        assertArrayEquals(tar, opened(gzip(tar), LayerFormat.GZIP));
        assertArrayEquals(tar, opened(zstd(tar), LayerFormat.ZSTD));
        assertEquals("application/vnd.oci.image.layer.v1.tar+zstd", LayerFormat.ZSTD.mediaType());
    }

    @Test
    void skippableFramesAreDroppedBeforeTheDecoder() throws Exception {
        byte[] frames = zstd(tar);
        // a skippable frame before and after (zstd:chunked ends with one), magic 0x184D2A5E, 5 bytes of data
        byte[] skippable = {0x5e, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5};
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(skippable);
        b.writeBytes(frames);
        b.writeBytes(skippable);
        assertArrayEquals(tar, opened(b.toByteArray(), LayerFormat.ZSTD), "told by the skippable frame's magic too");
    }

    @Test
    void aFrameAskingForAHugeWindowIsRefusedBeforeAnythingIsAllocated() {
        // single segment, 4-byte content size of 1 GiB (the window is the content), then a 1-byte raw last block
        byte[] singleSegment = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, (byte) 0xa0, 0, 0, 0, 0x40, 0x09, 0, 0, 'x'};
        IOException e = assertThrows(IOException.class, () -> opened(singleSegment, LayerFormat.ZSTD));
        assertTrue(e.getMessage().contains("1024 MiB window, more than the 128 MiB"), e.getMessage());
        // a window descriptor of 2^30 bytes
        byte[] windowed = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x00, (byte) (20 << 3), 0x09, 0, 0, 'x'};
        assertThrows(IOException.class, () -> opened(windowed, LayerFormat.ZSTD));
    }

    @Test
    void aBrokenZstdStreamIsAnIOExceptionNotACrash() throws Exception {
        byte[] good = zstd(tar);
        byte[] corrupt = good.clone();
        for (int i = 12; i < corrupt.length - 4; i++) corrupt[i] ^= 0x5a;
        assertThrows(IOException.class, () -> opened(corrupt, LayerFormat.ZSTD));
        byte[] cut = Arrays.copyOf(good, good.length / 2);
        assertThrows(IOException.class, () -> opened(cut, LayerFormat.ZSTD));
    }
}

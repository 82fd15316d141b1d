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

    /** Compressed by the zstd tool (Debian package zstd), not by the decoder's own library. */
    private static byte[] zstd(byte[] data) throws Exception {
        Process p = new ProcessBuilder("zstd", "-q", "-c").start();
        Thread feeder = Thread.ofVirtual().start(() -> {
            try (var in = p.getOutputStream()) {
                in.write(data);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        feeder.join();
        assertEquals(0, p.waitFor());
        return out;
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
    void aBrokenZstdStreamIsAnIOExceptionNotACrash() throws Exception {
        byte[] good = zstd(tar);
        byte[] corrupt = good.clone();
        for (int i = 12; i < corrupt.length - 4; i++) corrupt[i] ^= 0x5a;
        assertThrows(IOException.class, () -> opened(corrupt, LayerFormat.ZSTD));
        byte[] cut = Arrays.copyOf(good, good.length / 2);
        assertThrows(IOException.class, () -> opened(cut, LayerFormat.ZSTD));
    }
}

package dev.enviro.images.unpack;

import dev.enviro.images.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** How a layer blob is compressed, told by its first bytes (media types in the wild are not always right). */
public enum LayerFormat {
    TAR(MediaTypes.OCI_LAYER), GZIP(MediaTypes.OCI_LAYER_GZIP), ZSTD(MediaTypes.OCI_LAYER_ZSTD);

    private final String mediaType;

    LayerFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** Peeks at the magic number of a stream that supports mark/reset, leaving it where it was. */
    public static LayerFormat detect(InputStream in) throws IOException {
        in.mark(4);
        byte[] m = in.readNBytes(4);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) return GZIP;
        if (m.length == 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) return ZSTD;
        // a zstd stream may open with a skippable frame (magic 0x184D2A50-5F)
        if (m.length == 4 && (m[0] & 0xf0) == 0x50 && (m[1] & 0xff) == 0x2a && (m[2] & 0xff) == 0x4d && (m[3] & 0xff) == 0x18) return ZSTD;
        return TAR;
    }

    /** The uncompressed tar stream of a layer. */
    public InputStream open(InputStream in) throws IOException {
        return switch (this) {
            case TAR -> in;
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            // aircompressor's streaming decoder: pure Java, frames of any size, checksums verified when present
            // frames walked first: bounded windows, skippable frames dropped (ZstdFrames)
            case ZSTD -> new ZstdLayer(new io.airlift.compress.zstd.ZstdInputStream(new ZstdFrames(in)));
        };
    }

    /** The decoder reports a malformed frame with an unchecked exception; a broken layer is an IOException here. */
    private static final class ZstdLayer extends java.io.FilterInputStream {
        ZstdLayer(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (RuntimeException e) {
                throw malformed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (RuntimeException e) {
                throw malformed(e);
            }
        }

        private static IOException malformed(RuntimeException e) {
            return new IOException("the layer's zstd stream is malformed: " + e.getMessage(), e);
        }
    }
}

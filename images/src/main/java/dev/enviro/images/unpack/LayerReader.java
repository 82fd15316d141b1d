package dev.enviro.images.unpack;

import dev.enviro.images.content.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * One layer's tar read entry by entry, each entry checked by {@link LayerRules}; at the end, the diff
 * id (the sha256 of the whole stream) and the check that the stream is whole 512-byte blocks. The
 * applier and the check at load both read layers through it.
 */
final class LayerReader {
    private final MessageDigest sha = Digest.sha256();
    private final Counting counted;
    private final TarWithXattrs tar;
    private final LayerRules rules;
    private TarArchiveEntry current;

    LayerReader(InputStream layerTar, LayerRules rules) {
        this.counted = new Counting(new DigestInputStream(layerTar, sha));
        this.tar = new TarWithXattrs(counted);
        this.rules = rules;
    }

    /** The next entry, checked; null at the end of the archive. */
    LayerEntry next() throws IOException {
        current = tar.getNextEntry();
        return current == null ? null : rules.check(current, tar.xattrs());
    }

    /** The reader, positioned at the data of the entry {@link #next} returned. */
    TarWithXattrs tar() {
        return tar;
    }

    /** The tar entry {@link #next} returned last. */
    TarArchiveEntry current() {
        return current;
    }

    /** Reads what follows the archive's end (part of the diff id), checks the length and returns the diff id. */
    Digest finish() throws IOException {
        counted.transferTo(OutputStream.nullOutputStream());
        // The reader takes a short last block for the end of the archive: a header cut in the middle would pass.
        if (counted.count % 512 != 0) {
            throw new IOException("the layer's tar is truncated (" + counted.count + " bytes, not a whole number of 512-byte blocks)");
        }
        return new Digest(java.util.HexFormat.of().formatHex(sha.digest()));
    }

    /**
     * Counts the bytes of the layer stream as the digest sees them. It supports no mark: the tar
     * reader would otherwise read ahead and step back, over bytes the digest already took.
     */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // skipped bytes must reach the digest: read them
            return skipByReading(this, n);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void mark(int limit) {
            // not supported
        }

        @Override
        public void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }
    }

    /**
     * Skips by reading through {@code in}'s own read (FilterInputStream's skip would pass the bytes by):
     * for streams that must see every byte, a digest or a frame parser.
     */
    static long skipByReading(java.io.InputStream in, long n) throws IOException {
        byte[] sink = new byte[(int) Math.max(0, Math.min(n, 8192))];
        long done = 0;
        while (done < n) {
            int r = in.read(sink, 0, (int) Math.min(sink.length, n - done));
            if (r < 0) break;
            done += r;
        }
        return done;
    }
}

package dev.enviro.images.unpack;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The extended attributes of each tar entry as bytes, read from the PAX extended headers
 * ({@code SCHILY.xattr.NAME}) of the stream the tar reader reads through this one. The reader decodes
 * PAX values as UTF-8, which loses binary values such as a file capability granting CAP_SETUID (a
 * 0x80 byte); this follows the same stream block by block (a header, its data rounded to 512 bytes)
 * and keeps the raw record values. A reader asks for {@link #ofLastEntry()} right after it read an
 * entry's header; the tar reader reads no header ahead of the entry it returns.
 */
final class PaxXattrs extends FilterInputStream {
    private static final int BLOCK = 512;
    private static final String PREFIX = "SCHILY.xattr.";

    private long position;
    /** Where the next header block starts; -1 once the end-of-archive block was seen. */
    private long nextHeader;
    private final byte[] header = new byte[BLOCK];
    private ByteArrayOutputStream paxData;
    private long paxDataStart;
    private long paxDataSize;
    private Map<String, byte[]> pending = Map.of();
    private Map<String, byte[]> last = Map.of();

    PaxXattrs(InputStream in) {
        super(in);
    }

    /** xattr name (without the SCHILY prefix) to value, of the entry whose header was read last. */
    Map<String, byte[]> ofLastEntry() {
        return last;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) follow(new byte[] {(byte) b}, 0, 1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) follow(b, off, n);
        return n;
    }

    /** Skipped bytes are read here: every byte must pass to keep the blocks in step. */
    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(n, 64 * 1024)];
        long done = 0;
        while (done < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - done));
            if (r < 0) break;
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void follow(byte[] b, int off, int len) {
        int i = 0;
        while (i < len && nextHeader >= 0) {
            long at = position + i;
            if (at >= nextHeader && at < nextHeader + BLOCK) {
                int k = (int) (at - nextHeader);
                int n = (int) Math.min(len - i, BLOCK - k);
                System.arraycopy(b, off + i, header, k, n);
                i += n;
                if (k + n == BLOCK) headerDone();
            } else if (paxData != null && at >= paxDataStart && at < paxDataStart + paxDataSize) {
                int n = (int) Math.min(len - i, paxDataStart + paxDataSize - at);
                paxData.write(b, off + i, n);
                i += n;
                if (paxData.size() == paxDataSize) {
                    pending = records(paxData.toByteArray());
                    paxData = null;
                }
            } else if (at < nextHeader) {
                i += (int) Math.min(len - i, nextHeader - at); // entry data and padding
            } else {
                i = len; // cannot happen: headers are contiguous blocks
            }
        }
        position += len;
    }

    private void headerDone() {
        boolean zero = true;
        for (byte x : header) if (x != 0) { zero = false; break; }
        if (zero) { // the end-of-archive marker (two such blocks): nothing after it is an entry
            nextHeader = -1;
            return;
        }
        long size = size(header);
        long dataStart = nextHeader + BLOCK;
        nextHeader = dataStart + (size + BLOCK - 1) / BLOCK * BLOCK;
        byte type = header[156];
        if (type == 'x' && size <= (1 << 20)) {
            paxData = new ByteArrayOutputStream((int) size);
            paxDataStart = dataStart;
            paxDataSize = size;
            if (size == 0) { pending = Map.of(); paxData = null; }
        } else if (type == 'g' || type == 'L' || type == 'K') {
            // global headers and GNU long names precede the entry they describe: keep what is pending
        } else {
            last = pending;
            pending = Map.of();
        }
    }

    /** The size field: octal digits, or big-endian base-256 when its first byte has the high bit. */
    private static long size(byte[] h) {
        if ((h[124] & 0x80) != 0) {
            long v = 0;
            for (int i = 125; i < 136; i++) v = (v << 8) | (h[i] & 0xff);
            return v;
        }
        long v = 0;
        for (int i = 124; i < 136; i++) {
            byte c = h[i];
            if (c >= '0' && c <= '7') v = v * 8 + (c - '0');
            else if (c == 0 || c == ' ') { if (v > 0) break; }
        }
        return v;
    }

    /** {@code "LEN KEY=VALUE\n"} records; the xattrs among them, values as bytes. */
    private static Map<String, byte[]> records(byte[] data) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int p = 0;
        while (p < data.length) {
            int space = p;
            while (space < data.length && data[space] != ' ') space++;
            if (space >= data.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(data, p, space - p, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                break; // malformed: the tar reader reports it
            }
            int end = p + len;
            if (len <= 0 || end > data.length) break;
            int eq = space + 1;
            while (eq < end && data[eq] != '=') eq++;
            if (eq < end) {
                String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
                if (key.startsWith(PREFIX)) out.put(key.substring(PREFIX.length()), java.util.Arrays.copyOfRange(data, eq + 1, end - 1));
            }
            p = end;
        }
        return out;
    }
}

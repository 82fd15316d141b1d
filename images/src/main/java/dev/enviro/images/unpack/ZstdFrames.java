package dev.enviro.images.unpack;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Walks a zstd stream's frames on its way to the decoder (RFC 8878, without decompressing): refuses a
 * frame whose window the decoder would allocate beyond {@link #MAX_WINDOW} (a 22 KB frame can declare
 * 2 GiB, and layers unpack in parallel), and drops skippable frames (zstd:chunked layers end with one,
 * which the decoder refuses). Headers are read byte by byte; block contents pass through in bulk.
 */
final class ZstdFrames extends FilterInputStream {
    /** zstd's own default decoding limit (its --memory default), as podman's decoder keeps too. */
    static final long MAX_WINDOW = 128L << 20;
    private static final int MAGIC = 0xFD2FB528;

    private enum State { MAGIC, SKIP_SIZE, SKIP_DATA, DESCRIPTOR, WINDOW, DICT, FCS, BLOCK_HEADER, BLOCK_DATA, CHECKSUM }

    private State state = State.MAGIC;
    /** Bytes of the current header field read so far, and their little-endian value. */
    private int got;
    private long value;
    /** Bytes left in the current block, skippable frame or checksum. */
    private long remaining;
    private int descriptor;
    private int dictBytes;
    private int fcsBytes;
    private boolean lastBlock;
    /** Magic bytes held back until it is known whether the frame is skippable (then they are dropped). */
    private final byte[] held = new byte[4];
    private final byte[] raw = new byte[64 * 1024];
    /** What the decoder gets of the last raw read (plus up to 4 held magic bytes), not yet taken. */
    private final byte[] backlog = new byte[64 * 1024 + 4];
    private int backlogAt;
    private int backlogEnd;

    ZstdFrames(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do n = read(one, 0, 1);
        while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (backlogAt == backlogEnd) {
            int n = in.read(raw, 0, raw.length);
            if (n < 0) {
                if (state != State.MAGIC || got != 0) throw new IOException("the layer's zstd stream ends inside a frame");
                return -1;
            }
            backlogAt = 0;
            backlogEnd = walk(raw, n, backlog, 0); // may be 0: all of it was a skippable frame
        }
        int take = Math.min(len, backlogEnd - backlogAt);
        System.arraycopy(backlog, backlogAt, b, off, take);
        backlogAt += take;
        return take;
    }

    @Override
    public long skip(long n) throws IOException {
        return LayerReader.skipByReading(this, n);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Follows {@code n} bytes of {@code src}; copies those the decoder gets to {@code out}; returns how many. */
    private int walk(byte[] src, int n, byte[] out, int off) throws IOException {
        int w = off;
        int i = 0;
        while (i < n) {
            if (state == State.BLOCK_DATA || state == State.SKIP_DATA || state == State.CHECKSUM) {
                int take = (int) Math.min(remaining, n - i);
                if (state != State.SKIP_DATA) {
                    System.arraycopy(src, i, out, w, take);
                    w += take;
                }
                i += take;
                remaining -= take;
                if (remaining == 0) afterData();
                continue;
            }
            byte x = src[i++];
            if (state == State.MAGIC) {
                held[got] = x;
                value |= (long) (x & 0xff) << (8 * got);
                if (++got < 4) continue;
                int magic = (int) value;
                if ((magic & 0xFFFFFFF0) == 0x184D2A50) {
                    state = State.SKIP_SIZE;
                } else if (magic == MAGIC) {
                    System.arraycopy(held, 0, out, w, 4);
                    w += 4;
                    state = State.DESCRIPTOR;
                } else {
                    throw new IOException("the layer's zstd stream has no frame where one should start (magic 0x" + Integer.toHexString(magic) + ")");
                }
                got = 0;
                value = 0;
                continue;
            }
            if (state == State.SKIP_SIZE) {
                value |= (long) (x & 0xff) << (8 * got);
                if (++got == 4) {
                    remaining = value;
                    got = 0;
                    value = 0;
                    state = State.SKIP_DATA;
                    if (remaining == 0) afterData();
                }
                continue;
            }
            out[w++] = x;
            header(x);
        }
        return w - off;
    }

    private void header(byte x) throws IOException {
        switch (state) {
            case DESCRIPTOR -> {
                descriptor = x & 0xff;
                if ((descriptor & 0x08) != 0) throw new IOException("the layer's zstd frame header has its reserved bit set");
                dictBytes = new int[] {0, 1, 2, 4}[descriptor & 3];
                int fcsFlag = descriptor >>> 6;
                boolean single = (descriptor & 0x20) != 0;
                fcsBytes = fcsFlag == 0 ? (single ? 1 : 0) : new int[] {0, 2, 4, 8}[fcsFlag];
                state = single ? next(State.DICT) : State.WINDOW;
            }
            case WINDOW -> {
                int exponent = (x & 0xff) >>> 3, mantissa = x & 7;
                long base = 1L << (10 + exponent);
                window(base + base / 8 * mantissa);
                state = next(State.DICT);
            }
            case DICT -> {
                if (++got == dictBytes) state = next(State.FCS);
            }
            case FCS -> {
                value |= (long) (x & 0xff) << (8 * got);
                if (++got == fcsBytes) {
                    long size = fcsBytes == 2 ? value + 256 : value;
                    if ((descriptor & 0x20) != 0) window(size); // single segment: the whole content is the window
                    state = next(State.BLOCK_HEADER);
                }
            }
            case BLOCK_HEADER -> {
                value |= (long) (x & 0xff) << (8 * got);
                if (++got == 3) {
                    lastBlock = (value & 1) != 0;
                    int type = (int) (value >>> 1) & 3;
                    long size = value >>> 3;
                    if (type == 3) throw new IOException("the layer's zstd stream has a block of the reserved type");
                    remaining = type == 1 ? 1 : size;
                    got = 0;
                    value = 0;
                    state = State.BLOCK_DATA;
                    if (remaining == 0) afterData();
                }
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    /** The state after a header field, skipping fields of zero length. */
    private State next(State s) {
        got = 0;
        value = 0;
        if (s == State.DICT && dictBytes == 0) s = State.FCS;
        if (s == State.FCS && fcsBytes == 0) s = State.BLOCK_HEADER;
        return s;
    }

    private void afterData() {
        if (state == State.SKIP_DATA || state == State.CHECKSUM) {
            state = State.MAGIC;
        } else if (lastBlock) {
            if ((descriptor & 0x04) != 0) {
                state = State.CHECKSUM;
                remaining = 4;
                return;
            }
            state = State.MAGIC;
        } else {
            state = State.BLOCK_HEADER;
        }
        got = 0;
        value = 0;
    }

    private static void window(long bytes) throws IOException {
        if (bytes > MAX_WINDOW) {
            throw new IOException("the layer's zstd frame needs a " + (bytes >> 20) + " MiB window, more than the "
                    + (MAX_WINDOW >> 20) + " MiB this engine decodes with");
        }
    }
}

package dev.enviro.images.unpack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveStructSparse;

/**
 * A file entry's data, written so that a sparse file stays sparse: the holes of a GNU or PAX sparse
 * entry are skipped, never read (the reader would hand them over as zeros, one call per byte), and
 * every file-system block of zeros in the data is left a hole too, so a file of zeros stored plainly
 * costs no disk either. The file's length is set at the end (its last byte written when it ends in a
 * hole). Without a channel the data is only read: the check at load reads what unpacking would.
 */
final class EntryData {
    /** A file-system block: zeros are skipped a block at a time, aligned to the file's offsets. */
    private static final int BLOCK = 4096;
    private static final byte[] ZEROS = new byte[BLOCK];

    private final byte[] buffer;

    EntryData(byte[] buffer) {
        this.buffer = buffer;
    }

    /** Copies the current entry {@code e} of {@code tar} into {@code out} (empty, new), or reads it through when {@code out} is null. */
    void copy(TarArchiveInputStream tar, TarArchiveEntry e, FileChannel out) throws IOException {
        long size = e.getRealSize();
        long pos = 0;
        long end = 0; // where the data written so far ends
        if (e.isSparse()) {
            for (TarArchiveStructSparse chunk : e.getOrderedSparseHeaders()) {
                skipHole(tar, e, chunk.getOffset() - pos);
                pos = chunk.getOffset();
                end = Math.max(end, data(tar, e, out, pos, chunk.getNumbytes()));
                pos += chunk.getNumbytes();
            }
            skipHole(tar, e, size - pos); // the map's end to the file's: zeros
        } else {
            end = data(tar, e, out, 0, size);
        }
        if (out != null && end < size) out.write(ByteBuffer.wrap(new byte[1]), size - 1); // a trailing hole still counts in the length
    }

    /** A hole of a sparse entry, skipped in the reader (its zero stream skips without reading). */
    private static void skipHole(TarArchiveInputStream tar, TarArchiveEntry e, long n) throws IOException {
        while (n > 0) {
            long skipped = tar.skip(n);
            if (skipped <= 0) throw new IOException("entry " + UnsafeEntryException.quote(e.getName()) + ": its sparse map does not match its data");
            n -= skipped;
        }
    }

    /** Copies the regular file {@code in} ({@code size} bytes) into {@code out} (empty, new), its zero blocks left holes. */
    void copy(java.io.InputStream in, String name, long size, FileChannel out) throws IOException {
        long end = data(in, name, out, 0, size);
        if (end < size) out.write(ByteBuffer.wrap(new byte[1]), size - 1);
    }

    /** Copies {@code n} bytes of data that land at {@code offset}; returns where the last non-zero block written ends. */
    private long data(TarArchiveInputStream tar, TarArchiveEntry e, FileChannel out, long offset, long n) throws IOException {
        return data(tar, e.getName(), out, offset, n);
    }

    private long data(java.io.InputStream in, String name, FileChannel out, long offset, long n) throws IOException {
        long end = 0;
        while (n > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
            if (read < 0) throw new IOException("entry " + UnsafeEntryException.quote(name) + " is truncated");
            if (out != null) end = Math.max(end, writeNonZero(out, read, offset));
            offset += read;
            n -= read;
        }
        return end;
    }

    /**
     * Writes {@code buffer[0, length)} at {@code offset}, leaving out the blocks that are all zeros
     * (one positional write per run of blocks with data); returns where the last write ends, 0 if none.
     */
    private long writeNonZero(FileChannel out, int length, long offset) throws IOException {
        long end = 0;
        int run = -1; // start of the run of data being gathered
        for (int i = 0; i < length; ) {
            int next = (int) Math.min(length, i + (BLOCK - (offset + i) % BLOCK));
            boolean zero = Arrays.mismatch(buffer, i, next, ZEROS, 0, next - i) < 0;
            if (!zero && run < 0) run = i;
            if (zero && run >= 0) {
                end = write(out, run, i, offset);
                run = -1;
            }
            i = next;
        }
        if (run >= 0) end = write(out, run, length, offset);
        return end;
    }

    private long write(FileChannel out, int from, int to, long offset) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buffer, from, to - from);
        long at = offset + from;
        while (b.hasRemaining()) at += out.write(b, at);
        return at;
    }
}

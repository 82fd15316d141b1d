package dev.enviro.images.content;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;

/**
 * One blob being written: bytes are hashed as they arrive; {@link #commit} fsyncs, checks the size
 * and digest the writer expects, then renames the file into {@code blobs/sha256/}. Closing an
 * uncommitted ingest deletes it, so a failed load leaves nothing behind.
 */
public final class Ingest implements AutoCloseable {
    /** Dirty bytes after which their writeback is started: the fsync at the end then waits for the tail only. */
    private static final long WRITEBACK_STEP = 8L << 20;

    private final ContentStore store;
    private final Path file;
    private final FileChannel channel;
    private final MessageDigest sha = Digest.sha256();
    private long size;
    /** Bytes whose writeback was started. */
    private long kicked;
    /** A second descriptor of the file for sync_file_range (NIO does not expose a channel's); null until needed or when it cannot be had. */
    private dev.enviro.ffm.Fd writeback;
    private boolean writebackUnavailable;
    private Digest digest;
    private boolean committed;
    private boolean closed;

    Ingest(ContentStore store, Path file, FileChannel channel) {
        this.store = store;
        this.file = file;
        this.channel = channel;
    }

    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (digest != null) throw new IllegalStateException("ingest " + file + " is already finished");
        sha.update(bytes, offset, length);
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        while (buffer.hasRemaining()) channel.write(buffer);
        size += length;
        if (size - kicked >= WRITEBACK_STEP) startWriteback();
    }

    /** Layers are large: their pages go to disk while the download goes on, not all in the final fsync. */
    private void startWriteback() {
        if (writebackUnavailable) return;
        try {
            if (writeback == null) writeback = dev.enviro.ffm.Files.open(file, dev.enviro.ffm.Files.O_RDONLY | dev.enviro.ffm.Files.O_CLOEXEC, 0);
            dev.enviro.ffm.Files.syncFileRange(writeback, kicked, size - kicked, dev.enviro.ffm.Files.SYNC_FILE_RANGE_WRITE);
            kicked = size;
        } catch (dev.enviro.ffm.SyscallException e) {
            writebackUnavailable = true; // only a head start is lost: finish() still fsyncs everything
        }
    }

    /** Copies {@code in} to its end into this ingest. */
    public Ingest copyFrom(InputStream in) throws IOException {
        byte[] buffer = new byte[128 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) write(buffer, 0, n);
        return this;
    }

    /** An OutputStream view, for writers (JSON, tar) that want one. */
    public OutputStream stream() {
        return new OutputStream() {
            @Override public void write(int b) throws IOException { Ingest.this.write(new byte[] {(byte) b}, 0, 1); }
            @Override public void write(byte[] b, int off, int len) throws IOException { Ingest.this.write(b, off, len); }
        };
    }

    /** Ends the write: the data is fsynced and its digest is known. Idempotent. */
    public Digest finish() throws IOException {
        if (digest == null) {
            channel.force(true);
            if (writeback != null) writeback.close();
            digest = Digest.of(sha);
        }
        return digest;
    }

    public long size() {
        return size;
    }

    /** Reads the finished, not yet committed blob back (a loader checks what it staged before committing it). */
    public InputStream open() throws IOException {
        if (digest == null) throw new IllegalStateException("ingest " + file + " is not finished");
        return Files.newInputStream(file);
    }

    /**
     * Checks that this blob is {@code expected} ({@code expectedSize} bytes, or any size when
     * negative), without committing it yet: loaders verify everything before anything becomes visible.
     */
    public void verify(Digest expected, long expectedSize) throws EnviroError {
        Digest actual;
        try {
            actual = finish();
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "blob " + expected + ": cannot write " + file + ": " + e.getMessage(), e);
        }
        if (expectedSize >= 0 && size != expectedSize) {
            throw new EnviroError(ErrorCode.CORRUPT,
                    "blob " + expected + " has " + size + " bytes, its descriptor says " + expectedSize);
        }
        if (!actual.equals(expected)) {
            throw new EnviroError(ErrorCode.CORRUPT, "blob " + expected + " has digest " + actual);
        }
    }

    /**
     * Verifies, then renames into place. A blob that is already there is not an error: content is
     * addressed by its digest, so the two are the same bytes.
     */
    public void commit(Digest expected, long expectedSize) throws EnviroError {
        verify(expected, expectedSize);
        if (committed) return;
        try {
            channel.close();
            Path target = store.path(expected);
            if (Files.exists(target)) {
                Files.delete(file);
            } else {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                try (FileChannel dir = FileChannel.open(store.blobsDir(), StandardOpenOption.READ)) {
                    dir.force(true); // the rename itself must survive a crash
                }
            }
            committed = true;
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "blob " + expected + ": cannot commit: " + e.getMessage(), e);
        }
    }

    /** Aborts an uncommitted ingest (deletes its partial file). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (writeback != null) writeback.close();
        try {
            channel.close();
            if (!committed) Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover ingest file is removed when the store is next opened.
        }
    }
}

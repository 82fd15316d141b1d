package dev.enviro.images;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded hand-over of byte chunks from one writing thread to one reading thread. The writer never
 * blocks for good: once the reader has stopped ({@link #stopReading}) writes are dropped. A
 * {@link #fail} makes the reader's next read throw.
 */
final class ChunkPipe {
    private static final byte[] END = new byte[0];
    private final BlockingQueue<byte[]> chunks;
    private volatile boolean readerGone;
    private volatile String failure;

    ChunkPipe(int capacityChunks) {
        chunks = new ArrayBlockingQueue<>(capacityChunks);
    }

    void write(byte[] bytes, int offset, int length) {
        if (length > 0) put(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /** No more bytes: the reader sees the end of the stream once it has read what is queued. */
    void end() {
        put(END);
    }

    /** The reader's next read fails with {@code why}. */
    void fail(String why) {
        failure = why;
        chunks.offer(END); // wakes a waiting reader; if the queue is full it sees the failure on its next take
    }

    void stopReading() {
        readerGone = true;
        chunks.clear();
    }

    private void put(byte[] chunk) {
        try {
            while (!readerGone && !chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                // waiting for the reader, who might have stopped meanwhile
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    InputStream input() {
        return new InputStream() {
            private byte[] current = new byte[0];
            private int at;
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                while (at == current.length) {
                    if (failure != null) throw new IOException(failure);
                    if (ended) return -1;
                    try {
                        current = chunks.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("unpacking interrupted");
                    }
                    at = 0;
                    if (current == END) {
                        current = new byte[0];
                        if (failure != null) throw new IOException(failure);
                        ended = true;
                    }
                }
                int n = Math.min(len, current.length - at);
                System.arraycopy(current, at, b, off, n);
                at += n;
                return n;
            }
        };
    }
}

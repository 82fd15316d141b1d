package dev.enviro.daemon.relay;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One relay's socket, seen from the engine: frames are written by whichever thread has something to
 * say (one at a time), and requests to the relay (open, read, write a file; read stdin) wait for the
 * reply that carries their id, which {@link #complete} hands over from the session's reading thread.
 */
final class RelayConnection {

    /** A relay's answer: a result (a fd, a count, 0) or -errno, and data or the errno's text. */
    record Reply(long result, byte[] data) {}

    private final SocketChannel channel;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();
    private volatile boolean closed;

    RelayConnection(SocketChannel channel) {
        this.channel = channel;
    }

    /** Sends one frame; false when the relay is gone (the command goes on until it notices). */
    boolean send(byte type, byte[]... parts) {
        ByteBuffer frame = RelayFrames.encode(type, parts);
        synchronized (channel) {
            try {
                while (frame.hasRemaining()) channel.write(frame);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /**
     * Asks the relay to do something with the caller's rights and waits for its answer. A failure the
     * relay reports is the NIO exception a local call would have thrown ({@code what} names the file).
     */
    Reply request(byte type, String what, byte[]... parts) throws IOException {
        int id = ids.incrementAndGet();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        waiting.put(id, reply);
        byte[][] framed = new byte[parts.length + 1][];
        framed[0] = RelayFrames.ints(id);
        System.arraycopy(parts, 0, framed, 1, parts.length);
        try {
            if (closed || !send(type, framed)) throw new IOException(what + ": the enviro command that asked has gone");
            Reply r = reply.get();
            if (r.result() < 0) throw failure((int) -r.result(), what, new String(r.data(), StandardCharsets.UTF_8));
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + ": interrupted");
        } catch (ExecutionException e) {
            throw new IOException(what + ": the enviro command that asked has gone", e.getCause());
        } finally {
            waiting.remove(id);
        }
    }

    private static IOException failure(int errno, String what, String reason) {
        return switch (errno) {
            case 2 -> new NoSuchFileException(what);   // ENOENT
            case 13 -> new AccessDeniedException(what); // EACCES
            case 17 -> new FileAlreadyExistsException(what); // EEXIST
            default -> new IOException(what + ": " + reason);
        };
    }

    /** A REPLY frame: u32 id, i64 result, data. */
    void complete(ByteBuffer payload) {
        int id = payload.getInt();
        long result = payload.getLong();
        CompletableFuture<Reply> reply = waiting.get(id);
        if (reply != null) reply.complete(new Reply(result, RelayFrames.bytes(payload)));
    }

    /** The relay is gone: every request still waiting fails, and any later one. */
    void closed() {
        closed = true;
        abandonRequests();
    }

    /** The command is being ended: requests waiting for the relay (a read of stdin) fail now. */
    void abandonRequests() {
        IOException ended = new IOException("the command was ended");
        waiting.values().forEach(f -> f.completeExceptionally(ended));
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket the relay already closed
        }
    }
}

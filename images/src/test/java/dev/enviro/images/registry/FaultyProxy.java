package dev.enviro.images.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a registry that misbehaves where an answer exceeds {@code threshold} bytes:
 * it cuts the connection there, on the first such answer only ({@link Fault#CUT}); flips one byte and
 * goes on ({@link Fault#FLIP}); or passes nothing more but holds the connection open for as long as the
 * proxy runs ({@link Fault#STALL}), so that a large layer never finishes downloading while small blobs do.
 * It counts the faults it injected and notes Range requests. Public for the end-to-end tests.
 */
public final class FaultyProxy implements AutoCloseable {
    public enum Fault { CUT, FLIP, STALL }

    private final ServerSocket server;
    private final int target;
    private final Fault fault;
    private final long threshold;
    private final AtomicBoolean cutDone = new AtomicBoolean();
    public final AtomicInteger rangeRequests = new AtomicInteger();
    public final AtomicInteger faults = new AtomicInteger();

    public FaultyProxy(int target, Fault fault, long threshold) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.fault = fault;
        this.threshold = threshold;
        Thread.ofVirtual().start(this::accept);
    }

    public String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                Thread.ofVirtual().start(() -> pump(client, upstream, true));
                Thread.ofVirtual().start(() -> pump(upstream, client, false));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean request) {
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        try (from; to; InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (request) {
                    if (new String(buffer, 0, n, StandardCharsets.ISO_8859_1).toLowerCase().contains("\nrange: bytes=")) rangeRequests.incrementAndGet();
                } else if (total + n > threshold && total <= threshold) {
                    int at = (int) (threshold - total);
                    if (fault == Fault.STALL || fault == Fault.CUT && cutDone.compareAndSet(false, true)) {
                        out.write(buffer, 0, at);
                        out.flush();
                        faults.incrementAndGet();
                        // A stalled answer is held open, silent, so the client waits rather than retrying.
                        while (fault == Fault.STALL && !server.isClosed()) Thread.sleep(100);
                        return; // closes both sides mid-answer
                    }
                    if (fault == Fault.FLIP) {
                        buffer[at] ^= 0x20;
                        faults.incrementAndGet();
                    }
                }
                total += n;
                out.write(buffer, 0, n);
            }
        } catch (IOException | InterruptedException ignored) {
            // The other side closed; closing ours ends the pair.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

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
 * A TCP proxy in front of a registry that misbehaves once: on the first connection whose answer
 * exceeds {@code threshold} bytes it either cuts the connection there ({@link Fault#CUT}) or flips
 * one byte and goes on ({@link Fault#FLIP}, in every such answer). It notes Range requests.
 */
final class FaultyProxy implements AutoCloseable {
    enum Fault { CUT, FLIP }

    private final ServerSocket server;
    private final int target;
    private final Fault fault;
    private final long threshold;
    private final AtomicBoolean cutDone = new AtomicBoolean();
    final AtomicInteger rangeRequests = new AtomicInteger();
    final AtomicInteger faults = new AtomicInteger();

    FaultyProxy(int target, Fault fault, long threshold) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.fault = fault;
        this.threshold = threshold;
        Thread.ofVirtual().start(this::accept);
    }

    String host() {
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
                    if (fault == Fault.CUT && cutDone.compareAndSet(false, true)) {
                        out.write(buffer, 0, at);
                        out.flush();
                        faults.incrementAndGet();
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
        } catch (IOException ignored) {
            // The other side closed; closing ours ends the pair.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

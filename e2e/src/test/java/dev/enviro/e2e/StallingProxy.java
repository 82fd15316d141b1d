package dev.enviro.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a registry that passes every answer up to {@code threshold} bytes, then
 * holds the rest back for as long as it runs: a layer larger than that never finishes downloading,
 * smaller blobs do. Lets a test kill the engine in the middle of a pull.
 */
final class StallingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final long threshold;
    final AtomicInteger stalled = new AtomicInteger();

    StallingProxy(int target, long threshold) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
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
                Thread.ofVirtual().start(() -> pump(client, upstream, Long.MAX_VALUE));
                Thread.ofVirtual().start(() -> pump(upstream, client, threshold));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, long limit) {
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        try (from; to; InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (total + n > limit) {
                    out.write(buffer, 0, (int) (limit - total));
                    out.flush();
                    stalled.incrementAndGet();
                    while (!server.isClosed()) Thread.sleep(100); // hold the connection open, send nothing more
                    return;
                }
                total += n;
                out.write(buffer, 0, n);
            }
        } catch (IOException | InterruptedException ignored) {
            // one side closed: closing ours ends the pair
        }
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

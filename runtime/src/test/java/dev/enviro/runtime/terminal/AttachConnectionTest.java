package dev.enviro.runtime.terminal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frames the monitor reads (terminal.h), over a real unix socket whose path is longer than sun_path. */
class AttachConnectionTest {

    @TempDir Path tmp;

    @Test
    void framesInputResizeAndCloseThroughALongPath() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("d".repeat(60)).resolve("e".repeat(60)));
        Path socket = dir.resolve("attach.sock");
        assertTrue(socket.toString().length() > 108, "the test needs a path sun_path cannot hold");
        // the test's own bind goes through a short symlink to the directory (the monitor uses its dir fd)
        Path link = Path.of("/tmp", "enviro-att-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createSymbolicLink(link, dir);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(link.resolve("attach.sock")));
            byte[] input = new byte[40000];
            Arrays.fill(input, (byte) 'x');
            try (AttachConnection c = AttachConnection.open(socket); SocketChannel peer = server.accept()) {
                c.stdin(input, 0, input.length);
                c.resize(30, 100);
                c.closeStdin();
                c.close();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(65536);
                while (peer.read(buf.clear()) > 0) got.write(buf.array(), 0, buf.position());
                ByteArrayOutputStream want = new ByteArrayOutputStream();
                want.write(new byte[] {1, 0, (byte) 0x80, 0, 0});
                want.write(input, 0, 32768);
                want.write(new byte[] {1, 0x40, 0x1c, 0, 0}); // 7232 = 0x1c40
                want.write(input, 0, 7232);
                want.write(new byte[] {2, 4, 0, 0, 0, 30, 0, 100, 0});
                want.write(new byte[] {3, 0, 0, 0, 0});
                assertArrayEquals(want.toByteArray(), got.toByteArray());
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(link);
        }
    }

    @Test
    void refusesImpossibleWindowSizes() throws Exception {
        Path socket = tmp.resolve("a.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            try (AttachConnection c = AttachConnection.open(socket)) {
                assertThrows(IllegalArgumentException.class, () -> c.resize(0, 80));
                assertThrows(IllegalArgumentException.class, () -> c.resize(24, 70000));
            }
        }
    }
}

package dev.enviro.daemon;


import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EngineAddress;

import dev.enviro.grpc.EnviroClient;

import static org.junit.jupiter.api.Assertions.*;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Claiming the socket: one engine per socket, stale files cleared, and what a client sees with none. */
@Timeout(30)
class UnixSocketServerTest {

    @TempDir Path dir;

    @Test
    void aSecondEngineOnTheSameSocketIsRefused() throws Exception {
        EngineAddress address = new EngineAddress(dir.resolve("enviro.sock"));
        try (EnviroDaemon first = EnviroDaemon.serve(new RecordingEngine(dir), LogSource.criFiles(), address, dir)) {
            EnviroError e = assertThrows(EnviroError.class,
                    () -> EnviroDaemon.serve(new RecordingEngine(dir), LogSource.criFiles(), address, dir));
            assertEquals("another Enviro engine is already listening on unix://" + dir.resolve("enviro.sock")
                    + ": stop it first, or give this one another --host", e.getMessage());
            try (EnviroClient client = EnviroClient.connect(address)) {
                assertEquals(0, client.list(true).size(), "the first engine still serves");
            }
        }
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        Path socket = dir.resolve("enviro.sock");
        // Bound and closed without unlinking: what a killed engine leaves behind.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        try (EnviroDaemon daemon = EnviroDaemon.serve(new RecordingEngine(dir), LogSource.criFiles(), new EngineAddress(socket), dir);
             EnviroClient client = EnviroClient.connect(daemon.address())) {
            assertEquals(0, client.list(false).size());
        }
    }

    @Test
    void aRegularFileInTheWayIsNotDeleted() throws Exception {
        Path socket = Files.writeString(dir.resolve("enviro.sock"), "precious");
        EnviroError e = assertThrows(EnviroError.class,
                () -> EnviroDaemon.serve(new RecordingEngine(dir), LogSource.criFiles(), new EngineAddress(socket), dir));
        assertEquals(socket + " exists and is not a socket: remove it or choose another --host", e.getMessage());
        assertEquals("precious", Files.readString(socket));
    }

    @Test
    void noEngineListeningSaysHowToStartOne() {
        EngineAddress address = new EngineAddress(dir.resolve("missing.sock"));
        try (EnviroClient client = EnviroClient.connect(address)) {
            EnviroError e = assertThrows(EnviroError.class, () -> client.list(true));
            assertTrue(e.is(ErrorCode.UNREACHABLE));
            assertEquals(125, e.exitCode());
            assertEquals("cannot reach the Enviro engine at unix://" + dir.resolve("missing.sock")
                    + " (connect: No such file or directory). Start one with 'enviro daemon' (or set ENVIRO_HOST).",
                    e.getMessage());
        }
    }

    @Test
    void aDeadEngineSocketIsConnectionRefused() throws Exception {
        Path socket = dir.resolve("dead.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        try (EnviroClient client = EnviroClient.connect(new EngineAddress(socket))) {
            EnviroError e = assertThrows(EnviroError.class, () -> client.list(true));
            assertTrue(e.getMessage().contains("(connect: Connection refused)"), e.getMessage());
        }
    }
}

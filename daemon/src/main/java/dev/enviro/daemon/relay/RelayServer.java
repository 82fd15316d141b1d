package dev.enviro.daemon.relay;

import dev.enviro.grpc.EnviroClient;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's CLI socket ({@code <engine socket>.cli}): each connection is one {@code enviro} command
 * line from the native relay, run here by the same picocli verbs a JVM of its own would run, talking
 * to the engine over an in-process channel. Who connected is the kernel's word ({@code SO_PEERCRED}),
 * never the relay's; access is the socket's mode, as for the API socket beside it.
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final AtomicInteger sessions;

    private RelayServer(Path socket, ServerSocketChannel server, Supplier<EnviroClient> engine, AtomicInteger sessions) {
        this.socket = socket;
        this.sessions = sessions;
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("enviro-relay-accept").daemon().unstarted(() -> accept(engine));
    }

    /**
     * Listens on {@code socket} (a stale file there is replaced: the engine's own address is claimed
     * already), with the file mode {@code mode}; {@code sessions} counts the command lines running.
     */
    public static RelayServer bind(Path socket, String mode, Supplier<EnviroClient> engine, AtomicInteger sessions) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        RelayServer relay = new RelayServer(socket, server, engine, sessions);
        relay.acceptor.start();
        return relay;
    }

    private void accept(Supplier<EnviroClient> engine) {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                log.warn("the CLI socket {} failed to accept: {}", socket, e.getMessage());
                continue;
            }
            sessions.incrementAndGet();
            Thread.ofVirtual().name("enviro-relay").start(() -> {
                try {
                    new RelaySession(channel, peer(channel), engine).run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    sessions.decrementAndGet();
                }
            });
        }
    }

    private static String peer(SocketChannel channel) {
        try {
            UnixDomainPrincipal who = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return who.user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "(unknown peer)";
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // a stale socket file is replaced by the next engine
        }
    }
}

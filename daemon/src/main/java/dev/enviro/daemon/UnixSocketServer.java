package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EngineAddress;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC API on a unix socket, through grpc-java's Netty epoll transport (pekko-http cannot bind
 * one, apache/pekko#3043). Access is the socket's file mode: 0600, so only the engine's own user may
 * drive it, as Docker's 0660 root:docker socket does for its group. A TCP listener with TLS is to come.
 */
public final class UnixSocketServer implements AutoCloseable {

    private final EngineAddress address;
    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService calls;

    private UnixSocketServer(EngineAddress address, Server server, EventLoopGroup boss, EventLoopGroup workers, ExecutorService calls) {
        this.address = address;
        this.server = server;
        this.boss = boss;
        this.workers = workers;
        this.calls = calls;
    }

    /**
     * Fails when another engine answers on the socket; removes a stale socket file a dead engine left.
     * Called before the engine is built, so a second daemon says so before it touches the state directory.
     */
    public static void claim(EngineAddress address) throws EnviroError {
        Path socket = address.socket();
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(socket)) {
            throw new EnviroError(ErrorCode.CONFLICT, socket + " exists and is not a socket: remove it or choose another --host");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new EnviroError(ErrorCode.CONFLICT, "another Enviro engine is already listening on " + address
                    + ": stop it first, or give this one another --host");
        } catch (ConnectException refused) {
            // Nobody accepts on it: a dead engine's socket file.
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new EnviroError(ErrorCode.INTERNAL, "cannot remove the stale socket " + socket + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot check whether an engine listens on " + address + ": " + reason(e), e);
        }
    }

    /** Binds {@code address} (after {@link #claim}) and serves {@code services}. */
    public static UnixSocketServer bind(EngineAddress address, BindableService... services) throws EnviroError {
        Path socket = address.socket();
        createParent(socket.getParent());
        claim(address);
        EventLoopGroup boss = new EpollEventLoopGroup(1);
        EventLoopGroup workers = new EpollEventLoopGroup(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
        // Handlers only map messages and hand work to the engine; virtual threads keep a slow one harmless.
        ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                // gRPC asks TCP keep-alive of every accepted connection; a unix socket has none, and
                // Netty would log a warning per client connection.
                .withChildOption(ChannelOption.SO_KEEPALIVE, null)
                .maxInboundMessageSize(dev.enviro.grpc.ApiLimits.MAX_REQUEST_BYTES)
                .executor(calls);
        for (BindableService service : services) {
            builder.addService(service);
        }
        Server server = builder.build();
        try {
            server.start();
            // Between bind and chmod the socket has the umask's mode; the 0700 parent (ours by
            // default) closes that window for everyone else.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            server.shutdownNow();
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            calls.shutdownNow();
            throw new EnviroError(ErrorCode.INTERNAL, "cannot listen on " + address + ": " + reason(e), e);
        }
        return new UnixSocketServer(address, server, boss, workers, calls);
    }

    private static void createParent(Path dir) throws EnviroError {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // createDirectory applies the umask; set the mode explicitly.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // Another process made it between the check and here: use it as it is.
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot create the socket directory " + dir + ": " + reason(e), e);
        }
    }

    private static boolean isSocket(Path path) {
        try {
            // mode bits S_IFSOCK = 0140000
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    public EngineAddress address() {
        return address;
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Stops accepting, lets calls in flight end for a moment, then cuts them; removes the socket file. */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        calls.shutdownNow();
        try {
            Files.deleteIfExists(address.socket());
        } catch (IOException ignored) {
            // A socket file left behind is stale and the next daemon removes it.
        }
    }
}

package dev.enviro.bench;

import dev.enviro.grpc.v1.ContainerSpec;
import dev.enviro.grpc.v1.EnviroGrpc;
import dev.enviro.grpc.v1.RunEvent;
import dev.enviro.grpc.v1.RunRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The engine's API as a long-lived client sees it: one {@code Run} RPC with auto-remove over a
 * channel that stays connected between calls, so neither a JVM start nor a connection set-up is
 * measured. The call ends at the stream's {@code exit} event, which the engine sends after the
 * container's last output.
 */
public final class GrpcRun implements Variant {

    private static final long CALL_DEADLINE_SECONDS = 60;

    private final EventLoopGroup eventLoop;
    private final ManagedChannel channel;
    private final EnviroGrpc.EnviroBlockingStub stub;
    private final String image;
    private final List<String> command;

    @SuppressWarnings("deprecation") // EpollEventLoopGroup: the shaded Netty's own way to pair with EpollDomainSocketChannel
    public GrpcRun(Path socket, String image, List<String> command) {
        this.eventLoop = new EpollEventLoopGroup(1);
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(eventLoop)
                .usePlaintext()
                .overrideAuthority("localhost")
                .build();
        this.stub = EnviroGrpc.newBlockingStub(channel);
        this.image = image;
        this.command = List.copyOf(command);
    }

    @Override
    public VariantKind kind() {
        return VariantKind.API;
    }

    @Override
    public void runOnce(int round) throws VariantFailure {
        RunRequest request = RunRequest.newBuilder()
                .setSpec(ContainerSpec.newBuilder().setImage(image).addAllCommand(command).setAutoRemove(true))
                .build();
        try {
            Iterator<RunEvent> events = stub.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS).run(request);
            while (events.hasNext()) {
                RunEvent event = events.next();
                if (event.hasExit()) {
                    int code = event.getExit().getCode();
                    if (code != 0) throw new VariantFailure(kind(), round, "the container exited with " + code);
                    drain(events);
                    return;
                }
            }
            throw new VariantFailure(kind(), round, "the Run stream ended without an exit event");
        } catch (StatusRuntimeException e) {
            String description = e.getStatus().getDescription();
            throw new VariantFailure(kind(), round, e.getStatus().getCode() + (description == null ? "" : ": " + description), e);
        }
    }

    // The exit event is the stream's last; reading to the end lets the call complete rather than be cancelled.
    private static void drain(Iterator<RunEvent> events) {
        while (events.hasNext()) events.next();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}

package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EngineAddress;

import dev.enviro.grpc.EnviroClient;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The engine's API served in-process, for the CLI the engine runs on behalf of the native relay: the
 * same service, interceptors and error mapping as on the socket, without a socket, HTTP/2 or copies.
 */
final class InProcessApi implements AutoCloseable {

    private final Server server;
    private final ManagedChannel channel;
    private final ExecutorService calls;
    private final EngineAddress address;

    private InProcessApi(Server server, ManagedChannel channel, ExecutorService calls, EngineAddress address) {
        this.server = server;
        this.channel = channel;
        this.calls = calls;
        this.address = address;
    }

    static InProcessApi start(EngineAddress address, ServerServiceDefinition api) throws EnviroError {
        String name = "enviro-" + address.socket();
        ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
        Server server = InProcessServerBuilder.forName(name).executor(calls)
                .maxInboundMessageSize(dev.enviro.grpc.ApiLimits.MAX_REQUEST_BYTES).addService(api).build();
        try {
            server.start();
        } catch (IOException e) {
            calls.shutdownNow();
            throw new EnviroError(ErrorCode.INTERNAL, "cannot serve the API in-process: " + e.getMessage(), e);
        }
        ManagedChannel channel = InProcessChannelBuilder.forName(name).executor(calls).build();
        return new InProcessApi(server, channel, calls, address);
    }

    EnviroClient client() {
        return EnviroClient.over(channel, address);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        try {
            server.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        calls.shutdownNow();
    }
}

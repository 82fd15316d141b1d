package dev.enviro.bench;

import dev.enviro.grpc.EngineAddress;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.ContainerSpec;
import dev.enviro.grpc.v1.EnviroGrpc;
import dev.enviro.grpc.v1.RunEvent;
import dev.enviro.grpc.v1.RunRequest;
import io.grpc.StatusRuntimeException;
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

    private final EnviroClient client;
    private final EnviroGrpc.EnviroBlockingStub stub;
    private final String image;
    private final List<String> command;

    public GrpcRun(Path socket, String image, List<String> command) {
        this.client = EnviroClient.connect(new EngineAddress(socket));
        this.stub = EnviroGrpc.newBlockingStub(client.channel());
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
        client.close();
    }
}

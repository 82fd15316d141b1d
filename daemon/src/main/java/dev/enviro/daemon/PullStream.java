package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.actors.Engine;
import dev.enviro.grpc.v1.LayerProgress;
import dev.enviro.grpc.v1.PullRequest;
import dev.enviro.grpc.v1.PullUpdate;
import dev.enviro.images.PullEvent;
import dev.enviro.images.registry.Credentials;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@code Pull} call: the engine's pull events become {@link PullUpdate}s. Layers download on
 * several threads, so sending is serialized here; byte progress is sent at most every
 * {@link #INTERVAL_NANOS} per layer (a terminal redraws no faster), completions always.
 */
final class PullStream {
    private static final long INTERVAL_NANOS = 100_000_000L;

    private final ServerCallStreamObserver<PullUpdate> out;
    private final Map<String, Long> lastSent = new HashMap<>();
    private boolean finished;

    private PullStream(StreamObserver<PullUpdate> out) {
        this.out = (ServerCallStreamObserver<PullUpdate>) out;
    }

    static void serve(Engine engine, PullRequest request, StreamObserver<PullUpdate> observer) {
        PullStream stream = new PullStream(observer);
        if (request.getReference().isBlank()) {
            stream.fail(new dev.enviro.errors.EnviroError(dev.enviro.errors.ErrorCode.INVALID_ARGUMENT,
                    "an image reference is required, e.g. 'enviro pull busybox'"));
            return;
        }
        Credentials credentials = request.getUsername().isEmpty() ? null : new Credentials(request.getUsername(), request.getPassword());
        String platform = request.getPlatform().isEmpty() ? null : request.getPlatform();
        engine.pull(request.getReference(), platform, credentials, stream::event).whenComplete((image, failure) -> {
            if (failure != null) stream.fail(failure);
            else stream.done(PullUpdate.newBuilder().setDone(ApiMessages.image(image)).build());
        });
    }

    private synchronized void event(PullEvent event) {
        if (finished || out.isCancelled()) return;
        PullUpdate update = switch (event) {
            case PullEvent.Status s -> PullUpdate.newBuilder().setStatus(s.message()).build();
            case PullEvent.Resolved r -> {
                PullUpdate.Builder b = PullUpdate.newBuilder().setStatus("Resolved " + r.manifestDigest());
                yield b.build();
            }
            case PullEvent.LayerProgress p -> {
                long now = System.nanoTime();
                Long last = lastSent.get(p.digest());
                if (last != null && now - last < INTERVAL_NANOS && p.bytes() < p.total()) yield null;
                lastSent.put(p.digest(), now);
                yield layer(p.digest(), p.bytes(), p.total(), false, false);
            }
            case PullEvent.LayerDone d -> layer(d.digest(), d.size(), d.size(), true, d.existed());
        };
        if (update != null) out.onNext(update);
    }

    private static PullUpdate layer(String digest, long bytes, long total, boolean complete, boolean existed) {
        return PullUpdate.newBuilder().setLayer(LayerProgress.newBuilder().setDigest(digest).setBytes(bytes).setTotal(total)
                .setComplete(complete).setExisted(existed)).build();
    }

    private synchronized void done(PullUpdate last) {
        if (finished || out.isCancelled()) return;
        finished = true;
        out.onNext(last);
        out.onCompleted();
    }

    private synchronized void fail(Throwable t) {
        if (finished || out.isCancelled()) return;
        finished = true;
        out.onError(ApiStatus.of(t, "Pull"));
    }
}

package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.grpc.Timestamps;

import dev.enviro.actors.ContainerStats;
import dev.enviro.actors.ContainerView;
import dev.enviro.actors.Engine;
import dev.enviro.grpc.v1.StatsRequest;
import dev.enviro.grpc.v1.StatsResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One {@code Stats} call, on a virtual thread: each container is sampled (its cgroup files are read
 * through the engine's io_uring queue) and one message carries them all, at once and then every
 * second. CPU % is over the span since the sample before; the first message's, having none, is the
 * average since the container started (podman's answer, where docker makes {@code --no-stream} wait
 * a second for a second sample).
 */
final class StatsStream {
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Engine engine;
    private final StatsRequest request;
    private final ServerCallStreamObserver<StatsResponse> out;
    private final Map<String, ContainerStats> previous = new HashMap<>();
    private final long hostMemory;

    private StatsStream(Engine engine, StatsRequest request, StreamObserver<StatsResponse> out) {
        this.engine = engine;
        this.request = request;
        this.out = (ServerCallStreamObserver<StatsResponse>) out;
        this.hostMemory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    static void serve(Engine engine, StatsRequest request, StreamObserver<StatsResponse> observer) {
        StatsStream stream = new StatsStream(engine, request, observer);
        Thread.ofVirtual().name("stats").start(stream::run);
    }

    private void run() {
        try {
            while (!out.isCancelled()) {
                StatsResponse response = sample();
                if (out.isCancelled()) return;
                out.onNext(response);
                if (request.getNoStream()) break;
                Thread.sleep(INTERVAL);
            }
            if (!out.isCancelled()) out.onCompleted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!out.isCancelled()) out.onError(ApiStatus.of(e, "Stats"));
        }
    }

    /** One round over the containers; named ones that are not running fail the call, listed ones that just exited are skipped. */
    private StatsResponse sample() {
        boolean all = request.getRefsCount() == 0;
        List<String> refs = all ? engine.list(false).toCompletableFuture().join().stream().map(ContainerView::id).toList()
                : request.getRefsList();
        StatsResponse.Builder b = StatsResponse.newBuilder();
        List<String> seen = new ArrayList<>();
        for (String ref : refs) {
            ContainerStats now;
            try {
                now = engine.stats(ref).toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException || e instanceof CompletionException ? e.getCause() : e;
                if (all && cause instanceof EnviroError) continue;
                throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
            }
            String id = now.container().id();
            seen.add(id);
            b.addStats(message(now, previous.put(id, now)));
        }
        previous.keySet().retainAll(seen);
        return b.build();
    }

    private dev.enviro.grpc.v1.ContainerStats message(ContainerStats now, ContainerStats before) {
        var u = now.usage();
        return dev.enviro.grpc.v1.ContainerStats.newBuilder()
                .setId(now.container().id())
                .setName(now.container().name())
                .setCpuPercent(before != null ? cpuPercent(before.usage().cpuNanos(), before.usage().sampledAt(), u.cpuNanos(), u.sampledAt())
                        : now.container().startedAt() != null ? cpuPercent(0, now.container().startedAt(), u.cpuNanos(), u.sampledAt()) : 0)
                .setCpuNanos(u.cpuNanos())
                .setMemoryBytes(u.memoryBytes())
                .setMemoryLimit(u.memoryLimit() > 0 && u.memoryLimit() < hostMemory ? u.memoryLimit() : hostMemory)
                .setPids(u.pids())
                .setPidsLimit(u.pidsLimit())
                .setTime(Timestamps.timestamp(u.sampledAt()))
                .build();
    }

    /** CPU time over wall time × 100: one busy core is 100, two are 200 (Docker's per-core semantics). */
    static double cpuPercent(long cpuBefore, Instant before, long cpuNow, Instant now) {
        long wall = Duration.between(before, now).toNanos();
        if (wall <= 0 || cpuNow < cpuBefore) return 0;
        return (cpuNow - cpuBefore) * 100.0 / wall;
    }
}

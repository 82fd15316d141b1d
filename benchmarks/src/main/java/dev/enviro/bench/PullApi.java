package dev.enviro.bench;

import dev.enviro.grpc.EngineAddress;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.EnviroGrpc;
import dev.enviro.grpc.v1.LayerProgress;
import dev.enviro.grpc.v1.PruneImagesRequest;
import dev.enviro.grpc.v1.PullRequest;
import dev.enviro.grpc.v1.PullUpdate;
import dev.enviro.grpc.v1.RemoveImageRequest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code enviro-pull-api}: the Pull RPC from a warm JVM over one open channel, so the CLI's JVM start
 * is not measured. Between rounds the image is removed and the store pruned through the API, so each
 * pull starts from an empty store. Prints {@code enviro-pull-api MS} per round on stdout, and on
 * stderr where the time went as the progress stream shows it: resolving (until the first layer
 * event), each layer's first and last byte and its commit, and the tail (last commit to {@code done}).
 *
 * <pre>java -cp ... dev.enviro.bench.PullApi SOCKET REF ROUNDS</pre>
 */
public final class PullApi {
    private PullApi() {}

    public static void main(String[] args) throws Exception {
        String socket = args[0], ref = args[1];
        int rounds = Integer.parseInt(args[2]);
        try (EnviroClient client = EnviroClient.connect(new EngineAddress(java.nio.file.Path.of(socket)))) {
            EnviroGrpc.EnviroBlockingStub stub = EnviroGrpc.newBlockingStub(client.channel());
            for (int r = 0; r <= rounds; r++) { // round 0 warms the JVM and the engine's code paths
                long t0 = System.nanoTime();
                long resolved = -1;
                Map<String, long[]> layers = new LinkedHashMap<>(); // first byte, last byte, complete (ns since t0)
                Iterator<PullUpdate> updates = stub.withDeadlineAfter(300, TimeUnit.SECONDS).pull(PullRequest.newBuilder().setReference(ref).build());
                long done = -1;
                while (updates.hasNext()) {
                    PullUpdate u = updates.next();
                    long t = System.nanoTime() - t0;
                    if (u.hasLayer()) {
                        LayerProgress l = u.getLayer();
                        if (resolved < 0) resolved = t;
                        long[] times = layers.computeIfAbsent(l.getDigest(), d -> new long[] {-1, -1, -1});
                        if (l.getBytes() > 0 && times[0] < 0) times[0] = t;
                        if (l.getBytes() > 0 && !l.getComplete()) times[1] = t;
                        if (l.getComplete()) times[2] = t;
                    } else if (u.hasDone()) {
                        done = t;
                    }
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                stub.removeImage(RemoveImageRequest.newBuilder().setRef(ref).setForce(true).build());
                stub.pruneImages(PruneImagesRequest.newBuilder().setAll(true).build());
                // the next pull starts with no dirty page of this one (as every variant of the script does)
                new ProcessBuilder("sync").inheritIO().start().waitFor();
                if (r == 0) continue;
                System.out.println("enviro-pull-api " + ms);
                StringBuilder b = new StringBuilder("round " + r + ": total " + ms + " ms, resolved at " + resolved / 1_000_000 + " ms");
                long lastComplete = 0;
                for (Map.Entry<String, long[]> e : layers.entrySet()) {
                    long[] t = e.getValue();
                    b.append("; ").append(e.getKey(), 7, 19).append(" bytes ").append(t[0] / 1_000_000).append('-').append(t[1] / 1_000_000)
                            .append(" complete ").append(t[2] / 1_000_000);
                    lastComplete = Math.max(lastComplete, t[2]);
                }
                b.append("; done ").append(done / 1_000_000).append(" (tail ").append((done - lastComplete) / 1_000_000).append(" ms)");
                System.err.println(b);
            }
        }
    }
}

package dev.enviro.images.registry;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.PullEvent;
import dev.enviro.images.PullStep;
import dev.enviro.images.content.ContentStore;
import dev.enviro.images.content.Digest;
import dev.enviro.images.content.Ingest;
import dev.enviro.images.oci.ConfigFile;
import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.oci.ImageIndex;
import dev.enviro.images.oci.ImageManifest;
import dev.enviro.images.oci.MediaTypes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Pulls one image into the content store: resolves the reference to a manifest (choosing the
 * platform's entry of an index), then downloads the layers in parallel (virtual threads, at most
 * {@link #PARALLEL} at once, as docker's three), then the config and manifest. Each blob is
 * committed only once verified, and the manifest last, so a pull that fails midway leaves only
 * complete, unreferenced layers (collected by {@code image prune}) and a later pull reuses them.
 * Recording the name is the store's step, after this one.
 */
public final class Puller {
    static final int PARALLEL = 4;

    private final ContentStore content;
    private final RegistryHttp http;
    private final Set<String> insecure;
    private final Duration firstBackoff;
    private volatile LayerUnpacker unpacker;

    /** What a pull stored: the manifest chosen, parsed, and its config; the index it was chosen from, or null. */
    public record Pulled(Digest manifestDigest, ImageManifest manifest, ConfigFile config, Digest indexDigest) {}

    public Puller(ContentStore content, Set<String> insecureRegistries, Duration firstBackoff) {
        this.content = content;
        this.http = RegistryHttp.standard();
        this.insecure = Set.copyOf(insecureRegistries);
        this.firstBackoff = firstBackoff;
    }

    /** Unpacks layers as they download from now on (null: pulls only download). */
    public void unpackWith(LayerUnpacker unpacker) {
        this.unpacker = unpacker;
    }

    /**
     * {@code platformAsked}: the user named {@code platform}, so an image that is not an index must be
     * for it too (otherwise {@code platform} is the host's and only picks an index's entry).
     */
    public Pulled pull(Reference ref, Platform platform, boolean platformAsked, Credentials credentials, Consumer<PullEvent> events) throws EnviroError {
        RegistryClient registry = new RegistryClient(http, ref, credentials, RegistryClient.plainHttp(ref.registry(), insecure), firstBackoff);
        events.accept(new PullEvent.Status((ref.tag() != null ? ref.tag() : ref.digest()) + ": Pulling from " + ref.repositoryName()));
        PullStep resolve = PullStep.begin(ref.toString(), "resolve");
        RegistryClient.Manifest top = registry.manifest(ref.manifestReference());
        RegistryClient.Manifest chosen = top;
        byte[] indexBytes = null;
        if (MediaTypes.isIndex(top.mediaType()) || (top.mediaType() == null && isIndexJson(top.bytes()))) {
            ImageIndex index = ImageIndex.parse(top.bytes(), "index " + ref);
            Descriptor entry = index.manifests().stream().filter(platform::matches).findFirst().orElseThrow(() -> new EnviroError(ErrorCode.NOT_FOUND,
                    "image " + ref + " has no " + platform + " variant (it has " + platforms(index) + "): choose one with --platform"));
            chosen = registry.manifest(entry.digest().toString());
            indexBytes = top.bytes();
        }
        if (!MediaTypes.isManifest(chosen.mediaType()) && chosen.mediaType() != null) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "image " + ref + ": media type " + chosen.mediaType() + " is not an image manifest this engine reads");
        }
        ImageManifest manifest = ImageManifest.parse(chosen.bytes(), "manifest " + ref);
        resolve.commit();

        PullStep configStep = PullStep.begin(ref.toString(), "config");
        byte[] configBytes = content.contains(manifest.config().digest())
                ? content.readSmall(manifest.config().digest(), RegistryClient.MANIFEST_LIMIT)
                : registry.smallBlob(manifest.config());
        ConfigFile config = ConfigFile.parse(configBytes, "config of " + ref);
        configStep.commit();
        if (platformAsked && indexBytes == null && !platform.isOf(config)) {
            throw new EnviroError(ErrorCode.NOT_FOUND, "image " + ref + " is " + config.os() + "/" + config.architecture() + ", not " + platform
                    + " (it has no other platform): pull it without --platform");
        }
        // resolved only now: a refusal above comes before any progress line
        List<PullEvent.Layer> layers = manifest.layers().stream().map(l -> new PullEvent.Layer(l.digest().toString(), l.size())).toList();
        events.accept(new PullEvent.Resolved(chosen.digest().toString(), layers));
        if (config.diffIds().size() != manifest.layers().size()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "image " + ref + ": its manifest lists " + manifest.layers().size() + " layers, its config " + config.diffIds().size() + " diff_ids");
        }
        List<byte[]> small = new ArrayList<>(List.of(configBytes, chosen.bytes()));
        List<Digest> smallDigests = new ArrayList<>(List.of(manifest.config().digest(), chosen.digest()));
        if (indexBytes != null) {
            small.add(indexBytes);
            smallDigests.add(top.digest());
        }
        downloadLayers(registry, ref.toString(), manifest.layers(), config.diffIds(), events, () -> {
            PullStep step = PullStep.begin(ref.toString(), "metadata.commit");
            for (int i = 0; i < small.size(); i++) commit(small.get(i), smallDigests.get(i));
            step.commit();
        });
        events.accept(new PullEvent.Status("Digest: " + (indexBytes != null ? top.digest() : chosen.digest())));
        return new Pulled(chosen.digest(), manifest, config, indexBytes != null ? top.digest() : null);
    }

    /** What the pull stores besides its layers (config, manifest, index): committed while the layers download. */
    private interface SmallCommits {
        void run() throws EnviroError;
    }

    /**
     * Downloads the layers, largest first (the longest download starts at once rather than behind the
     * small ones), and commits {@code small} beside them. The image stays invisible until its name is
     * recorded after this, so blobs committed early are only unreferenced content if the pull fails, which
     * {@code image prune} collects (as it does the layers of a failed pull).
     */
    private void downloadLayers(RegistryClient registry, String image, List<Descriptor> layers, List<Digest> diffIds, Consumer<PullEvent> events,
                                SmallCommits small) throws EnviroError {
        List<Future<?>> running = new ArrayList<>();
        LayerUnpacker unpack = unpacker;
        java.util.Set<Digest> seen = new java.util.HashSet<>();
        // Unpacking existing layers runs beside the downloads, not in the download pool's slots.
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, Thread.ofVirtual().name("pull-", 0).factory());
             ExecutorService unpacks = Executors.newVirtualThreadPerTaskExecutor()) {
            running.add(unpacks.submit(() -> { small.run(); return null; }));
            List<Integer> order = new ArrayList<>(java.util.stream.IntStream.range(0, layers.size()).boxed().toList());
            order.sort(java.util.Comparator.comparingLong((Integer i) -> layers.get(i).size()).reversed());
            for (int i : order) {
                Descriptor layer = layers.get(i);
                Digest diffId = diffIds.get(i);
                if (!seen.add(layer.digest())) continue;
                if (content.contains(layer.digest())) {
                    events.accept(new PullEvent.LayerDone(layer.digest().toString(), layer.size(), true));
                    if (unpack != null) running.add(unpacks.submit(() -> { unpack.existing(image, layer, diffId, i == 0); return null; }));
                    continue;
                }
                running.add(pool.submit(() -> {
                    LayerUnpacker.Tap tap = unpack == null ? null : unpack.start(image, layer, diffId, i == 0);
                    boolean unpacked = false;
                    try {
                        registry.download(layer, content, bytes -> events.accept(new PullEvent.LayerProgress(layer.digest().toString(), bytes, layer.size())), tap);
                        if (tap != null) {
                            // how long the layer's unpacking still ran after its last byte was committed
                            PullStep tail = PullStep.begin(image, "layer.unpacked", layer.digest().toString(), layer.size());
                            tap.committed();
                            tail.commit();
                        }
                        unpacked = true;
                    } finally {
                        if (tap != null && !unpacked) tap.abort();
                    }
                    events.accept(new PullEvent.LayerDone(layer.digest().toString(), layer.size(), false));
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    running.forEach(r -> r.cancel(true));
                    if (e.getCause() instanceof EnviroError ie) throw ie;
                    throw new EnviroError(ErrorCode.INTERNAL, "layer download failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    running.forEach(r -> r.cancel(true));
                    Thread.currentThread().interrupt();
                    throw new EnviroError(ErrorCode.INTERNAL, "pull interrupted", e);
                }
            }
        }
    }

    private void commit(byte[] bytes, Digest digest) throws EnviroError {
        if (content.contains(digest)) return;
        try (Ingest ingest = content.ingest()) {
            try {
                ingest.write(bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new EnviroError(ErrorCode.INTERNAL, "content store: cannot write " + digest + ": " + e.getMessage() + ": check free space", e);
            }
            ingest.commit(digest, bytes.length);
        }
    }

    private static boolean isIndexJson(byte[] bytes) {
        try {
            return dev.enviro.images.oci.Json.parse(bytes, "manifest").has("manifests");
        } catch (EnviroError e) {
            return false;
        }
    }

    private static String platforms(ImageIndex index) {
        return index.manifests().stream().map(d -> d.os() + "/" + d.architecture() + (d.variant() != null ? "/" + d.variant() : ""))
                .collect(Collectors.joining(", "));
    }
}

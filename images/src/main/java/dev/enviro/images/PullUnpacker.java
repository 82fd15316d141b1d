package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.IdMap;
import dev.enviro.images.content.Digest;
import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.registry.LayerUnpacker;
import dev.enviro.images.unpack.LayerApplier;
import dev.enviro.images.unpack.LayerFormat;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Unpacks each layer of a pull into its {@link LayerSnapshots} directory for the engine's id map,
 * on a virtual thread that decompresses and writes while the download goes on. The unpacking thread
 * reads unverified bytes, but only into a {@code .tmp-*} directory; it waits at the end for the
 * download's verdict and renames the layer into place only when the blob was committed.
 *
 * <p>A layer that reaches into the layers below (a hard link to their file, an entry under a directory
 * or link it does not hold), or whose download started over, is left to be unpacked from its committed
 * blob (the first prepare does it, with the lower layers at hand). A base layer has nothing below.
 * A layer that cannot be unpacked is left too: the image check after the pull refuses the image.
 */
final class PullUnpacker implements LayerUnpacker {
    private static final System.Logger LOG = System.getLogger(PullUnpacker.class.getName());
    /** 64 chunks of at most 256 KiB: a decompressor that falls behind holds the download back by 16 MiB at most. */
    private static final int PIPE_CHUNKS = 64;

    private final LayerSnapshots layers;
    private final IdMap idMap;

    PullUnpacker(LayerSnapshots layers, IdMap idMap) {
        this.layers = layers;
        this.idMap = idMap;
    }

    @Override
    public Tap start(String image, Descriptor layer, Digest diffId, boolean base) {
        if (layers.exists(diffId, idMap)) return null;
        return new StreamingTap(image, layer.digest(), layer.size(), diffId, base);
    }

    @Override
    public void existing(String image, Descriptor layer, Digest diffId, boolean base) throws EnviroError {
        try {
            layers.ensureFromBlob(image, layer.digest(), diffId, idMap, base ? List.of() : null);
        } catch (EnviroError e) {
            if (!isLayerFault(e)) throw e;
            LOG.log(System.Logger.Level.INFO, "layer {0} is not unpacked while pulling: {1}", layer.digest(), e.getMessage());
        }
    }

    /**
     * A layer that cannot be unpacked (unsafe, broken, not its diff id) is left as it is: the image check
     * after the pull refuses the image in its own words, and removes what the pull stored.
     */
    private static boolean isLayerFault(EnviroError e) {
        return e.code() == ErrorCode.INVALID_ARGUMENT || e.code() == ErrorCode.CORRUPT;
    }

    private final class StreamingTap implements Tap {
        private final String image;
        private final Digest layer;
        private final Digest diffId;
        private final long size;
        private final ChunkPipe pipe = new ChunkPipe(PIPE_CHUNKS);
        /** The download's verdict: true once the blob is committed. */
        private final CompletableFuture<Boolean> verified = new CompletableFuture<>();
        private final CompletableFuture<Void> unpacked = new CompletableFuture<>();
        private volatile boolean restarted;

        /** The layers below, for a base layer (none); null otherwise (not unpacked yet). */
        private final List<java.nio.file.Path> lowers;

        StreamingTap(String image, Digest layer, long size, Digest diffId, boolean base) {
            this.image = image;
            this.lowers = base ? List.of() : null;
            this.size = size;
            this.layer = layer;
            this.diffId = diffId;
            Thread.ofVirtual().name("unpack-" + layer.hex().substring(0, 12)).start(this::run);
        }

        private void run() {
            PullStep step = PullStep.begin(image, "layer.unpack", layer.toString(), size);
            try {
                layers.ensure(image, layer, diffId, idMap, dir -> {
                    Digest read;
                    try (InputStream in = new BufferedInputStream(pipe.input(), 1 << 16)) {
                        read = LayerApplier.overlayLayer(dir, idMap, lowers).apply(LayerFormat.detect(in).open(in));
                    }
                    if (!verified.join()) throw new java.io.IOException("the download of layer " + layer + " failed");
                    return read;
                });
                unpacked.complete(null);
            } catch (Throwable t) {
                unpacked.completeExceptionally(t);
            } finally {
                pipe.stopReading();
                step.commit();
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (!restarted) pipe.write(bytes, offset, length);
        }

        @Override
        public void restart() {
            restarted = true;
            pipe.fail("the download of layer " + layer + " started over");
            verified.complete(false);
        }

        @Override
        public void committed() throws EnviroError {
            pipe.end();
            verified.complete(true);
            try {
                unpacked.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EnviroError(ErrorCode.INTERNAL, "image " + image + ": unpacking layer " + layer + " interrupted", e);
            } catch (ExecutionException e) {
                if (restarted) {
                    try {
                        layers.ensureFromBlob(image, layer, diffId, idMap, lowers);
                    } catch (EnviroError ie) {
                        if (!isLayerFault(ie)) throw ie;
                        LOG.log(System.Logger.Level.INFO, "layer {0} is not unpacked while pulling: {1}", layer, ie.getMessage());
                    }
                    return;
                }
                if (e.getCause() instanceof EnviroError ie) {
                    if (!isLayerFault(ie)) throw ie;
                    LOG.log(System.Logger.Level.INFO, "layer {0} is not unpacked while pulling: {1}", layer, ie.getMessage());
                    return;
                }
                throw new EnviroError(ErrorCode.INTERNAL, "image " + image + ": cannot unpack layer " + layer + ": " + e.getCause(), e.getCause());
            }
        }

        @Override
        public void abort() {
            pipe.fail("the download of layer " + layer + " failed");
            verified.complete(false);
            try {
                unpacked.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException expected) {
                // the unpack stopped because the download did
            }
        }
    }
}

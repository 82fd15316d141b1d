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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Unpacks each layer of a pull into its {@link LayerSnapshots} directory for the engine's id map,
 * on a virtual thread that decompresses and writes while the download goes on. The unpacking thread
 * reads unverified bytes, but only into a {@code .tmp-*} directory; it waits at the end for the
 * download's verdict and renames the layer into place only when the blob was committed.
 *
 * <p>A layer that hard-links into a lower layer, or whose download started over, is left to be
 * unpacked from its committed blob (the first prepare does it, with the lower layers at hand).
 */
final class PullUnpacker implements LayerUnpacker {
    /** 64 chunks of at most 256 KiB: a decompressor that falls behind holds the download back by 16 MiB at most. */
    private static final int PIPE_CHUNKS = 64;

    private final LayerSnapshots layers;
    private final IdMap idMap;

    PullUnpacker(LayerSnapshots layers, IdMap idMap) {
        this.layers = layers;
        this.idMap = idMap;
    }

    @Override
    public Tap start(String image, Descriptor layer, Digest diffId) {
        if (layers.exists(diffId, idMap)) return null;
        return new StreamingTap(image, layer.digest(), layer.size(), diffId);
    }

    @Override
    public void existing(String image, Descriptor layer, Digest diffId) throws EnviroError {
        layers.ensureFromBlob(image, layer.digest(), diffId, idMap, null);
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

        StreamingTap(String image, Digest layer, long size, Digest diffId) {
            this.image = image;
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
                        read = LayerApplier.overlayLayer(dir, idMap, null).apply(LayerFormat.detect(in).open(in));
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
                    layers.ensureFromBlob(image, layer, diffId, idMap, null);
                    return;
                }
                if (e.getCause() instanceof EnviroError ie) throw ie;
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

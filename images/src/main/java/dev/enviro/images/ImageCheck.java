package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.content.Digest;
import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.unpack.ImageModel;
import dev.enviro.images.unpack.LayerFormat;
import dev.enviro.images.unpack.LayerScan;
import dev.enviro.images.unpack.SpecialFiles;
import dev.enviro.images.unpack.UnsafeEntryException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The check load and pull run before an image is recorded: every layer is read as unpacking reads it
 * ({@link LayerScan}: the applier's own rules) and replayed in order into the image's model
 * ({@link ImageModel}: the applier's own path resolution), and its diff id compared with the config.
 * An image one of whose layers could never be unpacked safely (a climbing or absolute name, a hard
 * link or whiteout out of the root, a path through a link above the root), or could not be unpacked at
 * all (a truncated tar, a device node this engine may not make, a layer past the size cap), is refused
 * in one line naming the image, the layer and the entry. Layers are read in parallel (decompressing is
 * the cost); the model is built in layer order.
 */
final class ImageCheck {
    /** Layers read at once: each holds a decompressor and a buffer. */
    private static final int PARALLEL = 4;

    private ImageCheck() {}

    /** Opens a blob of the image (staged or committed) for reading. */
    interface Blobs {
        InputStream open(Digest digest) throws IOException, EnviroError;
    }

    /**
     * Checks {@code image}'s {@code layers} (with their config's {@code diffIds}) read from {@code blobs};
     * {@code scratch}: a directory of the state directory's file system, where whether this engine may
     * make device nodes is tried once.
     */
    static void check(String image, List<Descriptor> layers, List<Digest> diffIds, Blobs blobs, Path scratch) throws EnviroError {
        boolean devices;
        try {
            devices = SpecialFiles.devicesCreatable(scratch);
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "image " + image + ": cannot check its layers in " + scratch + ": " + e.getMessage(), e);
        }
        List<Future<LayerScan.Scanned>> scans = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, Thread.ofVirtual().name("check-", 0).factory())) {
            for (Descriptor layer : layers) {
                scans.add(pool.submit(() -> {
                    try (InputStream blob = new BufferedInputStream(blobs.open(layer.digest()), 1 << 16)) {
                        return LayerScan.read(LayerFormat.detect(blob).open(blob), devices);
                    }
                }));
            }
            ImageModel model = new ImageModel();
            for (int i = 0; i < layers.size(); i++) {
                Digest layer = layers.get(i).digest();
                try {
                    LayerScan.Scanned scanned = scanned(image, layer, scans.get(i));
                    model.apply(scanned);
                    if (!scanned.diffId().equals(diffIds.get(i))) {
                        throw new EnviroError(ErrorCode.CORRUPT, "image " + image + ": layer " + layer + " unpacks to " + scanned.diffId()
                                + ", its config says " + diffIds.get(i) + ": the image is corrupt, produce it again");
                    }
                } catch (EnviroError e) { // a RuntimeException too: caught first
                    scans.forEach(f -> f.cancel(true));
                    throw e;
                } catch (IOException | RuntimeException e) {
                    scans.forEach(f -> f.cancel(true));
                    throw refusal(image, layer, e);
                }
            }
        }
    }

    private static LayerScan.Scanned scanned(String image, Digest layer, Future<LayerScan.Scanned> scan) throws IOException, EnviroError {
        try {
            return scan.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnviroError(ErrorCode.INTERNAL, "image " + image + ": the check of layer " + layer + " was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EnviroError ee) throw ee;
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new EnviroError(ErrorCode.INTERNAL, "image " + image + ": cannot check layer " + layer + ": " + e.getCause(), e.getCause());
        }
    }

    /** A layer's refusal: unsafe (it reaches out of the root) or broken; the tar reader's unchecked errors count as broken. */
    static EnviroError refusal(String image, Digest layer, Exception e) {
        return e instanceof UnsafeEntryException ? unsafe(image, layer, e) : broken(image, layer, e);
    }

    static EnviroError unsafe(String image, Digest layer, Exception e) {
        return new EnviroError(ErrorCode.INVALID_ARGUMENT, "image " + image + ": layer " + layer + ": " + e.getMessage() + ": the image cannot be unpacked safely", e);
    }

    static EnviroError broken(String image, Digest layer, Exception e) {
        return new EnviroError(ErrorCode.INVALID_ARGUMENT, "image " + image + ": layer " + layer + ": " + e.getMessage() + ": the image cannot be unpacked", e);
    }
}

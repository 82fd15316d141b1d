package dev.enviro.images;

/**
 * What a pull reports as it goes, in order: {@link Resolved} once the manifest is known, then per
 * layer {@link LayerProgress} (repeatedly) and {@link LayerDone}, interleaved across layers that
 * download in parallel. The pull's result (or failure) is its return value, not an event.
 */
public sealed interface PullEvent {

    /** One line for the user ("Pulling from …", "Digest: …"). */
    record Status(String message) implements PullEvent {}

    /** The manifest chosen for the platform; {@code layers} layer digests with their sizes, base first. */
    record Resolved(String manifestDigest, java.util.List<Layer> layers) implements PullEvent {
        public Resolved {
            layers = java.util.List.copyOf(layers);
        }
    }

    record Layer(String digest, long size) {}

    /** {@code bytes} of the layer's {@code total} are in (across retries: resumed bytes count once). */
    record LayerProgress(String digest, long bytes, long total) implements PullEvent {}

    /** The layer is committed; {@code existed} when it was already in the store and nothing was downloaded. */
    record LayerDone(String digest, long size, boolean existed) implements PullEvent {}
}

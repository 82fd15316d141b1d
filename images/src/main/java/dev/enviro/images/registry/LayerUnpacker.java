package dev.enviro.images.registry;

import dev.enviro.errors.EnviroError;
import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.content.Digest;

/**
 * Unpacks layers while a pull downloads them, so that a pulled image is ready to run when the pull
 * ends (as podman's is). The puller feeds each layer's bytes, in order and unverified, to a
 * {@link Tap}; what the tap unpacks becomes visible only after {@link Tap#committed}, that is after
 * the blob's size and digest checked out.
 */
public interface LayerUnpacker {

    /**
     * A tap for a layer about to be downloaded, or null when it needs none (already unpacked).
     * {@code base}: the image's first layer (nothing is below it).
     */
    Tap start(String image, Descriptor layer, Digest diffId, boolean base);

    /** A layer that was already in the store (nothing to download): unpacks it from its blob if needed. */
    void existing(String image, Descriptor layer, Digest diffId, boolean base) throws EnviroError;

    /** One layer's bytes on their way to the unpacker. Called from the downloading thread only. */
    interface Tap {
        /** The next bytes of the blob; the tap copies them. Never blocks forever, never throws. */
        void write(byte[] bytes, int offset, int length);

        /** The download starts over (a registry ignoring Range): the bytes so far are void. */
        void restart();

        /**
         * The blob is committed (verified): finishes unpacking and publishes the layer. A layer that
         * cannot be unpacked is left unpacked (the image check that follows the pull refuses the image);
         * fails only when the engine cannot write.
         */
        void committed() throws EnviroError;

        /** The download failed: nothing is kept. */
        void abort();
    }
}

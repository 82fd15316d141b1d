package dev.enviro.images;

import java.util.List;

/**
 * One image as {@code image inspect} shows it. {@code digests} are {@code repository@sha256:…}
 * (docker's RepoDigests); {@code configJson} is the image config blob as stored.
 */
public record ImageDetails(ImageSummary summary, List<String> digests, String os, String architecture,
                           String configJson, List<Layer> layers) {
    public ImageDetails {
        digests = List.copyOf(digests);
        layers = List.copyOf(layers);
    }

    /** A layer: its blob ({@code digest}, compressed size, media type) and the digest of its tar ({@code diffId}). */
    public record Layer(String digest, String diffId, long size, String mediaType) {}
}

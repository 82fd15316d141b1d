package dev.enviro.images;

import java.util.List;

/**
 * What {@code image prune} removed: images (config digests), the names that went with them, and the
 * garbage collected: blobs, layer snapshot directories, and the bytes they held.
 */
public record PruneReport(List<String> deletedImages, List<String> untagged, int blobs, int snapshots, long reclaimedBytes) {
    public PruneReport {
        deletedImages = List.copyOf(deletedImages);
        untagged = List.copyOf(untagged);
    }
}

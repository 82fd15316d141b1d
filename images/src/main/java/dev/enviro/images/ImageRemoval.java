package dev.enviro.images;

import java.util.List;

/** What {@code rmi} did: the names it removed and the images (config digests) it deleted, as docker prints them. */
public record ImageRemoval(List<String> untagged, List<String> deleted) {
    public ImageRemoval {
        untagged = List.copyOf(untagged);
        deleted = List.copyOf(deleted);
    }
}

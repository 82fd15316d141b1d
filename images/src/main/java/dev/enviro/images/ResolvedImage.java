package dev.enviro.images;

import java.util.List;

/** An image found in the store: what a container needs to be prepared from it. Digests are {@code sha256:<hex>}. */
public record ResolvedImage(String reference, String manifestDigest, String configDigest, ImageConfig config, List<String> layerDigests) {
    public ResolvedImage {
        layerDigests = List.copyOf(layerDigests);
    }
}

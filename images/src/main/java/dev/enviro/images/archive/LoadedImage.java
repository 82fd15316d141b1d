package dev.enviro.images.archive;

import dev.enviro.images.content.Digest;
import dev.enviro.images.oci.ConfigFile;
import dev.enviro.images.oci.ImageManifest;
import java.util.List;

/** One image found in an archive, its blobs committed: the manifest's digest, the parsed documents and its full names. */
public record LoadedImage(Digest manifestDigest, ImageManifest manifest, ConfigFile config, List<String> names) {
    public LoadedImage {
        names = List.copyOf(names);
    }
}

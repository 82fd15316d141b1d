package dev.enviro.images;

import java.time.Instant;
import java.util.List;

/** One image as {@code enviro images} lists it. {@code id} is the config digest ({@code sha256:…}), as Docker shows. */
public record ImageSummary(String id, String manifestDigest, List<String> names, long size, Instant created) {
    public ImageSummary {
        names = List.copyOf(names);
    }
}

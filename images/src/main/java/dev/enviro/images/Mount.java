package dev.enviro.images;

import java.util.List;

/**
 * A mount to perform, not performed: {@code mount -t type -o options source target}. Snapshotters
 * return these and mount nothing; the C helper performs them inside the container's mount namespace.
 */
public record Mount(String type, String source, String target, List<String> options) {
    public Mount {
        options = List.copyOf(options);
    }
}

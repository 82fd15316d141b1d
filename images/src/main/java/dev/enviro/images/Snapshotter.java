package dev.enviro.images;

import dev.enviro.ffm.IdMap;
import java.nio.file.Path;
import java.util.List;

/**
 * Root filesystems for containers. A snapshotter prepares directories and returns the mounts that
 * make the root filesystem; it mounts nothing itself (containerd's model), so the helper can mount
 * inside the container's mount namespace and a dead engine leaves nothing mounted on the host.
 */
public interface Snapshotter {

    /** Overlay over the image's unpacked, id-shifted layers, one upper directory per container. */
    static Snapshotter overlay(Path stateDir, ImageStore store) throws ImageException {
        return OverlaySnapshotter.open(stateDir, store);
    }

    /**
     * Prepares the root filesystem of a container whose directory is {@code containerDir}: ensures the
     * image's layers are unpacked for {@code idMap}, creates the per-container directories (owned by the
     * container's root) and returns the mounts, targets absolute host paths under {@code containerDir}.
     * The last mount's target is the root filesystem.
     */
    List<Mount> prepare(ResolvedImage image, IdMap idMap, Path containerDir) throws ImageException;

    /** Removes what {@link #prepare} created for the container (its upper and work directories). */
    void remove(Path containerDir) throws ImageException;
}

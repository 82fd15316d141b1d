package dev.enviro.images;

import dev.enviro.errors.EnviroError;
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
    static Snapshotter overlay(Path stateDir, ImageStore store) throws EnviroError {
        return OverlaySnapshotter.open(stateDir, store);
    }

    /** A full copy of the image's layers per container, for kernels without overlayfs. */
    static Snapshotter copy(Path stateDir, ImageStore store) throws EnviroError {
        return CopySnapshotter.open(stateDir, store);
    }

    /**
     * The engine's snapshotter: overlay where the kernel has it, else copy; {@code ENVIRO_SNAPSHOTTER}
     * ({@code overlay} or {@code copy}) overrides the choice. With overlay, layers are unpacked for
     * {@code engineIdMap} while {@code store} pulls them (the engine's containers use that map).
     */
    static Snapshotter open(Path stateDir, ImageStore store, IdMap engineIdMap) throws EnviroError {
        Snapshotter chosen = switch (SnapshotterChoice.choose(System.getenv("ENVIRO_SNAPSHOTTER"), Path.of("/proc/filesystems"))) {
            case OVERLAY -> overlay(stateDir, store);
            case COPY -> copy(stateDir, store);
        };
        if (chosen instanceof OverlaySnapshotter overlay && store instanceof LocalImageStore local) {
            local.unpackOnPull(overlay.layers(), engineIdMap);
        }
        return chosen;
    }

    /** {@code overlay} or {@code copy}, as {@code enviro info} reports it. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Prepares the root filesystem of a container whose directory is {@code containerDir}: ensures the
     * image's layers are unpacked for {@code idMap}, creates the per-container directories (owned by the
     * container's root) and returns the mounts, targets absolute host paths under {@code containerDir}.
     * The last mount's target is the root filesystem.
     */
    List<Mount> prepare(ResolvedImage image, IdMap idMap, Path containerDir) throws EnviroError;

    /**
     * The directories that hold the image's files, top-most first, where this snapshotter keeps them
     * unpacked for {@code idMap} (unpacked now if they are not yet, as {@link #prepare} would): what the
     * image's /etc/passwd is read from before any container of it exists. Empty where the image is
     * unpacked per container (copy).
     */
    default List<Path> imageFiles(ResolvedImage image, IdMap idMap) throws EnviroError {
        return List.of();
    }

    /** Removes what {@link #prepare} created for the container (its upper and work directories). */
    void remove(Path containerDir) throws EnviroError;
}

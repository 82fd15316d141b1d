package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.IdMap;
import dev.enviro.images.content.ContentStore;
import dev.enviro.images.content.Digest;
import dev.enviro.images.oci.ConfigFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * A snapshotter that unpacks the image's layers from the local content store into directories the
 * container's root owns.
 */
abstract sealed class UnpackingSnapshotter implements Snapshotter permits CopySnapshotter, OverlaySnapshotter {
    final ContentStore content;

    /** Held (read side) while preparing, so that garbage collection never sweeps a layer being unpacked. */
    private final ReadWriteLock gcLock;

    UnpackingSnapshotter(LocalImageStore store) {
        this.content = store.content();
        this.gcLock = store.gcLock();
    }

    static LocalImageStore local(ImageStore store, String snapshotter) {
        if (!(store instanceof LocalImageStore local)) {
            throw new IllegalArgumentException("the " + snapshotter + " snapshotter unpacks from the local content store; got " + store.getClass().getName());
        }
        return local;
    }

    @Override
    public final List<Mount> prepare(ResolvedImage image, IdMap idMap, Path containerDir) throws EnviroError {
        return withLayersHeld(() -> prepareLocked(image, idMap, containerDir));
    }

    /** What {@code work} returns, computed with garbage collection held off. */
    interface LayerWork<T> {
        T run() throws EnviroError;
    }

    final <T> T withLayersHeld(LayerWork<T> work) throws EnviroError {
        gcLock.readLock().lock();
        try {
            return work.run();
        } finally {
            gcLock.readLock().unlock();
        }
    }

    /** {@link #prepare}, with garbage collection held off. */
    abstract List<Mount> prepareLocked(ResolvedImage image, IdMap idMap, Path containerDir) throws EnviroError;

    /** The image's config, which must list one diff_id per layer. */
    ConfigFile config(ResolvedImage image) throws EnviroError {
        ConfigFile config = ConfigFile.parse(content.readSmall(Digest.parse(image.configDigest()), 4 << 20), "config " + image.configDigest());
        if (config.diffIds().size() != image.layerDigests().size()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "image " + image.reference() + ": config lists " + config.diffIds().size() + " diff_ids for " + image.layerDigests().size() + " layers");
        }
        return config;
    }

    /** The containers' directories already marked by this engine: marked once, not on every start. */
    private static final java.util.Set<Path> MARKED_PARENTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Creates {@code containerDir}, searchable by all: the container's root, mapped to another uid, must reach its root filesystem. */
    static void createContainerDir(Path containerDir) throws IOException {
        Path parent = containerDir.getParent();
        if (!MARKED_PARENTS.contains(parent)) {
            Files.createDirectories(parent);
            // (a copied root file system is thousands of inodes, created after others were removed)
            LayerSnapshots.markTopDirectory(parent);
            MARKED_PARENTS.add(parent);
        }
        Files.createDirectories(containerDir);
        int mode = (Integer) Files.getAttribute(containerDir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0111) != 0111) Files.setAttribute(containerDir, "unix:mode", (mode & 07777) | 0111, LinkOption.NOFOLLOW_LINKS);
    }

    /** Hands {@code dir} to the container's root (where {@code idMap} maps it), mode 0755. */
    static void giveToContainerRoot(Path dir, IdMap idMap) throws IOException {
        int uid = idMap.hostUid(0), gid = idMap.hostGid(0);
        if (uid >= 0) Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        if (gid >= 0) Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(dir, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
    }
}

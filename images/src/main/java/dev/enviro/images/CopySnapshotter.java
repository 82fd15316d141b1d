package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.IdMap;
import dev.enviro.images.content.Digest;
import dev.enviro.images.content.Tree;
import dev.enviro.images.oci.ConfigFile;
import dev.enviro.images.unpack.LayerApplier;
import dev.enviro.images.unpack.LayerFormat;
import dev.enviro.images.unpack.UnsafeEntryException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Root filesystems without overlayfs (vfs in docker's terms): every container gets the image's
 * layers applied, flattened, into its own {@code rootfs/}, which the helper bind-mounts onto itself
 * (pivot_root wants a mount point). Costs a full unpack and the image's size per container; chosen
 * only where overlay is unavailable or {@code ENVIRO_SNAPSHOTTER=copy} asks for it.
 */
final class CopySnapshotter extends UnpackingSnapshotter {
    private CopySnapshotter(LocalImageStore store) {
        super(store);
    }

    static CopySnapshotter open(Path stateDir, ImageStore store) {
        return new CopySnapshotter(local(store, "copy"));
    }

    @Override
    public String name() {
        return "copy";
    }

    @Override
    List<Mount> prepareLocked(ResolvedImage image, IdMap idMap, Path containerDir) throws EnviroError {
        Path rootfs = containerDir.resolve("rootfs");
        if (rootfs.toString().contains(",")) {
            throw new EnviroError(ErrorCode.INTERNAL, "path " + rootfs + " contains ',', which mount options cannot carry: choose another state directory");
        }
        ConfigFile config = config(image);
        try {
            createContainerDir(containerDir);
            Tree.delete(rootfs); // a half-made copy of an earlier attempt
            Files.createDirectory(rootfs);
            giveToContainerRoot(rootfs, idMap);
            LayerApplier applier = new LayerApplier(rootfs, idMap);
            for (int i = 0; i < image.layerDigests().size(); i++) {
                Digest layer = Digest.parse(image.layerDigests().get(i));
                Digest diffId;
                try (InputStream blob = new BufferedInputStream(content.read(layer), 1 << 16)) {
                    diffId = applier.apply(LayerFormat.detect(blob).open(blob));
                } catch (UnsafeEntryException e) {
                    throw ImageCheck.unsafe(image.reference(), layer, e);
                } catch (IOException | IllegalArgumentException e) {
                    if (e instanceof IOException io && !LayerSnapshots.isLayerFault(io)) throw io;
                    throw ImageCheck.broken(image.reference(), layer, e);
                }
                if (!diffId.equals(config.diffIds().get(i))) {
                    throw new EnviroError(ErrorCode.CORRUPT, "image " + image.reference() + ": layer " + layer
                            + " unpacks to " + diffId + ", its config says " + config.diffIds().get(i) + ": pull or load the image again");
                }
            }
        } catch (IOException e) {
            cleanup(rootfs, e);
            throw new EnviroError(ErrorCode.INTERNAL, "container directory " + containerDir + ": cannot copy the image " + image.reference() + ": " + e.getMessage(), e);
        } catch (EnviroError e) {
            cleanup(rootfs, e);
            throw e;
        }
        // nodev: a device node a layer holds (made where the engine may) is there to be seen, never opened;
        // an overlay root mounted in the container's user namespace is nodev by the kernel already
        return List.of(new Mount("none", rootfs.toString(), rootfs.toString(), List.of("rbind", "nodev")));
    }

    private static void cleanup(Path rootfs, Exception failure) {
        try {
            Tree.delete(rootfs);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public void remove(Path containerDir) throws EnviroError {
        Path rootfs = containerDir.resolve("rootfs");
        if (OverlaySnapshotter.isMountPoint(rootfs)) {
            throw new EnviroError(ErrorCode.INTERNAL, "container root filesystem " + rootfs
                    + " is mounted on the host (it should only ever be mounted in the container's namespace): run 'umount " + rootfs + "' and retry");
        }
        try {
            Tree.delete(rootfs);
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "container directory " + containerDir + ": cannot remove the root filesystem: " + e.getMessage(), e);
        }
    }
}

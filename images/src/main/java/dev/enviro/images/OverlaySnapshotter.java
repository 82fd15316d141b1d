package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.IdMap;
import dev.enviro.images.content.Tree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Overlay root filesystems: {@code lowerdir} is the image's layers, top first, each unpacked once per
 * id map into {@code snapshots/layers/<diff-hex>-<idmap>/} ({@link LayerSnapshots}) and shared by
 * every container of every image that has the layer; each container gets its own {@code upper/} and
 * {@code work/}.
 *
 * <p>The mount returned carries {@code userxattr}: the helper mounts inside the container's user
 * namespace, where overlayfs cannot read or write {@code trusted.*} xattrs; without the option the
 * kernel (6.x) mounts but deleting a lower directory from the container fails with EIO. Lower layers
 * mark deletions in the form that works there ({@link dev.enviro.images.unpack.OverlayMarkers}).
 */
final class OverlaySnapshotter extends UnpackingSnapshotter {
    /** mount(2) takes at most a page of options. */
    static final int OPTIONS_LIMIT = 4095;

    private final LayerSnapshots layers;

    private OverlaySnapshotter(LayerSnapshots layers, LocalImageStore store) {
        super(store);
        this.layers = layers;
    }

    static OverlaySnapshotter open(Path stateDir, ImageStore store) throws EnviroError {
        LocalImageStore local = local(store, "overlay");
        return new OverlaySnapshotter(LayerSnapshots.open(stateDir, local.content()), local);
    }

    LayerSnapshots layers() {
        return layers;
    }

    @Override
    public String name() {
        return "overlay";
    }

    @Override
    List<Mount> prepareLocked(ResolvedImage image, IdMap idMap, Path containerDir) throws EnviroError {
        List<Path> lowers = lowerDirs(image, idMap);
        Path upper = containerDir.resolve("upper");
        Path work = containerDir.resolve("work");
        Path rootfs = containerDir.resolve("rootfs");
        List<Path> checked = new ArrayList<>(lowers);
        checked.addAll(List.of(upper, work));
        for (Path p : checked) {
            // overlayfs splits its options on ',' and lowerdir on ':'; it has escapes, the helper need not learn them.
            if (p.toString().contains(",") || p.toString().contains(":")) {
                throw new EnviroError(ErrorCode.INTERNAL, "path " + p + " contains ',' or ':', which overlay mount options cannot carry: choose another state directory");
            }
        }
        try {
            createContainerDir(containerDir);
            for (Path dir : List.of(upper, work, rootfs)) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(dir);
                giveToContainerRoot(dir, idMap);
            }
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "container directory " + containerDir + ": cannot prepare the root filesystem: " + e.getMessage(), e);
        }
        List<String> options = List.of("lowerdir=" + String.join(":", lowers.stream().map(Path::toString).toList()),
                "upperdir=" + upper, "workdir=" + work, "userxattr");
        if (String.join(",", options).length() > OPTIONS_LIMIT) {
            throw new EnviroError(ErrorCode.INTERNAL, "image " + image.reference() + ": its " + lowers.size()
                    + " layers make overlay mount options longer than a page (" + OPTIONS_LIMIT + " bytes): choose a shorter state directory path");
        }
        return List.of(new Mount("overlay", "overlay", rootfs.toString(), options));
    }

    @Override
    public List<Path> imageFiles(ResolvedImage image, IdMap idMap) throws EnviroError {
        return withLayersHeld(() -> lowerDirs(image, idMap));
    }

    /**
     * The image's layer directories, top first, each once: a layer that recurs keeps only its topmost
     * place (the one below adds nothing the top one does not, and overlay refuses a directory twice).
     * An image without layers gets one empty directory.
     */
    List<Path> lowerDirs(ResolvedImage image, IdMap idMap) throws EnviroError {
        List<Path> baseFirst = layers.ensureAll(image, config(image).diffIds(), idMap);
        List<Path> topFirst = new ArrayList<>(new java.util.LinkedHashSet<>(baseFirst.reversed()));
        if (topFirst.isEmpty()) {
            Path empty = layers.root().resolve("empty");
            try {
                Files.createDirectories(empty);
                Files.setAttribute(empty, "unix:mode", 0755);
            } catch (IOException e) {
                throw new EnviroError(ErrorCode.INTERNAL, "snapshots: cannot create " + empty + ": " + e.getMessage(), e);
            }
            topFirst.add(empty);
        }
        return topFirst;
    }

    @Override
    public void remove(Path containerDir) throws EnviroError {
        Path rootfs = containerDir.resolve("rootfs");
        if (isMountPoint(rootfs)) {
            throw new EnviroError(ErrorCode.INTERNAL, "container root filesystem " + rootfs
                    + " is mounted on the host (it should only ever be mounted in the container's namespace): run 'umount " + rootfs + "' and retry");
        }
        List<IOException> failures = new ArrayList<>();
        for (String name : List.of("upper", "work", "rootfs")) {
            try {
                Tree.delete(containerDir.resolve(name));
            } catch (IOException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            EnviroError e = new EnviroError(ErrorCode.INTERNAL, "container directory " + containerDir + ": cannot remove the root filesystem: " + failures.getFirst().getMessage(), failures.getFirst());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Whether {@code dir} is a mount point in this (the engine's) mount namespace, from /proc/self/mountinfo. */
    static boolean isMountPoint(Path dir) throws EnviroError {
        Path real;
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return false;
            real = dir.toRealPath();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(real.toString())) return true;
            }
            return false;
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot check whether " + dir + " is mounted: " + e.getMessage(), e);
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as {@code \ooo}. */
    static String unescape(String field) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}

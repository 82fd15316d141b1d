package dev.enviro.images;

import dev.enviro.ffm.IdMap;
import dev.enviro.images.content.ContentStore;
import dev.enviro.images.content.Digest;
import dev.enviro.images.content.Tree;
import dev.enviro.images.oci.ConfigFile;
import dev.enviro.images.unpack.LayerApplier;
import dev.enviro.images.unpack.LayerFormat;
import dev.enviro.images.unpack.RootedPath;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Overlay root filesystems. An image is unpacked once per id map into
 * {@code snapshots/<manifest-hex>-<idmap>/} (all layers flattened, ownership shifted), which every
 * container of that image and map shares read-only as its overlay lower directory; each container
 * gets its own {@code upper/} and {@code work/}. The snapshot is built in {@code snapshots/.tmp-*}
 * and renamed into place, so a snapshot that exists is complete, and two engines (or threads)
 * preparing the same image race harmlessly: the loser's copy is deleted.
 *
 * <p>The mount returned carries {@code userxattr}: the helper mounts inside the container's user
 * namespace, where overlayfs cannot write its {@code trusted.*} xattrs; without the option the
 * kernel (6.x) mounts but deleting a lower directory from the container fails with EIO.
 */
final class OverlaySnapshotter implements Snapshotter {
    private final Path snapshots;
    private final ContentStore content;
    private final Map<String, Object> building = new ConcurrentHashMap<>();

    private OverlaySnapshotter(Path snapshots, ContentStore content) {
        this.snapshots = snapshots;
        this.content = content;
    }

    static OverlaySnapshotter open(Path stateDir, ImageStore store) throws ImageException {
        if (!(store instanceof LocalImageStore local)) {
            throw new IllegalArgumentException("the overlay snapshotter unpacks from the local content store; got " + store.getClass().getName());
        }
        Path snapshots = stateDir.resolve("snapshots");
        try {
            Files.createDirectories(snapshots);
            // Container root (an unprivileged host id) must reach its lower directory through here.
            Files.setAttribute(snapshots, "unix:mode", 0755);
            // Half-built snapshots of a crashed engine: one engine owns a state directory.
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(snapshots, ".tmp-*")) {
                for (Path p : leftovers) Tree.delete(p);
            }
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.IO, "snapshots " + snapshots + ": cannot open: " + e.getMessage() + ": check that the state directory is writable", e);
        }
        return new OverlaySnapshotter(snapshots, local.content());
    }

    @Override
    public List<Mount> prepare(ResolvedImage image, IdMap idMap, Path containerDir) throws ImageException {
        Path lower = snapshot(image, idMap);
        Path upper = containerDir.resolve("upper");
        Path work = containerDir.resolve("work");
        Path rootfs = containerDir.resolve("rootfs");
        for (Path p : List.of(lower, upper, work)) {
            // overlayfs splits its options on ',' and lowerdir on ':'; it has escapes, the helper need not learn them.
            if (p.toString().contains(",") || p.toString().contains(":")) {
                throw new ImageException(ImageException.Kind.IO, "path " + p + " contains ',' or ':', which overlay mount options cannot carry: choose another state directory");
            }
        }
        try {
            Files.createDirectories(containerDir);
            addSearchPermission(containerDir);
            for (Path dir : List.of(upper, work, rootfs)) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(dir);
                int uid = idMap.hostUid(0), gid = idMap.hostGid(0);
                if (uid >= 0) Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                if (gid >= 0) Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dir, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.IO, "container directory " + containerDir + ": cannot prepare the root filesystem: " + e.getMessage(), e);
        }
        return List.of(new Mount("overlay", "overlay", rootfs.toString(),
                List.of("lowerdir=" + lower, "upperdir=" + upper, "workdir=" + work, "userxattr")));
    }

    private static void addSearchPermission(Path dir) throws IOException {
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0111) != 0111) Files.setAttribute(dir, "unix:mode", (mode & 07777) | 0111, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void remove(Path containerDir) throws ImageException {
        Path rootfs = containerDir.resolve("rootfs");
        if (isMountPoint(rootfs)) {
            throw new ImageException(ImageException.Kind.IO, "container root filesystem " + rootfs
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
            ImageException e = new ImageException(ImageException.Kind.IO, "container directory " + containerDir + ": cannot remove the root filesystem: " + failures.getFirst().getMessage(), failures.getFirst());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Whether {@code dir} is a mount point in this (the engine's) mount namespace, from /proc/self/mountinfo. */
    static boolean isMountPoint(Path dir) throws ImageException {
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
            throw new ImageException(ImageException.Kind.IO, "cannot check whether " + dir + " is mounted: " + e.getMessage(), e);
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

    /** The unpacked image for this id map, building it if it does not exist yet. */
    Path snapshot(ResolvedImage image, IdMap idMap) throws ImageException {
        Digest manifest = Digest.parse(image.manifestDigest());
        String key = manifest.hex() + "-" + idMap.key();
        Path done = snapshots.resolve(key);
        if (Files.isDirectory(done, LinkOption.NOFOLLOW_LINKS)) return done;
        synchronized (building.computeIfAbsent(key, k -> new Object())) {
            if (Files.isDirectory(done, LinkOption.NOFOLLOW_LINKS)) return done;
            Path tmp = null;
            try {
                tmp = Files.createTempDirectory(snapshots, ".tmp-");
                unpack(image, idMap, tmp);
                try {
                    Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    if (!Files.isDirectory(done, LinkOption.NOFOLLOW_LINKS)) throw raced;
                    Tree.delete(tmp); // another engine finished first: same content, keep theirs
                }
                return done;
            } catch (IOException | ImageException | RuntimeException e) {
                if (tmp != null) {
                    try {
                        Tree.delete(tmp);
                    } catch (IOException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                }
                if (e instanceof ImageException ie) throw ie;
                throw new ImageException(ImageException.Kind.IO, "image " + image.reference() + ": cannot unpack into " + snapshots + ": " + e.getMessage(), e);
            } finally {
                building.remove(key);
            }
        }
    }

    private void unpack(ResolvedImage image, IdMap idMap, Path root) throws IOException, ImageException {
        ConfigFile config = ConfigFile.parse(content.readSmall(Digest.parse(image.configDigest()), 4 << 20), "config " + image.configDigest());
        if (config.diffIds().size() != image.layerDigests().size()) {
            throw new ImageException(ImageException.Kind.MALFORMED, "image " + image.reference() + ": config lists " + config.diffIds().size() + " diff_ids for " + image.layerDigests().size() + " layers");
        }
        int uid = idMap.hostUid(0), gid = idMap.hostGid(0);
        if (uid >= 0) Files.setAttribute(root, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        if (gid >= 0) Files.setAttribute(root, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(root, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
        LayerApplier applier = new LayerApplier(root, idMap);
        for (int i = 0; i < image.layerDigests().size(); i++) {
            Digest layer = Digest.parse(image.layerDigests().get(i));
            Digest diffId;
            try (InputStream blob = new BufferedInputStream(content.read(layer), 1 << 16)) {
                diffId = applier.apply(LayerFormat.detect(blob).open(blob));
            } catch (RootedPath.EscapeException | IllegalArgumentException e) {
                throw new ImageException(ImageException.Kind.MALFORMED, "image " + image.reference() + ": layer " + layer + " is unsafe: " + e.getMessage() + ": do not run this image");
            } catch (IOException e) {
                throw new ImageException(ImageException.Kind.MALFORMED, "image " + image.reference() + ": layer " + layer + " cannot be unpacked: " + e.getMessage(), e);
            }
            if (!diffId.equals(config.diffIds().get(i))) {
                throw new ImageException(ImageException.Kind.DIGEST_MISMATCH, "image " + image.reference() + ": layer " + layer
                        + " unpacks to " + diffId + ", its config says " + config.diffIds().get(i) + ": load the image again");
            }
        }
    }
}

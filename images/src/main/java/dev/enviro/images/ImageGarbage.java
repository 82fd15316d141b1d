package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.content.ContentStore;
import dev.enviro.images.content.Digest;
import dev.enviro.images.content.Tree;
import dev.enviro.images.oci.ConfigFile;
import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.oci.ImageManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Garbage collection of one state directory (mark and sweep, as containerd's): marks what the
 * recorded images reach (their manifests, configs and layer blobs, index blobs named by a
 * {@code name@digest} key, the layer snapshots of their diff ids) and what any container's
 * {@code plan.bin} names as a lower directory, then deletes the rest: unreachable blobs, unused
 * {@code snapshots/layers/} directories, per-image {@code snapshots/<manifest>-<idmap>/} directories
 * of older engines, and {@code content/ingest/} and {@code snapshots/.tmp-*} leftovers.
 *
 * <p>The caller holds the store's write lock: no pull, load or prepare runs meanwhile, so nothing in
 * flight looks like garbage.
 */
final class ImageGarbage {
    /** A snapshot directory as it appears in a container's lowerdir option: per layer, or per image (older engines). */
    private static final Pattern SNAPSHOT_IN_PLAN = Pattern.compile("snapshots/(?:layers/)?([0-9a-f]{64}-[0-9g_-]+)");
    private static final Pattern SNAPSHOT_DIR = Pattern.compile("([0-9a-f]{64})-[0-9g_-]+");

    /** What a sweep deleted. */
    record Swept(int blobs, int snapshots, long bytes) {}

    /** Reads a recorded image's manifest and config (the store's cache). */
    interface Images {
        ImageManifest manifest(String manifestDigest) throws EnviroError;

        ConfigFile config(ImageManifest manifest) throws EnviroError;
    }

    private ImageGarbage() {}

    /**
     * Collects everything not reachable from {@code manifests} (recorded images and those containers
     * use) and {@code pinnedBlobs} (index blobs named by a {@code name@digest} key). A manifest of a
     * recorded image that cannot be read stops the collection: its layers cannot be told from garbage.
     */
    static Swept collect(Path stateDir, ContentStore content, Collection<String> recorded, Collection<String> usedByContainers,
                         Collection<String> pinnedBlobs, Images images) throws EnviroError {
        return sweep(stateDir, content, recorded, usedByContainers, pinnedBlobs, images, null, null);
    }

    /**
     * Deletes {@code blobs} (hex digests) and the layer directories of {@code diffIds} (hex) that nothing
     * recorded reaches and no container's plan names, and nothing else: what an image refused after its
     * pull stored. The caller holds the write lock.
     */
    static Swept forget(Path stateDir, ContentStore content, Collection<String> recorded, Collection<String> pinnedBlobs, Images images,
                        Set<String> blobs, Set<String> diffIds) throws EnviroError {
        return sweep(stateDir, content, recorded, java.util.List.of(), pinnedBlobs, images, blobs, diffIds);
    }

    /** Mark, then sweep: everything unreached, or (when {@code onlyBlobs} is given) only the candidates named. */
    private static Swept sweep(Path stateDir, ContentStore content, Collection<String> recorded, Collection<String> usedByContainers,
                               Collection<String> pinnedBlobs, Images images, Set<String> onlyBlobs, Set<String> onlyDiffIds) throws EnviroError {
        boolean all = onlyBlobs == null;
        Set<String> liveBlobs = new HashSet<>();
        Set<String> liveDiffIds = new HashSet<>();
        Set<String> manifests = new HashSet<>(recorded);
        manifests.addAll(usedByContainers);
        for (String m : manifests) {
            Digest digest = Digest.parse(m);
            if (!content.contains(digest)) {
                if (recorded.contains(m)) {
                    throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "image " + m + " is recorded but its manifest is missing from "
                            + content.path(digest).getParent() + ": remove it with 'enviro rmi -f " + m + "', then prune again");
                }
                continue; // a container's image deleted by an older engine: its plan.bin still protects its layers
            }
            ImageManifest manifest = images.manifest(m);
            liveBlobs.add(digest.hex());
            liveBlobs.add(manifest.config().digest().hex());
            for (Descriptor layer : manifest.layers()) liveBlobs.add(layer.digest().hex());
            if (content.contains(manifest.config().digest())) {
                for (Digest diff : images.config(manifest).diffIds()) liveDiffIds.add(diff.hex());
            }
        }
        for (String pinned : pinnedBlobs) liveBlobs.add(Digest.parse(pinned).hex());
        Set<String> inUse = snapshotsInPlans(stateDir.resolve("containers"));

        int blobs = 0, snapshots = 0;
        long bytes = 0;
        Path blobDir = content.blobsDir();
        Path snapshotRoot = stateDir.resolve("snapshots");
        try {
            for (Path blob : list(blobDir)) {
                if (liveBlobs.contains(blob.getFileName().toString())) continue;
                if (!all && !onlyBlobs.contains(blob.getFileName().toString())) continue;
                bytes += sizeOf(blob);
                Files.deleteIfExists(blob);
                blobs++;
            }
            for (Path layer : list(snapshotRoot.resolve("layers"))) {
                Matcher m = SNAPSHOT_DIR.matcher(layer.getFileName().toString());
                if (m.matches() && (liveDiffIds.contains(m.group(1)) || inUse.contains(layer.getFileName().toString()))) continue;
                if (!all && !(m.matches() && onlyDiffIds.contains(m.group(1)))) continue;
                bytes += sizeOf(layer);
                Tree.delete(layer);
                snapshots++;
            }
            if (!all) return new Swept(blobs, snapshots, bytes); // a pull's own debris only: the rest waits for prune
            for (Path legacy : list(snapshotRoot)) {
                String name = legacy.getFileName().toString();
                boolean perImage = SNAPSHOT_DIR.matcher(name).matches() && !inUse.contains(name);
                if (!perImage && !name.startsWith(".tmp-")) continue;
                bytes += sizeOf(legacy);
                Tree.delete(legacy);
                if (perImage) snapshots++;
            }
            for (Path partial : list(content.ingestDir())) {
                bytes += sizeOf(partial);
                Tree.delete(partial);
            }
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "image garbage collection in " + stateDir + " failed: " + e.getMessage()
                    + ": check the state directory's permissions and run 'enviro image prune' again", e);
        }
        return new Swept(blobs, snapshots, bytes);
    }

    /**
     * Snapshot directories (names) the lowerdir of any container's plan uses. The plan is the helper's
     * binary format, but its strings are stored as they are, so the paths are found by their shape.
     */
    static Set<String> snapshotsInPlans(Path containers) throws EnviroError {
        Set<String> found = new HashSet<>();
        try {
            for (Path dir : list(containers)) {
                Path plan = dir.resolve("plan.bin");
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(plan);
                } catch (NoSuchFileException e) {
                    continue;
                }
                Matcher m = SNAPSHOT_IN_PLAN.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
                while (m.find()) found.add(m.group(1));
            }
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot read the containers' plans in " + containers
                    + " (garbage collection keeps what they use): " + e.getMessage(), e);
        }
        return found;
    }

    private static java.util.List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return java.util.List.of();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            java.util.List<Path> out = new java.util.ArrayList<>();
            s.forEach(out::add);
            return out;
        }
    }

    /** Bytes of the regular files under {@code path}, links not followed; what cannot be read counts nothing. */
    private static long sizeOf(Path path) throws IOException {
        long[] total = {0};
        Files.walkFileTree(path, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) total[0] += attrs.size();
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }
}

package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.InodeFlags;
import dev.enviro.ffm.SyscallException;
import dev.enviro.images.content.ContentStore;
import dev.enviro.images.content.Digest;
import dev.enviro.images.content.Tree;
import dev.enviro.images.unpack.LayerApplier;
import dev.enviro.images.unpack.LayerFormat;
import dev.enviro.images.unpack.UnsafeEntryException;
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
 * Unpacked layers, one directory per layer and id map: {@code snapshots/layers/<diff-hex>-<idmap>/},
 * an overlay lower layer shared by every image that has the layer (keyed by its diff id, the digest
 * of its uncompressed tar, so a gzip and a plain copy of one layer are one snapshot). A layer is
 * unpacked into {@code snapshots/.tmp-*} and renamed into place only once its diff id checked out,
 * so a layer directory that exists is complete; threads of one engine unpack a layer once (a lock per
 * key), and two engines racing keep the first rename's copy.
 */
final class LayerSnapshots {
    private final Path snapshots;
    private final Path layers;
    private final ContentStore content;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    private LayerSnapshots(Path snapshots, ContentStore content) {
        this.snapshots = snapshots;
        this.layers = snapshots.resolve("layers");
        this.content = content;
    }

    static LayerSnapshots open(Path stateDir, ContentStore content) throws EnviroError {
        Path snapshots = stateDir.resolve("snapshots");
        try {
            Files.createDirectories(snapshots.resolve("layers"));
            // Container root (an unprivileged host id) must reach its lower directories through here.
            Files.setAttribute(snapshots, "unix:mode", 0755);
            Files.setAttribute(snapshots.resolve("layers"), "unix:mode", 0755);
            // Each layer is unpacked into a new directory here: spread over the file system's block
            // groups, not piled into one with every inode that removed layers freed (InodeFlags).
            markTopDirectory(snapshots);
            // Half-built layers of a crashed engine or an interrupted pull: one engine owns a state directory.
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(snapshots, ".tmp-*")) {
                for (Path p : leftovers) Tree.delete(p);
            }
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "snapshots " + snapshots + ": cannot open: " + e.getMessage() + ": check that the state directory is writable", e);
        }
        return new LayerSnapshots(snapshots, content);
    }

    /** {@link InodeFlags#markTopDirectory}; a file system that cannot is used as it is. */
    static void markTopDirectory(Path dir) throws IOException {
        try {
            InodeFlags.markTopDirectory(dir);
        } catch (SyscallException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    Path root() {
        return snapshots;
    }

    Path dir() {
        return layers;
    }

    Path path(Digest diffId, IdMap idMap) {
        return layers.resolve(diffId.hex() + "-" + idMap.key());
    }

    boolean exists(Digest diffId, IdMap idMap) {
        return Files.isDirectory(path(diffId, idMap), LinkOption.NOFOLLOW_LINKS);
    }

    /** What unpacks a layer's tar into a fresh directory and returns the diff id it read. */
    interface Unpack {
        Digest into(Path dir) throws IOException, EnviroError;
    }

    /**
     * The layer's directory, unpacking it with {@code unpack} when it does not exist yet. The result of
     * {@code unpack} must be {@code diffId}, else nothing is kept and the image is reported corrupt.
     * Null when the layer reaches into lower layers (a hard link to their file, a path under their
     * directory or link) that {@code unpack} was not given.
     */
    Path ensure(String image, Digest layer, Digest diffId, IdMap idMap, Unpack unpack) throws EnviroError {
        Path done = path(diffId, idMap);
        if (Files.isDirectory(done, LinkOption.NOFOLLOW_LINKS)) return done;
        String key = done.getFileName().toString();
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            if (Files.isDirectory(done, LinkOption.NOFOLLOW_LINKS)) return done;
            Path tmp = null;
            try {
                tmp = Files.createTempDirectory(snapshots, ".tmp-");
                int uid = idMap.hostUid(0), gid = idMap.hostGid(0);
                if (uid >= 0) Files.setAttribute(tmp, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                if (gid >= 0) Files.setAttribute(tmp, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(tmp, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
                Digest read = unpack.into(tmp);
                if (!read.equals(diffId)) {
                    throw new EnviroError(ErrorCode.CORRUPT, "image " + image + ": layer " + layer
                            + " unpacks to " + read + ", its config says " + diffId + ": pull or load the image again");
                }
                try {
                    Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    if (!Files.isDirectory(done, LinkOption.NOFOLLOW_LINKS)) throw raced;
                    Tree.delete(tmp); // another engine finished first: same content, keep theirs
                }
                return done;
            } catch (IOException | RuntimeException e) {
                if (tmp != null) {
                    try {
                        Tree.delete(tmp);
                    } catch (IOException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                }
                if (e instanceof EnviroError ie) throw ie;
                if (e instanceof LayerApplier.LowerLayersNeeded) return null;
                if (e instanceof UnsafeEntryException) throw ImageCheck.unsafe(image, layer, e);
                if (e instanceof IllegalArgumentException || (e instanceof IOException io && isLayerFault(io))) throw ImageCheck.broken(image, layer, e);
                throw new EnviroError(ErrorCode.INTERNAL, "image " + image + ": cannot unpack layer " + layer + " into " + snapshots + ": " + e.getMessage(), e);
            } finally {
                locks.remove(key);
            }
        }
    }

    /**
     * Unpacks a committed layer blob (if its directory does not exist yet); null as {@link #ensure}.
     * {@code lowers}: the layers below, top first; empty for a base layer; null when not at hand.
     */
    Path ensureFromBlob(String image, Digest layer, Digest diffId, IdMap idMap, List<Path> lowers) throws EnviroError {
        return ensure(image, layer, diffId, idMap, dir -> {
            try (InputStream blob = new BufferedInputStream(content.read(layer), 1 << 16)) {
                return LayerApplier.overlayLayer(dir, idMap, lowers).apply(LayerFormat.detect(blob).open(blob));
            }
        });
    }

    /**
     * Every layer of {@code image} for {@code idMap}, base first: missing ones are unpacked in parallel,
     * then, in order, those that reach into lower layers (hard links to their files, entries under
     * their directories or links: they need the lowers unpacked).
     */
    List<Path> ensureAll(ResolvedImage image, List<Digest> diffIds, IdMap idMap) throws EnviroError {
        int n = image.layerDigests().size();
        List<Digest> blobs = image.layerDigests().stream().map(Digest::parse).toList();
        List<java.util.concurrent.Future<Path>> first = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                Digest blob = blobs.get(i), diff = diffIds.get(i);
                List<Path> below = i == 0 ? List.of() : null; // nothing is below a base layer
                first.add(pool.submit(() -> ensureFromBlob(image.reference(), blob, diff, idMap, below)));
            }
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path p;
            try {
                p = first.get(i).get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof EnviroError ie) throw ie;
                throw new EnviroError(ErrorCode.INTERNAL, "image " + image.reference() + ": cannot unpack: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EnviroError(ErrorCode.INTERNAL, "image " + image.reference() + ": unpacking interrupted", e);
            }
            if (p == null) p = ensureFromBlob(image.reference(), blobs.get(i), diffIds.get(i), idMap, out.reversed());
            out.add(p);
        }
        return out;
    }

    /** Layer directories (names) present now. */
    List<Path> list() throws IOException {
        try (var s = Files.list(layers)) {
            return s.toList();
        }
    }

    /** Deletes a layer directory; a container using it must not exist. */
    void delete(Path layerDir) throws IOException {
        synchronized (locks.computeIfAbsent(layerDir.getFileName().toString(), k -> new Object())) {
            Tree.delete(layerDir);
        }
    }

    /** A broken tar or an entry that contradicts the layer (not a failing disk or a denied write). */
    static boolean isLayerFault(IOException e) {
        return !(e instanceof java.nio.file.FileSystemException) || e instanceof java.nio.file.NoSuchFileException
                || e instanceof java.nio.file.NotDirectoryException || e instanceof java.nio.file.FileAlreadyExistsException;
    }
}

package dev.enviro.images.content;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Content-addressed blobs under {@code content/} (containerd's content model, narrowed to what a
 * local engine needs): {@link #read} a committed blob, {@link #ingest} a new one, and
 * {@link Ingest#commit} it. A blob under {@code blobs/sha256/} has been fsynced and its size and
 * digest checked before it got its name, so readers trust the name.
 */
public final class ContentStore {
    private final Path blobs;
    /** The directory of partial writes, below the content directory. */
    public static final String INGEST = "ingest";

    private final Path ingest;

    private ContentStore(Path blobs, Path ingest) {
        this.blobs = blobs;
        this.ingest = ingest;
    }

    /**
     * Opens the store under {@code contentDir}, creating it if needed. Partial writes left in
     * {@code ingest/} by a crashed engine are deleted: one engine owns a state directory.
     */
    public static ContentStore open(Path contentDir) throws EnviroError {
        Path blobs = contentDir.resolve("blobs").resolve("sha256");
        Path ingest = contentDir.resolve(INGEST);
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(ingest);
            try (DirectoryStream<Path> partial = Files.newDirectoryStream(ingest)) {
                for (Path p : partial) Tree.delete(p);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "content store " + contentDir + ": cannot open: " + e.getMessage()
                    + ": check that the state directory is writable", e);
        }
        return new ContentStore(blobs, ingest);
    }

    /** Where a committed blob lives; it may not exist. */
    public Path path(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    public boolean contains(Digest digest) {
        return Files.isRegularFile(path(digest), LinkOption.NOFOLLOW_LINKS);
    }

    /** Size of a committed blob. */
    public long size(Digest digest) throws EnviroError {
        try {
            return Files.size(path(digest));
        } catch (NoSuchFileException e) {
            throw missing(digest);
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Opens a committed blob for reading. */
    public InputStream read(Digest digest) throws EnviroError {
        try {
            return Files.newInputStream(path(digest), LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw missing(digest);
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Reads a small committed blob (a manifest or config) whole; larger than {@code limit} is malformed. */
    public byte[] readSmall(Digest digest, int limit) throws EnviroError {
        try (InputStream in = read(digest)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "blob " + digest + " is larger than " + limit + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Starts a write into {@code ingest/}; nothing is visible until {@link Ingest#commit}. */
    public Ingest ingest() throws EnviroError {
        try {
            Path file = Files.createTempFile(ingest, "ingest-", "");
            FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
            return new Ingest(this, file, channel);
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "content store: cannot start a write in " + ingest + ": " + e.getMessage(), e);
        }
    }

    /** A private temporary file in {@code ingest/} (e.g. a decompressed archive); the caller deletes it. */
    public Path scratchFile() throws EnviroError {
        try {
            return Files.createTempFile(ingest, "scratch-", "");
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "content store: cannot create a file in " + ingest + ": " + e.getMessage(), e);
        }
    }

    /** {@code blobs/sha256/}: committed blobs, named by their hex digest. */
    public Path blobsDir() {
        return blobs;
    }

    /** {@code ingest/}: writes in progress; only a collector that excludes every writer may empty it. */
    public Path ingestDir() {
        return ingest;
    }

    private static EnviroError missing(Digest digest) {
        return new EnviroError(ErrorCode.NOT_FOUND, "blob " + digest + " is not in the content store: load its image again");
    }
}

package dev.enviro.images;

import java.nio.file.Path;
import java.util.List;

/** The local image store: content-addressed blobs plus the names that point at manifests. */
public interface ImageStore {

    /** Opens (creating if needed) the store under {@code stateDir} (see docs/contracts.md). */
    static ImageStore open(Path stateDir) throws ImageException {
        return LocalImageStore.open(stateDir);
    }

    /**
     * Loads an OCI image layout (directory or tar) or a {@code docker save} archive: every blob is
     * verified and committed, then the names are recorded. A malformed archive stores nothing.
     */
    List<ImageSummary> load(Path archive) throws ImageException;

    List<ImageSummary> list() throws ImageException;

    /**
     * Resolves a reference: a name ({@code localhost/busybox}, {@code busybox:latest}; the tag
     * defaults to {@code latest}), a full or short config id, or a manifest digest.
     * Fails with {@link ImageException.Kind#NOT_FOUND} whose message says how to get the image.
     */
    ResolvedImage resolve(String reference) throws ImageException;
}

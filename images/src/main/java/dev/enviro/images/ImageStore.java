package dev.enviro.images;

import dev.enviro.images.registry.Credentials;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** The local image store: content-addressed blobs plus the names that point at manifests. */
public interface ImageStore {

    /** Opens (creating if needed) the store under {@code stateDir} (see docs/contracts.md). */
    static ImageStore open(Path stateDir) throws ImageException {
        return LocalImageStore.open(stateDir, Set.of());
    }

    /**
     * As {@link #open(Path)}; {@code insecureRegistries} ({@code host[:port]}) are spoken to in plain
     * HTTP, as loopback registries always are.
     */
    static ImageStore open(Path stateDir, Set<String> insecureRegistries) throws ImageException {
        return LocalImageStore.open(stateDir, insecureRegistries);
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

    /**
     * Pulls {@code reference} from its registry ({@code busybox} is {@code docker.io/library/busybox:latest})
     * for {@code platform} ({@code os/arch[/variant]}, null for the host's), with {@code credentials}
     * (null: anonymous), reporting progress to {@code events} from the downloading threads. The name
     * is recorded once every blob is committed. Kinds: NOT_FOUND, DENIED, UNAVAILABLE, DIGEST_MISMATCH, MALFORMED, IO.
     */
    default ImageSummary pull(String reference, String platform, Credentials credentials, Consumer<PullEvent> events) throws ImageException {
        throw new ImageException(ImageException.Kind.IO, getClass().getSimpleName() + " cannot pull images");
    }
}

package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.registry.Credentials;
import dev.enviro.images.content.ContentStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** The local image store: content-addressed blobs plus the names that point at manifests. */
public interface ImageStore {

    /** Opens (creating if needed) the store under {@code stateDir} (see docs/contracts.md). */
    static ImageStore open(Path stateDir) throws EnviroError {
        return LocalImageStore.open(stateDir, Set.of());
    }

    /**
     * Where partial writes of the store under {@code stateDir} go, emptied when the store opens: the
     * place for anything that must not outlive a crash (an upload being received, say).
     */
    static Path ingestDirectory(Path stateDir) {
        return LocalImageStore.contentDirectory(stateDir).resolve(ContentStore.INGEST);
    }

    /**
     * As {@link #open(Path)}; {@code insecureRegistries} ({@code host[:port]}) are spoken to in plain
     * HTTP, as loopback registries always are.
     */
    static ImageStore open(Path stateDir, Set<String> insecureRegistries) throws EnviroError {
        return LocalImageStore.open(stateDir, insecureRegistries);
    }

    /**
     * Loads an OCI image layout (directory or tar) or a {@code docker save} archive: every blob is
     * verified and committed, then the names are recorded. A malformed archive stores nothing.
     */
    List<ImageSummary> load(Path archive) throws EnviroError;

    /**
     * Whether {@code registry} accepts {@code credentials} now ({@code enviro login}'s check): returns
     * when it does, fails DENIED when it does not. Stores nothing.
     */
    default void checkLogin(String registry, dev.enviro.images.registry.Credentials credentials) throws EnviroError {
        throw new EnviroError(dev.enviro.errors.ErrorCode.UNAVAILABLE, "this image store does not speak to registries");
    }

    List<ImageSummary> list() throws EnviroError;

    /**
     * Resolves a reference: a name ({@code localhost/busybox}, {@code busybox:latest}; the tag
     * defaults to {@code latest}), a full or short config id, or a manifest digest.
     * Fails with {@link dev.enviro.errors.ErrorCode#NOT_FOUND} whose message says how to get the image.
     */
    ResolvedImage resolve(String reference) throws EnviroError;

    /**
     * Pulls {@code reference} from its registry ({@code busybox} is {@code docker.io/library/busybox:latest})
     * for {@code platform} ({@code os/arch[/variant]}, null for the host's), with {@code credentials}
     * (null: anonymous), reporting progress to {@code events} from the downloading threads. The name
     * is recorded once every blob is committed. Codes: NOT_FOUND, DENIED, UNAVAILABLE, CORRUPT, INVALID_ARGUMENT (malformed), INTERNAL.
     */
    default ImageSummary pull(String reference, String platform, Credentials credentials, Consumer<PullEvent> events) throws EnviroError {
        throw new EnviroError(ErrorCode.INTERNAL, getClass().getSimpleName() + " cannot pull images");
    }

    /**
     * Adds {@code target} as a name of the image {@code source} resolves to (a name already pointing
     * elsewhere moves, as {@code docker tag}). Codes: NOT_FOUND, INVALID_ARGUMENT (not a valid name).
     */
    default ImageSummary tag(String source, String target) throws EnviroError {
        throw new EnviroError(ErrorCode.INTERNAL, getClass().getSimpleName() + " cannot tag images");
    }

    /**
     * {@code rmi}: a name removes that name, and the image with it when no other name points at it; an
     * id removes every name and the image. {@code usedBy} (manifest digest → names of the containers,
     * in any state, made from it) protects images: IN_USE unless {@code force}, and with {@code force}
     * the names go but the image stays (listed untagged) while a container uses it. Blobs and layer
     * snapshots nothing else needs are deleted with the image.
     */
    default ImageRemoval remove(String reference, boolean force, java.util.Map<String, List<String>> usedBy) throws EnviroError {
        throw new EnviroError(ErrorCode.INTERNAL, getClass().getSimpleName() + " cannot remove images");
    }

    /** {@code image inspect}: the image as stored, with its config and layers. */
    default ImageDetails inspect(String reference) throws EnviroError {
        throw new EnviroError(ErrorCode.INTERNAL, getClass().getSimpleName() + " cannot inspect images");
    }

    /**
     * {@code save -o}: writes the images as one OCI image layout tar (each name an index entry with
     * {@code org.opencontainers.image.ref.name}), which {@link #load} and {@code skopeo oci-archive:} read.
     * The file appears whole or not at all (temp + fsync + rename).
     */
    default void save(List<String> references, Path archive) throws EnviroError {
        throw new EnviroError(ErrorCode.INTERNAL, getClass().getSimpleName() + " cannot save images");
    }

    /**
     * {@code image prune}: removes untagged images ({@code all}: every image) that no container in
     * {@code usedBy} uses, then collects garbage: blobs no recorded image reaches, layer snapshots no
     * image has and no container's plan names, leftovers of failed pulls. Waits for running pulls.
     */
    default PruneReport prune(boolean all, java.util.Map<String, List<String>> usedBy) throws EnviroError {
        throw new EnviroError(ErrorCode.INTERNAL, getClass().getSimpleName() + " cannot prune images");
    }
}

package dev.enviro.images.registry;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.oci.ImageName;

/**
 * An image reference split the way the distribution API needs it: {@code busybox} is registry
 * {@code docker.io}, repository {@code library/busybox}, tag {@code latest}. Normalization is
 * {@link ImageName#normalize}'s, so a pulled name and a loaded one are spelled alike.
 *
 * @param digest {@code sha256:…} when the reference pins one, else null; {@code tag} may then be null
 */
public record Reference(String registry, String repository, String tag, String digest) {

    public static Reference parse(String reference) throws EnviroError {
        String full;
        try {
            full = ImageName.normalize(reference == null ? "" : reference.strip());
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid image reference \"" + reference + "\": " + e.getMessage());
        }
        String digest = null;
        int at = full.indexOf('@');
        if (at >= 0) {
            digest = full.substring(at + 1);
            full = full.substring(0, at);
        }
        String tag = null;
        int colon = full.lastIndexOf(':');
        if (colon > full.lastIndexOf('/')) {
            tag = full.substring(colon + 1);
            full = full.substring(0, colon);
        }
        int slash = full.indexOf('/');
        return new Reference(full.substring(0, slash), full.substring(slash + 1), tag, digest);
    }

    /** The registry's API host: Docker Hub's names say {@code docker.io}, its API lives elsewhere. */
    public String apiHost() {
        return registry.equals("docker.io") ? "registry-1.docker.io" : registry;
    }

    /** What to ask the manifests endpoint for: the digest when pinned, else the tag. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    /** The repository name without tag or digest, e.g. {@code docker.io/library/busybox}. */
    public String repositoryName() {
        return registry + "/" + repository;
    }

    /** The name recorded in the store: the tag when there is one (a digest-only pull records no name). */
    public String taggedName() {
        return tag == null ? null : repositoryName() + ":" + tag;
    }

    @Override
    public String toString() {
        return repositoryName() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}

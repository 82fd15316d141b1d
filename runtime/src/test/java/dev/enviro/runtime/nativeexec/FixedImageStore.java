package dev.enviro.runtime.nativeexec;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.ImageConfig;
import dev.enviro.images.ImageStore;
import dev.enviro.images.ImageSummary;
import dev.enviro.images.ResolvedImage;
import java.nio.file.Path;
import java.util.List;

/** One image, "busybox", whose config says Cmd ["sh"] and a PATH; every other name is not found. */
final class FixedImageStore implements ImageStore {
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Override
    public List<ImageSummary> load(Path archive) { throw new UnsupportedOperationException("fixed store"); }

    @Override
    public List<ImageSummary> list() { return List.of(); }

    @Override
    public ResolvedImage resolve(String reference) throws EnviroError {
        if (!reference.equals("busybox")) {
            throw new EnviroError(ErrorCode.NOT_FOUND, "image " + reference + " not found: load it with 'enviro load -i FILE'");
        }
        return new ResolvedImage(reference, DIGEST, DIGEST, new ImageConfig(List.of("PATH=/bin"), List.of(), List.of("sh"), null, null), List.of());
    }
}

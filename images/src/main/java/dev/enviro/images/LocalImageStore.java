package dev.enviro.images;

import java.nio.file.Path;
import java.util.List;

/** PLACEHOLDER: being written (content store + load). */
final class LocalImageStore implements ImageStore {
    static LocalImageStore open(Path stateDir) throws ImageException { throw new ImageException(ImageException.Kind.IO, "not yet implemented"); }
    public List<ImageSummary> load(Path archive) throws ImageException { throw new UnsupportedOperationException(); }
    public List<ImageSummary> list() throws ImageException { throw new UnsupportedOperationException(); }
    public ResolvedImage resolve(String reference) throws ImageException { throw new UnsupportedOperationException(); }
}

package dev.enviro.images;

import dev.enviro.ffm.IdMap;
import java.nio.file.Path;
import java.util.List;

/** PLACEHOLDER: being written. */
final class OverlaySnapshotter implements Snapshotter {
    static OverlaySnapshotter open(Path stateDir, ImageStore store) throws ImageException { throw new ImageException(ImageException.Kind.IO, "not yet implemented"); }
    public List<Mount> prepare(ResolvedImage image, IdMap idMap, Path containerDir) throws ImageException { throw new UnsupportedOperationException(); }
    public void remove(Path containerDir) throws ImageException { throw new UnsupportedOperationException(); }
}

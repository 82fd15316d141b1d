package dev.enviro.images.unpack;

import dev.enviro.images.content.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A layer read the way {@link LayerApplier} reads it, writing nothing: every entry through
 * {@link LayerRules}, file data read through (holes skipped), the diff id computed and the archive's
 * length checked. What it returns is replayed into an {@link ImageModel} in layer order; the two make
 * the check that load and pull run before an image is recorded.
 */
public final class LayerScan {
    private LayerScan() {}

    /**
     * A layer's checked entries, in order, and its diff id; or, when reading stopped at a refusal, the
     * entries before it and the refusal ({@code diffId} null). The refusal is kept in its place rather
     * than thrown: the model replays the entries before it first, so that an earlier entry that climbs
     * out through a link is reported first, as unpacking would.
     */
    public record Scanned(Digest diffId, List<LayerEntry> entries, IOException refusal) {}

    /**
     * Reads one uncompressed layer tar. {@code devices}: whether this engine may make device nodes
     * ({@link SpecialFiles#devicesCreatable}); a layer holding one it may not is refused.
     */
    public static Scanned read(InputStream layerTar, boolean devices) {
        LayerReader reader = new LayerReader(layerTar, new LayerRules(devices));
        EntryData data = new EntryData(new byte[64 * 1024]);
        List<LayerEntry> entries = new ArrayList<>();
        try {
            for (LayerEntry e; (e = reader.next()) != null; ) {
                if (Thread.interrupted()) throw new InterruptedIOException("the check of the layer was cancelled");
                if (e.kind() == LayerEntry.Kind.FILE) data.copy(reader.tar(), reader.current(), null);
                entries.add(e);
            }
            return new Scanned(reader.finish(), entries, null);
        } catch (IOException e) {
            return new Scanned(null, entries, e);
        } catch (IllegalArgumentException | IllegalStateException e) { // the tar reader's word for some malformed headers
            return new Scanned(null, entries, new IOException(e.getMessage(), e));
        }
    }
}

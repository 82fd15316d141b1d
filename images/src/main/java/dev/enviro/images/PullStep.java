package dev.enviro.images;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One timed step of an image pull (resolving the manifest, a layer's download, its fsync and rename,
 * its unpacking, recording the name), as a JDK Flight Recorder event, the pull's counterpart of the
 * runtime's {@code LifecycleStep}: free unless a recording runs. Record with
 * {@code ENVIRO_JAVA_OPTS=-XX:StartFlightRecording=filename=pull.jfr} on the daemon and read with
 * {@code scripts/pull-steps.sh pull.jfr} (docs/performance.md). Layers download and unpack on their own
 * threads, so steps of one pull overlap; a step belongs to the {@code pull} step whose time span holds it.
 */
@Name(PullStep.NAME)
@Label("Image pull step")
@Category({"Enviro", "Images"})
@Description("A step of an image pull, with its duration")
@StackTrace(false)
public final class PullStep extends Event {

    public static final String NAME = "dev.enviro.PullStep";

    @Label("Image")
    @Description("The reference being pulled")
    String image;

    @Label("Step")
    @Description("pull, resolve, config, layer.download, layer.commit, layer.unpack, layer.unpacked, metadata.commit, record")
    String step;

    @Label("Layer")
    @Description("The layer's digest, for layer steps")
    String layer;

    @Label("Bytes")
    @DataAmount
    long bytes;

    private PullStep(String image, String step, String layer, long bytes) {
        this.image = image;
        this.step = step;
        this.layer = layer;
        this.bytes = bytes;
    }

    /** A step of the pull of {@code image} that begins now; {@link #commit()} ends and records it. */
    public static PullStep begin(String image, String step) {
        return begin(image, step, null, 0);
    }

    /** A step about one layer ({@code bytes}: its compressed size). */
    public static PullStep begin(String image, String step, String layer, long bytes) {
        PullStep event = new PullStep(image, step, layer, bytes);
        event.begin();
        return event;
    }
}

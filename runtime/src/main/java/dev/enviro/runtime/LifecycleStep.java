package dev.enviro.runtime;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One timed step of a container's life in the engine (a journal write, the rootfs snapshot, the helper
 * handshake, the cleanup), as a JDK Flight Recorder event. Off unless a recording runs, and then cheap
 * (no stack trace): start the daemon with {@code ENVIRO_JAVA_OPTS=-XX:StartFlightRecording=filename=run.jfr}
 * and read it with {@code jfr print --events dev.enviro.LifecycleStep run.jfr} or
 * {@code scripts/lifecycle-steps.sh run.jfr} (docs/performance.md).
 *
 * <p>A step may begin on one thread and end on another (a journal write begins in the command handler
 * and ends in its {@code thenRun}); the event only carries the two instants.
 */
@Name(LifecycleStep.NAME)
@Label("Container lifecycle step")
@Category({"Enviro", "Containers"})
@Description("A step of a container's create, start, exit or removal, with its duration")
@StackTrace(false)
public final class LifecycleStep extends Event {

    public static final String NAME = "dev.enviro.LifecycleStep";

    @Label("Container")
    @Description("The container's id")
    String container;

    @Label("Step")
    @Description("What was done, e.g. journal.Started, rootfs.prepare, helper.spawn")
    String step;

    private LifecycleStep(String container, String step) {
        this.container = container;
        this.step = step;
    }

    /** A step of {@code container} that begins now; {@link #commit()} ends and records it. */
    public static LifecycleStep begin(String container, String step) {
        LifecycleStep event = new LifecycleStep(container, step);
        event.begin();
        return event;
    }

    /** Names the container once it is known (a run's create step begins before the engine chose an id). */
    public LifecycleStep container(String id) {
        this.container = id;
        return this;
    }
}

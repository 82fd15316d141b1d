package dev.enviro.supervisors;

import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * How the engine's actors heal: one strategy for the whole tree. An actor whose state is its journal
 * (a container, a service, the registry, the image history) is restarted when it fails, not stopped:
 * a restart replays the journal and, for a running container, re-adopts the process, which never
 * depended on the actor. The back-off (200 ms doubling to 10 s, ±20 %) keeps a journal outage from
 * turning into a restart storm across thousands of actors.
 */
public final class Supervision {

    /** For a journal that fails a write or a replay (an event-sourced actor's own strategy) and for a child that throws. */
    public static final BackoffSupervisorStrategy RESTART_FROM_JOURNAL =
            SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2);

    private Supervision() {}

    /** {@code child}, restarted from its journal when it fails. */
    public static <T> Behavior<T> restartedFromJournal(Behavior<T> child) {
        return Behaviors.supervise(child).onFailure(RESTART_FROM_JOURNAL);
    }
}

package dev.enviro.actors;

import com.typesafe.config.Config;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * When the engine's event-sourced actors save their state ({@code enviro.snapshots}): every {@code every}
 * events, keeping the last {@code keep} snapshots. Recovery then replays at most {@code every} events,
 * however long a container's history grows. Events are never deleted on a snapshot: the journal is
 * the audit log, and only the audit retention removes it. {@code every = 0} turns snapshots off.
 */
record Snapshots(int every, int keep) {

    static final String PATH = "enviro.snapshots";

    Snapshots {
        if (every < 0 || keep < 1) {
            throw new IllegalArgumentException(PATH + ": every must be >= 0 and keep >= 1, got every = " + every
                    + ", keep = " + keep);
        }
    }

    static Snapshots from(Config config) {
        return new Snapshots(config.getInt(PATH + ".every"), config.getInt(PATH + ".keep"));
    }

    RetentionCriteria criteria() {
        return every == 0 ? RetentionCriteria.disabled() : RetentionCriteria.snapshotEvery(every, keep);
    }
}

package dev.enviro.actors;

import dev.enviro.persistence.ContainerEvent;

/**
 * What the restart policy needs to know, rebuilt from the journal: restarts since the user's last
 * start ({@code count}, shown as RestartCount), whether a user stopped it, the restart waiting for
 * its delay ({@code pending}), the last delay (back-off grows from it) and whether a restart's start
 * is in flight ({@code restarting}: a {@code Restarted} not yet followed by {@code Started}).
 */
record Restarts(int count, boolean stoppedByUser, ContainerEvent.RestartScheduled pending, long lastDelayMillis,
                boolean restarting) {

    static final Restarts NONE = new Restarts(0, false, null, 0, false);

    /** A user's start resets the count (Docker); a restart's start keeps it. */
    Restarts started() {
        return restarting ? new Restarts(count, false, null, lastDelayMillis, false) : NONE;
    }

    Restarts stopped() {
        return new Restarts(count, true, null, lastDelayMillis, false);
    }

    Restarts scheduled(ContainerEvent.RestartScheduled e) {
        return new Restarts(count, stoppedByUser, e, e.delayMillis(), false);
    }

    Restarts restarted(ContainerEvent.Restarted e) {
        return new Restarts(e.attempt(), false, null, lastDelayMillis, true);
    }

    Restarts startFailed() {
        return new Restarts(count, stoppedByUser, null, lastDelayMillis, false);
    }
}

package dev.enviro.persistence;

import java.util.Set;

/**
 * The journal tag every {@link LifecycleEvent} carries. One tag for all, so that
 * {@code eventsByTag} replays the whole audit log in the journal's global order (its {@code ordering}
 * column): the event stream is that query, filtered. Registry bookkeeping is not tagged.
 */
public final class EventTags {

    public static final String LIFECYCLE = "lifecycle";

    private EventTags() {}

    public static Set<String> of(Object event) {
        return event instanceof LifecycleEvent ? Set.of(LIFECYCLE) : Set.of();
    }
}

package dev.enviro.persistence;

import java.time.Instant;
import java.util.Map;

/**
 * The one event vocabulary of the engine, shared by the journal, the gRPC event stream and the audit
 * log (containerd's envelope: timestamp, topic, subject, event). Every journaled container and image
 * event is one; {@link EventTags} makes them queryable in journal order across all subjects.
 */
public sealed interface LifecycleEvent extends JournalSerializable permits ContainerEvent, ImageEvent, ServiceEvent {

    /** containerd-style topic, e.g. {@code /tasks/exit}. */
    String topic();

    /** The event's short name, e.g. {@code Exited}: what {@code --filter type=} matches. */
    default String type() {
        return getClass().getSimpleName();
    }

    /** What the event is about: a container id, or an image reference. */
    String subject();

    Instant timestamp();

    Origin origin();

    /** The event's own facts, as strings, for the event stream and {@code enviro events}. */
    Map<String, String> attributes();
}

package dev.enviro.actors;

import dev.enviro.supervisors.Supervision;
import dev.enviro.persistence.EventTags;
import dev.enviro.persistence.ImageEvent;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The journal of what happened to local images (persistence id {@value #PERSISTENCE_ID}): pulls, loads
 * and removals, tagged like every lifecycle event, so {@code enviro events --filter type=Loaded} finds
 * them. The image store is the truth about images; this actor only records, so its state is a count.
 */
final class ImageHistory extends EventSourcedBehavior<ImageHistory.Record, ImageEvent, Long> {

    static final String PERSISTENCE_ID = "images";

    /** Journals {@code events} in order, then answers. */
    record Record(List<ImageEvent> events, ActorRef<Done> replyTo) {}

    static Behavior<Record> create() {
        return new ImageHistory();
    }

    private ImageHistory() {
        super(PersistenceId.ofUniqueId(PERSISTENCE_ID),
                Supervision.RESTART_FROM_JOURNAL);
    }

    @Override
    public Long emptyState() {
        return 0L;
    }

    @Override
    public CommandHandler<Record, ImageEvent, Long> commandHandler() {
        return (count, record) -> record.events().isEmpty()
                ? Effect().none().thenRun(c -> record.replyTo().tell(Done.getInstance()))
                : Effect().persist(record.events()).thenRun(c -> record.replyTo().tell(Done.getInstance()));
    }

    @Override
    public EventHandler<Long, ImageEvent> eventHandler() {
        return (count, event) -> count + 1;
    }

    @Override
    public Set<String> tagsFor(ImageEvent event) {
        return EventTags.of(event);
    }
}

package dev.enviro.persistence;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.BroadcastHub;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The journal's lifecycle events as they are written, read once for every follower ({@code enviro events
 * --follow}): one poll of the journal, fanned out through a {@link BroadcastHub}, instead of one
 * read-journal stream per follower (250 followers polled the journal 5,000 times a second, and each
 * held its own buffers). Started with the first follower, from the journal's end then; after a failure
 * of the journal it resumes after the last event it passed on.
 *
 * <p>A follower that falls more than {@link #BEHIND} events behind is ended with a line saying where to
 * resume ({@code --after}), rather than holding every other follower back or growing without bound.
 */
final class AuditFeed {

    /** Events a follower may have unread before it is ended. */
    static final int BEHIND = 1000;

    private final ActorSystem<?> system;
    private final JdbcReadJournal journal;
    private final LongSupplier newest;
    private final AtomicLong passed = new AtomicLong(-1);
    private Source<AuditRecord, NotUsed> hub;

    AuditFeed(ActorSystem<?> system, JdbcReadJournal journal, LongSupplier newest) {
        this.system = system;
        this.journal = journal;
        this.newest = newest;
    }

    /** Every event written after {@code after} (an offset), as it is written, for as long as the source runs. */
    synchronized Source<AuditRecord, NotUsed> after(long after) {
        if (hub == null) {
            passed.set(newest.getAsLong());
            Source<AuditRecord, NotUsed> live = RestartSource.withBackoff(
                    RestartSettings.create(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2),
                    () -> journal.eventsByTag(EventTags.LIFECYCLE, Offset.sequence(passed.get()))
                            .filter(e -> e.event() instanceof LifecycleEvent)
                            .map(AuditFeed::record)
                            .map(r -> {
                                passed.set(r.offset());
                                return r;
                            }));
            hub = live.toMat(BroadcastHub.of(AuditRecord.class, 256), Keep.right()).run(system);
        }
        long from = after;
        return hub.filter(r -> r.offset() > from)
                .buffer(BEHIND, OverflowStrategy.fail())
                .mapError(BufferOverflowException.class, e -> new EnviroError(ErrorCode.EXHAUSTED,
                        "the event stream fell more than " + BEHIND + " events behind: read faster, or resume with --after the last offset shown"));
    }

    private static AuditRecord record(EventEnvelope envelope) {
        long offset = envelope.offset() instanceof Sequence s ? s.value() : 0;
        return new AuditRecord(offset, envelope.sequenceNr(), (LifecycleEvent) envelope.event());
    }
}

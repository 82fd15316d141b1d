package dev.enviro.persistence;

import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The audit log: the journal read back through Pekko Persistence Query. Every {@link LifecycleEvent}
 * is tagged {@link EventTags#LIFECYCLE}, so {@code eventsByTag} replays all of them in journal order
 * from any offset, and with {@code follow} keeps polling for new ones (the read journal's
 * {@code refresh-interval}). Nothing here is kept in memory: history survives engine restarts because
 * it is only ever read from the journal.
 */
public final class AuditLog {

    private final JdbcReadJournal journal;

    public AuditLog(ActorSystem<?> system) {
        this.journal = PersistenceQuery.get(system.classicSystem())
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    }

    /** Events matching {@code query}, oldest first; endless with {@code follow} until {@code until} passes. */
    public Source<AuditRecord, NotUsed> events(AuditQuery query) {
        Offset from = Offset.sequence(query.afterOffset());
        // Following past a bound that has already passed is just reading what is there.
        boolean follow = query.follow() && (query.until() == null || query.until().isAfter(Instant.now()));
        Source<EventEnvelope, NotUsed> envelopes = follow
                ? journal.eventsByTag(EventTags.LIFECYCLE, from)
                : journal.currentEventsByTag(EventTags.LIFECYCLE, from);
        Source<AuditRecord, NotUsed> records = envelopes
                .filter(e -> e.event() instanceof LifecycleEvent)
                .map(AuditLog::record)
                .filter(r -> query.matches(r.event()));
        if (follow && query.until() != null) {
            records = records.takeWithin(Duration.between(Instant.now(), query.until()));
        }
        return records;
    }

    /** Every event of one container, in order, including after its removal (until the audit retention passes). */
    public Source<AuditRecord, NotUsed> history(String persistenceId) {
        return journal.currentEventsByPersistenceId(persistenceId, 0, Long.MAX_VALUE)
                .filter(e -> e.event() instanceof LifecycleEvent)
                .map(AuditLog::record);
    }

    private static AuditRecord record(EventEnvelope envelope) {
        long offset = envelope.offset() instanceof Sequence s ? s.value() : 0;
        return new AuditRecord(offset, envelope.sequenceNr(), (LifecycleEvent) envelope.event());
    }
}

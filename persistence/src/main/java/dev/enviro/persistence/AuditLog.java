package dev.enviro.persistence;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The audit log: the journal read back through Pekko Persistence Query. Every {@link LifecycleEvent}
 * is tagged {@link EventTags#LIFECYCLE}, so {@code eventsByTag} replays all of them in journal order
 * from any offset, and with {@code follow} keeps polling for new ones (the read journal's
 * {@code refresh-interval}). Nothing here is kept in memory: history survives engine restarts because
 * it is only ever read from the journal.
 */
public final class AuditLog {

    /**
     * What is in the journal now, by tag, oldest first: the tables the JDBC plugin owns (the same
     * schema on H2 and PostgreSQL, docs/lifecycle.md), read with one query. Pekko's
     * {@code currentEventsByTag} first waits for its sequence actor to have seen every ordering below
     * the journal's highest (up to a poll interval after any write), which made {@code enviro events}
     * take ~30-250 ms for a handful of rows. An event is written after its timestamp, so rows written
     * before {@code since} can be left unread (and undecoded); the exact bounds are checked on the events.
     */
    private static final String CURRENT_BY_TAG = """
            SELECT j."ordering", j."sequence_number", j."event_ser_id", j."event_ser_manifest", j."event_payload"
            FROM "event_journal" j JOIN "event_tag" t ON t."event_id" = j."ordering"
            WHERE t."tag" = ? AND j."ordering" > ? AND j."write_timestamp" >= ? AND j."deleted" = false
            ORDER BY j."ordering"
            """;

    private final JdbcReadJournal journal;
    private final JournalSettings settings;
    private final Serialization serialization;
    /** The connection {@link #current} reads with; guarded by this. */
    private Connection connection;

    public AuditLog(ActorSystem<?> system, JournalSettings settings) {
        this.journal = PersistenceQuery.get(system.classicSystem())
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        this.settings = settings;
        this.serialization = SerializationExtension.get(system.classicSystem());
    }

    /** Whether {@code query} waits for events to come: following past a bound that has already passed is just reading what is there. */
    public static boolean follows(AuditQuery query) {
        return query.follow() && (query.until() == null || query.until().isAfter(Instant.now()));
    }

    /** Events matching a {@link #follows following} {@code query}, oldest first, endless until {@code until} passes. */
    public Source<AuditRecord, NotUsed> follow(AuditQuery query) {
        Offset from = Offset.sequence(query.afterOffset());
        Source<AuditRecord, NotUsed> records = journal.eventsByTag(EventTags.LIFECYCLE, from)
                .filter(e -> e.event() instanceof LifecycleEvent)
                .map(AuditLog::record)
                .filter(r -> query.matches(r.event()));
        if (query.until() != null) {
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

    /**
     * Events matching {@code query} that are in the journal now, oldest first; blocks. One connection
     * is kept for these reads (opening one was a third of a short {@code enviro events}); a failed read
     * drops it and tries once more on a new one, so a restarted PostgreSQL costs no failed command.
     */
    public synchronized List<AuditRecord> current(AuditQuery query) {
        try {
            return read(query);
        } catch (SQLException first) {
            closeConnection();
            try {
                return read(query);
            } catch (SQLException e) {
                closeConnection();
                throw new EnviroError(ErrorCode.UNAVAILABLE, "cannot read the audit log from the journal at "
                        + settings.location() + ": " + JournalProbe.oneLine(e) + ": retry once the journal is back", e);
            }
        }
    }

    /** Closes the connection {@link #current} keeps; the next read opens a new one. */
    public synchronized void close() {
        closeConnection();
    }

    private void closeConnection() {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException ignored) {
            // it is being dropped because it failed, or the engine stops
        }
        connection = null;
    }

    private List<AuditRecord> read(AuditQuery query) throws SQLException {
        List<AuditRecord> records = new ArrayList<>();
        if (connection == null) connection = JournalProbe.connect(settings);
        try (PreparedStatement select = connection.prepareStatement(CURRENT_BY_TAG)) {
            select.setString(1, EventTags.LIFECYCLE);
            select.setLong(2, query.afterOffset());
            select.setLong(3, query.since() == null ? 0 : query.since().toEpochMilli());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Object event = serialization.deserialize(rows.getBytes(5), rows.getInt(3), rows.getString(4)).get();
                    if (event instanceof LifecycleEvent e && query.matches(e)) {
                        records.add(new AuditRecord(rows.getLong(1), rows.getLong(2), e));
                    }
                }
            }
        }
        return records;
    }

    private static AuditRecord record(EventEnvelope envelope) {
        long offset = envelope.offset() instanceof Sequence s ? s.value() : 0;
        return new AuditRecord(offset, envelope.sequenceNr(), (LifecycleEvent) envelope.event());
    }
}

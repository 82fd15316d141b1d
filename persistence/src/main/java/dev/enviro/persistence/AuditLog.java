package dev.enviro.persistence;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.apache.pekko.stream.javadsl.StreamConverters;
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

    /**
     * The journal's orderings from the last one written more than {@link #SETTLE} ago: the writes
     * that may still be committing. The journal's writers run in parallel transactions, so ordering
     * N+1 can be visible while N is not yet; an offset shown past such a hole would let a resumed read
     * ({@code --after}) skip N for good. So a read that would show an offset past a recent hole waits
     * for it to fill, as Pekko's read journal does, at most {@link #HOLE_PATIENCE}: a hole that stays
     * is a write that never committed (an engine killed mid-write), and older holes are deletions.
     */
    private static final String RECENT_ORDERINGS = """
            SELECT settled."base", j."ordering"
            FROM (SELECT COALESCE(MAX("ordering"), 0) AS "base" FROM "event_journal" WHERE "write_timestamp" < ?) settled
            LEFT JOIN "event_journal" j ON j."ordering" > settled."base"
            ORDER BY j."ordering"
            """;

    /** Longer than a journal write's transaction takes. */
    private static final long SETTLE = 1_000;

    /** How long a read waits for a recent hole below what it would show (Pekko's query-delay x max-tries). */
    private static final Duration HOLE_PATIENCE = Duration.ofMillis(500);

    private final ActorSystem<?> system;
    private final JdbcReadJournal journal;
    private final JournalSettings settings;
    private final Serialization serialization;
    private final JournalPool pool;

    public AuditLog(ActorSystem<?> system, JournalSettings settings) {
        this.system = system;
        this.journal = PersistenceQuery.get(system.classicSystem())
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        this.settings = settings;
        this.serialization = SerializationExtension.get(system.classicSystem());
        this.pool = new JournalPool(system);
    }

    /**
     * Events matching {@code query}, oldest first. What is in the journal now is one query on
     * {@code blocking} (no stream to materialize: a short {@code enviro events} was mostly that); a
     * {@code follow} past now is the read journal's endless stream, until {@code until} passes.
     */
    public CompletionStage<Stream<AuditRecord>> events(AuditQuery query, Executor blocking) {
        // following past a bound that has already passed is just reading what is there
        if (query.follow() && (query.until() == null || query.until().isAfter(Instant.now()))) {
            return CompletableFuture.completedFuture(follow(query).runWith(StreamConverters.asJavaStream(), system));
        }
        return CompletableFuture.supplyAsync(() -> current(query).stream(), blocking);
    }

    private Source<AuditRecord, NotUsed> follow(AuditQuery query) {
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
     * Events matching {@code query} that are in the journal now, oldest first; blocks. The connection
     * is the journal plugin's own pool's (one pool per journal: an H2 file must not be opened by two).
     */
    public List<AuditRecord> current(AuditQuery query) {
        try (Connection connection = pool.connection()) {
            long deadline = System.nanoTime() + HOLE_PATIENCE.toNanos();
            for (;;) {
                List<AuditRecord> records = read(connection, query);
                long hole = firstHole(connection);
                if (records.isEmpty() || records.getLast().offset() < hole || System.nanoTime() > deadline) return records;
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnviroError(ErrorCode.CANCELLED, "the audit log read was interrupted", e);
        } catch (SQLException e) {
            throw new EnviroError(ErrorCode.UNAVAILABLE, "cannot read the audit log from the journal at "
                    + settings.location() + ": " + JournalProbe.oneLine(e) + ": retry once the journal is back", e);
        }
    }

    private List<AuditRecord> read(Connection connection, AuditQuery query) throws SQLException {
        List<AuditRecord> records = new ArrayList<>();
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

    /** The lowest ordering that may still be committing ({@link #RECENT_ORDERINGS}); past the end when none. */
    static long firstHole(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(RECENT_ORDERINGS)) {
            select.setLong(1, System.currentTimeMillis() - SETTLE);
            try (ResultSet rows = select.executeQuery()) {
                long previous = -1;
                while (rows.next()) {
                    if (previous < 0) previous = rows.getLong(1); // the last settled ordering (0: none yet)
                    long ordering = rows.getLong(2);
                    if (rows.wasNull()) break; // nothing written since
                    if (ordering > previous + 1) return previous + 1;
                    previous = ordering;
                }
            }
        }
        return Long.MAX_VALUE;
    }

    private static AuditRecord record(EventEnvelope envelope) {
        long offset = envelope.offset() instanceof Sequence s ? s.value() : 0;
        return new AuditRecord(offset, envelope.sequenceNr(), (LifecycleEvent) envelope.event());
    }
}

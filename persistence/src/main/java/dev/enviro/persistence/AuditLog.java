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
import java.util.Iterator;
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
            LIMIT ?
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
    private final AuditFeed feed;

    public AuditLog(ActorSystem<?> system, JournalSettings settings) {
        this(system, settings, PAGE);
    }

    /** With pages of {@code pageRows} rows (tests read across pages with a few events). */
    AuditLog(ActorSystem<?> system, JournalSettings settings, int pageRows) {
        this.pageRows = pageRows;
        this.system = system;
        this.journal = PersistenceQuery.get(system.classicSystem())
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        this.settings = settings;
        this.serialization = SerializationExtension.get(system.classicSystem());
        this.pool = new JournalPool(system);
        this.feed = new AuditFeed(system, journal, this::newest);
    }

    /**
     * Events matching {@code query}, oldest first. What is in the journal now is one query on
     * {@code blocking} (no stream to materialize: a short {@code enviro events} was mostly that); a
     * {@code follow} past now is the read journal's endless stream, until {@code until} passes.
     */
    public CompletionStage<Stream<AuditRecord>> events(AuditQuery query, Executor blocking) {
        // following past a bound that has already passed is just reading what is there
        if (query.follow() && (query.until() == null || query.until().isAfter(Instant.now()))) {
            return CompletableFuture.supplyAsync(() -> follow(query).runWith(StreamConverters.asJavaStream(), system), blocking);
        }
        return CompletableFuture.supplyAsync(() -> current(query), blocking);
    }

    /** The highest ordering in the journal now (0: none). */
    private long newest() {
        try (Connection connection = pool.connection();
             PreparedStatement select = connection.prepareStatement("SELECT COALESCE(MAX(\"ordering\"), 0) FROM \"event_journal\"");
             ResultSet rows = select.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new EnviroError(ErrorCode.UNAVAILABLE, "cannot read the audit log from the journal at "
                    + settings.location() + ": " + JournalProbe.oneLine(e) + ": retry once the journal is back", e);
        }
    }

    /**
     * As docker's: a follow without {@code since} or an offset shows what happens from now; with them, the
     * history first (read as {@link #current}), then what is written meanwhile and after. The live part
     * is attached before the history is read (concat materializes both at once) and skips what the
     * history already showed, so nothing falls between the two.
     */
    private Source<AuditRecord, NotUsed> follow(AuditQuery query) {
        Source<AuditRecord, NotUsed> records;
        if (query.since() == null && query.afterOffset() == 0) {
            records = feed.after(newest()).filter(r -> query.matches(r.event()));
        } else {
            java.util.concurrent.atomic.AtomicLong shown = new java.util.concurrent.atomic.AtomicLong(query.afterOffset());
            Source<AuditRecord, NotUsed> history = Source.fromIterator(() -> current(query).iterator())
                    .map(r -> {
                        shown.set(r.offset());
                        return r;
                    })
                    .withAttributes(org.apache.pekko.stream.ActorAttributes.dispatcher(org.apache.pekko.stream.ActorAttributes.IODispatcher().dispatcher()));
            records = history.concat(feed.after(query.afterOffset())
                    .filter(r -> r.offset() > shown.get() && query.matches(r.event())));
        }
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

    /** Rows read per query of a history: a whole journal is never held in the engine's memory at once. */
    static final int PAGE = 500;

    private final int pageRows;

    /**
     * Events matching {@code query} that are in the journal now, oldest first, read a page at a time as
     * the caller consumes them (each page on a connection of the journal plugin's own pool, returned at
     * once: a slow reader must not hold one of the few connections the journal writes with; one pool per
     * journal, as an H2 file must not be opened by two). Each page blocks.
     */
    public Stream<AuditRecord> current(AuditQuery query) {
        Iterator<AuditRecord> pages = new Iterator<>() {
            private long after = query.afterOffset();
            private Iterator<AuditRecord> page = java.util.Collections.emptyIterator();
            private boolean last;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && !last) {
                    Page next = page(query, after);
                    page = next.records().iterator();
                    after = next.through();
                    last = next.last();
                }
                return page.hasNext();
            }

            @Override
            public AuditRecord next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                return page.next();
            }
        };
        return java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(pages, java.util.Spliterator.ORDERED | java.util.Spliterator.NONNULL), false);
    }

    /** One page: the records matching among up to a page of rows after {@code after}, the last ordering read, and whether it ended the journal. */
    private record Page(List<AuditRecord> records, long through, boolean last) {}

    private Page page(AuditQuery query, long after) {
        try (Connection connection = pool.connection()) {
            long deadline = System.nanoTime() + HOLE_PATIENCE.toNanos();
            for (;;) {
                Page page = read(connection, query, after);
                long hole = firstHole(connection);
                if (page.through() < hole || System.nanoTime() > deadline) return page;
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

    private Page read(Connection connection, AuditQuery query, long after) throws SQLException {
        List<AuditRecord> records = new ArrayList<>();
        long through = after;
        int rows = 0;
        try (PreparedStatement select = connection.prepareStatement(CURRENT_BY_TAG)) {
            select.setString(1, EventTags.LIFECYCLE);
            select.setLong(2, after);
            select.setLong(3, query.since() == null ? 0 : query.since().toEpochMilli());
            select.setInt(4, pageRows);
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows++;
                    through = result.getLong(1);
                    Object event = serialization.deserialize(result.getBytes(5), result.getInt(3), result.getString(4)).get();
                    if (event instanceof LifecycleEvent e && query.matches(e)) {
                        records.add(new AuditRecord(through, result.getLong(2), e));
                    }
                }
            }
        }
        return new Page(records, through, rows < pageRows);
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

package dev.enviro.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Where a read of what is in the journal must stop: before a write that may still be committing. */
class AuditHoleTest {

    private Connection db;

    @BeforeEach
    void open() throws Exception {
        db = DriverManager.getConnection("jdbc:h2:mem:holes;DB_CLOSE_DELAY=0", "sa", "");
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE \"event_journal\" (\"ordering\" BIGINT PRIMARY KEY, \"write_timestamp\" BIGINT)");
        }
    }

    @AfterEach
    void close() throws Exception {
        db.close();
    }

    private void row(long ordering, long ageMillis) throws Exception {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO \"event_journal\" VALUES (?, ?)")) {
            p.setLong(1, ordering);
            p.setLong(2, System.currentTimeMillis() - ageMillis);
            p.executeUpdate();
        }
    }

    @Test
    void aRecentHoleEndsTheRead() throws Exception {
        row(1, 60_000);
        row(2, 60_000);
        row(3, 10);
        row(5, 5); // 4 is still committing
        assertEquals(4, AuditLog.firstHole(db));
    }

    @Test
    void aHoleBelowTheSettledWritesIsADeletion() throws Exception {
        row(1, 60_000);
        row(3, 60_000); // 2 was deleted long ago
        row(4, 10);
        assertEquals(Long.MAX_VALUE, AuditLog.firstHole(db));
    }

    @Test
    void theFirstWriteOfAJournalMayBeTheOneStillCommitting() throws Exception {
        row(2, 10);
        assertEquals(1, AuditLog.firstHole(db));
    }

    @Test
    void noHoleNoEnd() throws Exception {
        row(1, 10);
        row(2, 5);
        assertEquals(Long.MAX_VALUE, AuditLog.firstHole(db));
        try (Statement s = db.createStatement()) {
            s.execute("DELETE FROM \"event_journal\"");
        }
        assertEquals(Long.MAX_VALUE, AuditLog.firstHole(db));
    }
}

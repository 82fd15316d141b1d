package dev.enviro.persistence;

import dev.enviro.errors.EnviroError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Schema set-up and reachability against a real, private PostgreSQL server that the test stops and starts. */
class PostgresJournalTest {

    private static PostgresCluster postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresCluster.create();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) postgres.close();
    }

    @Test
    void theShippedSchemaIsAppliedAndASecondApplicationIsANoOp() throws Exception {
        JournalSettings settings = JournalSettings.postgres(Path.of("/tmp"), postgres.newDatabase(), PostgresCluster.USER, "");
        JournalSchema.ensure(settings);
        JournalSchema.ensure(settings);
        Set<String> tables = new TreeSet<>();
        try (Connection c = DriverManager.getConnection(settings.url(), PostgresCluster.USER, "");
             ResultSet rs = c.getMetaData().getTables(null, "public", null, new String[] {"TABLE"})) {
            while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
        }
        assertEquals(Set.of("durable_state", "event_journal", "event_tag", "snapshot"), tables);
    }

    @Test
    void aStoppedServerIsReportedUnreachableInOneLineAndReachableOnceBack() throws Exception {
        JournalSettings settings = JournalSettings.postgres(Path.of("/tmp"), postgres.newDatabase(), PostgresCluster.USER, "");
        assertEquals(Optional.empty(), JournalProbe.unreachable(settings));
        postgres.stop();
        try {
            Optional<String> down = JournalProbe.unreachable(settings);
            assertTrue(down.isPresent(), "the server is stopped");
            assertTrue(!down.get().contains("\n") && down.get().contains("refused"), down.get());
            EnviroError e = assertThrows(EnviroError.class, () -> JournalSchema.ensure(settings));
            assertTrue(e.getMessage().startsWith("cannot set up the journal at postgresql://127.0.0.1:" + postgres.port()),
                    e.getMessage());
        } finally {
            postgres.restart();
        }
        assertEquals(Optional.empty(), JournalProbe.unreachable(settings));
    }
}

package dev.enviro.persistence;

import dev.enviro.errors.EnviroError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalSchemaTest {

    @TempDir
    Path stateDir;

    @Test
    void everyShippedStatementIsGuardedSoASecondStartIsANoOp() throws Exception {
        List<String> statements = JournalSchema.statements(JournalSchema.H2_DDL);
        assertTrue(statements.size() >= 6, "the shipped script has tables, an index, a sequence: " + statements);
        for (String sql : statements) {
            assertTrue(sql.toUpperCase().contains("IF NOT EXISTS"), "unguarded: " + sql);
        }
    }

    @Test
    void createsTheTablesInAPrivateDirectoryAndToleratesASecondRun() throws Exception {
        JournalSchema.ensureH2(stateDir);
        JournalSchema.ensureH2(stateDir);

        Path dir = stateDir.resolve("journal");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertTrue(Files.exists(dir.resolve("enviro.mv.db")), "H2 file database in " + dir);

        Set<String> tables = new TreeSet<>();
        try (Connection c = DriverManager.getConnection(JournalConfig.h2Url(stateDir), JournalConfig.USER, JournalConfig.PASSWORD);
             ResultSet rs = c.getMetaData().getTables(null, "PUBLIC", null, new String[] {"TABLE"})) {
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME"));
            }
        }
        assertEquals(Set.of("durable_state", "event_journal", "event_tag", "snapshot"), tables);
    }

    @Test
    void urlIsAnAbsoluteH2FileUrl() {
        String url = JournalConfig.h2Url(Path.of("relative/state"));
        assertTrue(url.startsWith("jdbc:h2:file:/"), url);
        assertTrue(url.endsWith("/relative/state/journal/enviro;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0"), url);
    }

    @Test
    void aJournalHeldByAnotherProcessIsReportedAsSuch() throws Exception {
        JournalSchema.ensureH2(stateDir);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), JournalLockHolder.class.getName(),
                JournalConfig.h2Url(stateDir))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
            assertEquals("locked", out.readLine());

            EnviroError e = assertThrows(EnviroError.class, () -> JournalSchema.ensureH2(stateDir));
            assertTrue(e.getMessage().contains("locked by another process"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
                holder.waitFor();
            }
        }
        JournalSchema.ensureH2(stateDir); // free again once the other process is gone
    }
}

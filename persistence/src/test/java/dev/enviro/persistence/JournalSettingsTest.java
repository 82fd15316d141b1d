package dev.enviro.persistence;

import dev.enviro.errors.EnviroError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JournalSettingsTest {

    private static final Path STATE = Path.of("/var/lib/enviro");

    private static Config config(String journal) {
        return ConfigFactory.parseString("enviro.journal { " + journal + " }")
                .withFallback(ConfigFactory.parseResources("reference.conf")).resolve();
    }

    @Test
    void h2IsTheDefault() throws Exception {
        JournalSettings s = JournalSettings.from(ConfigFactory.parseResources("reference.conf").resolve(), STATE);
        assertEquals(JournalSettings.Backend.H2, s.backend());
        assertEquals(JournalConfig.h2Url(STATE), s.url());
        assertEquals("/var/lib/enviro/journal", s.location());
    }

    @Test
    void postgresTakesItsUrlAndNamesTheServerWithoutCredentials() throws Exception {
        JournalSettings s = JournalSettings.from(config(
                "backend = postgres, url = \"jdbc:postgresql://db.example:5433/enviro?password=secret\", user = u"), STATE);
        assertEquals(JournalSettings.Backend.POSTGRES, s.backend());
        assertEquals("u", s.user());
        assertEquals("postgresql://db.example:5433/enviro", s.location());
        assertFalse(s.location().contains("secret"));
        assertTrue(JournalConfig.of(s).getString("pekko-persistence-jdbc.shared-databases.enviro.profile")
                .contains("PostgresProfile"));
    }

    @Test
    void aMissingUrlOrAnUnknownBackendIsOneLineNamingTheSetting() {
        EnviroError noUrl = assertThrows(EnviroError.class,
                () -> JournalSettings.from(config("backend = postgres"), STATE));
        assertTrue(noUrl.getMessage().contains("--journal-url"), noUrl.getMessage());
        EnviroError unknown = assertThrows(EnviroError.class,
                () -> JournalSettings.from(config("backend = mysql"), STATE));
        assertTrue(unknown.getMessage().startsWith("unknown journal back-end \"mysql\""), unknown.getMessage());
    }

    @Test
    void everyShippedPostgresStatementIsGuardedIncludingConcurrentIndexes() throws Exception {
        for (String sql : JournalSchema.statements(JournalSchema.POSTGRES_DDL)) {
            assertTrue(sql.toUpperCase().contains("IF NOT EXISTS"), "unguarded: " + sql);
            assertFalse(sql.toUpperCase().contains("IF NOT EXISTS CONCURRENTLY"), "PostgreSQL wants CONCURRENTLY first: " + sql);
        }
    }
}

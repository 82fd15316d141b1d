package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code events --since/--until}: the forms docker takes, and {@code now}. */
class EventsTimeTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void timesAreRfc3339UnixSecondsDurationsAgoOrNow() {
        assertEquals(Instant.parse("2025-01-02T03:04:05Z"), EventsCommand.time("2025-01-02T03:04:05Z", NOW, "--since"));
        assertEquals(Instant.ofEpochSecond(1700000000), EventsCommand.time("1700000000", NOW, "--since"));
        assertEquals(NOW.minusSeconds(60), EventsCommand.time("1m", NOW, "--since"));
        assertEquals(NOW, EventsCommand.time("now", NOW, "--until"));
        EnviroError e = assertThrows(EnviroError.class, () -> EventsCommand.time("yesterday", NOW, "--until"));
        assertEquals("invalid time for --until 'yesterday': use RFC 3339 (2025-01-02T03:04:05Z), unix seconds, a duration ago (10m) or now", e.getMessage());
    }
}

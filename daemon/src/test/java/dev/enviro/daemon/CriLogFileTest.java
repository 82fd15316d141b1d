package dev.enviro.daemon;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class CriLogFileTest {

    @TempDir Path dir;

    static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void parsesFullPartialAndEmptyRecords() {
        LogRecord full = CriLogFile.parse(bytes("2024-01-02T03:04:05.123456789Z stdout F hello world")).orElseThrow();
        assertEquals(Instant.parse("2024-01-02T03:04:05.123456789Z"), full.time());
        assertEquals(LogRecord.Stream.STDOUT, full.stream());
        assertFalse(full.partial());
        assertEquals("hello world\n", new String(full.written(), StandardCharsets.UTF_8));
        LogRecord partial = CriLogFile.parse(bytes("2024-01-02T03:04:05Z stderr P abc")).orElseThrow();
        assertEquals(LogRecord.Stream.STDERR, partial.stream());
        assertEquals("abc", new String(partial.written(), StandardCharsets.UTF_8));
        assertEquals("\n", new String(CriLogFile.parse(bytes("2024-01-02T03:04:05Z stdout F ")).orElseThrow().written()));
        assertEquals("\n", new String(CriLogFile.parse(bytes("2024-01-02T03:04:05Z stdout F")).orElseThrow().written()));
        assertEquals("  two spaces ", new String(CriLogFile.parse(bytes("2024-01-02T03:04:05Z stdout P   two spaces ")).orElseThrow().written()));
    }

    @Test
    void rejectsMalformedLines() {
        assertTrue(CriLogFile.parse(bytes("garbage")).isEmpty());
        assertTrue(CriLogFile.parse(bytes("not-a-time stdout F x")).isEmpty());
        assertTrue(CriLogFile.parse(bytes("2024-01-02T03:04:05Z stdin F x")).isEmpty());
        assertTrue(CriLogFile.parse(bytes("2024-01-02T03:04:05Z stdout X x")).isEmpty());
        assertTrue(CriLogFile.parse(bytes("2024-01-02T03:04:05Z stdout Fx")).isEmpty());
    }

    @Test
    void readsWhatIsAppendedAndSkipsMalformedLines() throws Exception {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, "2024-01-02T03:04:05Z stdout F one\nbroken line\n2024-01-02T03:04:05Z stdout P tw");
        try (CriLogFile file = CriLogFile.open(log)) {
            assertEquals("one", text(file.next(Duration.ZERO)));
            assertTrue(file.next(Duration.ZERO).isEmpty(), "an incomplete line is not returned");
            Files.writeString(log, "o\n", StandardOpenOption.APPEND);
            assertEquals("two", text(file.next(Duration.ZERO)));
            assertTrue(file.next(Duration.ofMillis(60)).isEmpty());
        }
    }

    @Test
    void waitsForAFileThatDoesNotExistYet() throws Exception {
        Path log = dir.resolve("later.log");
        try (CriLogFile file = CriLogFile.open(log)) {
            assertTrue(file.next(Duration.ZERO).isEmpty());
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(100);
                    Files.writeString(log, "2024-01-02T03:04:05Z stderr F late\n");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals("late", text(file.next(Duration.ofSeconds(5))));
        }
    }

    @Test
    void keepsReadingAnUnlinkedFile() throws Exception {
        Path log = dir.resolve("gone.log");
        Files.writeString(log, "2024-01-02T03:04:05Z stdout F kept\n");
        try (CriLogFile file = CriLogFile.open(log)) {
            Files.delete(log);
            assertEquals("kept", text(file.next(Duration.ZERO)));
        }
    }

    @Test
    void aLineLongerThanTheBufferArrivesWhole() throws Exception {
        Path log = dir.resolve("long.log");
        String content = "y".repeat(200_000);
        Files.writeString(log, "2024-01-02T03:04:05Z stdout F " + content + "\n");
        try (CriLogFile file = CriLogFile.open(log)) {
            assertEquals(content, text(file.next(Duration.ZERO)));
        }
    }

    private static String text(Optional<LogRecord> record) {
        return new String(record.orElseThrow().content(), StandardCharsets.UTF_8);
    }
}

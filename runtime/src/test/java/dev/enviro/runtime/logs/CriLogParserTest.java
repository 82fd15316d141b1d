package dev.enviro.runtime.logs;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CriLogParserTest {
    private final CriLogParser parser = new CriLogParser();
    private final List<LogRecord> out = new ArrayList<>();

    private void feed(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        parser.feed(b, 0, b.length, out::add);
    }

    @Test
    void parsesFullAndPartialRecordsOfBothStreams() {
        feed("2024-05-01T10:00:00.123456789Z stdout F hello world\n"
                + "2024-05-01T10:00:01Z stderr P part\n");
        assertEquals(2, out.size());
        LogRecord first = out.get(0);
        assertEquals(Instant.parse("2024-05-01T10:00:00.123456789Z"), first.time());
        assertEquals(LogStream.STDOUT, first.stream());
        assertFalse(first.partial());
        assertEquals("hello world", first.text());
        assertArrayEquals("hello world\n".getBytes(StandardCharsets.UTF_8), first.bytesAsWritten());
        LogRecord second = out.get(1);
        assertEquals(LogStream.STDERR, second.stream());
        assertTrue(second.partial());
        assertArrayEquals("part".getBytes(StandardCharsets.UTF_8), second.bytesAsWritten());
    }

    @Test
    void keepsSpacesAndAnEmptyLineInContent() {
        feed("2024-05-01T10:00:00Z stdout F   two  spaces \n2024-05-01T10:00:00Z stdout F \n2024-05-01T10:00:00Z stdout F\n");
        assertEquals(List.of("  two  spaces ", "", ""), out.stream().map(LogRecord::text).toList());
    }

    @Test
    void acceptsAnOffsetTimestamp() {
        feed("2024-05-01T12:00:00.5+02:00 stdout F x\n");
        assertEquals(Instant.parse("2024-05-01T10:00:00.5Z"), out.getFirst().time());
    }

    @Test
    void holdsATornLastLineUntilItsNewlineArrives() {
        feed("2024-05-01T10:00:00Z stdout F one\n2024-05-01T10:00:0");
        assertEquals(1, out.size());
        assertEquals(18, parser.pendingBytes());
        feed("1Z stdout F tw");
        assertEquals(1, out.size(), "a line without its newline must not be emitted");
        feed("o\n");
        assertEquals(2, out.size());
        assertEquals("two", out.get(1).text());
        assertEquals(Instant.parse("2024-05-01T10:00:01Z"), out.get(1).time());
        assertEquals(0, parser.pendingBytes());
    }

    @Test
    void splitsByteByByteTheSameAsAtOnce() {
        String log = "2024-05-01T10:00:00Z stdout F ä€😀\n2024-05-01T10:00:00Z stderr P x\n";
        byte[] b = log.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) parser.feed(b, i, i + 1, out::add);
        List<LogRecord> whole = new ArrayList<>();
        new CriLogParser().feed(b, 0, b.length, whole::add);
        assertEquals(whole, out);
        assertEquals("ä€😀", out.getFirst().text());
    }

    @Test
    void skipsAndCountsLinesThatAreNotRecords() {
        feed("garbage\n2024-05-01T10:00:00Z stdin F x\nnot-a-time stdout F x\n2024-05-01T10:00:00Z stdout X x\n"
                + "2024-05-01T10:00:00Z stdout FF x\n2024-05-01T10:00:00Z stdout F ok\n");
        assertEquals(5, parser.malformedLines());
        assertEquals(List.of("ok"), out.stream().map(LogRecord::text).toList());
    }

    @Test
    void parseLineNamesWhatIsWrong() {
        byte[] b = "2024-05-01T10:00:00Z stdin F x".getBytes(StandardCharsets.US_ASCII);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CriLogParser.parseLine(b, 0, b.length));
        assertEquals("unknown log stream stdin", e.getMessage());
    }

    @Test
    void recordsAreValuesDespiteTheirByteArray() {
        Instant t = Instant.EPOCH;
        byte[] content = {1, 2};
        LogRecord r = new LogRecord(t, LogStream.STDOUT, false, content);
        content[0] = 9;
        assertEquals(new LogRecord(t, LogStream.STDOUT, false, new byte[] {1, 2}), r);
        r.content()[0] = 9;
        assertEquals(1, r.content()[0]);
    }
}

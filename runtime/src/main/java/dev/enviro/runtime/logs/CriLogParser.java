package dev.enviro.runtime.logs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Turns the bytes of a CRI log file ({@code <RFC3339Nano> <stdout|stderr> <F|P> <content>\n}) into
 * {@link LogRecord}s, fed in chunks as they are read. A line is emitted only once its newline has
 * arrived: the writer may be in the middle of appending it. Lines that are not CRI records are
 * skipped and counted, so one damaged line does not end a log stream.
 *
 * <p>Not thread-safe; one parser per reader.
 */
public final class CriLogParser {
    private final ByteArrayOutputStream torn = new ByteArrayOutputStream();
    private long malformed;

    /** Parses the complete lines in {@code chunk[from, to)}, keeping an unfinished last line for the next call. */
    public void feed(byte[] chunk, int from, int to, Consumer<LogRecord> sink) {
        int lineStart = from;
        for (int i = from; i < to; i++) {
            if (chunk[i] != '\n') continue;
            if (torn.size() == 0) {
                emit(chunk, lineStart, i, sink);
            } else {
                torn.write(chunk, lineStart, i - lineStart);
                byte[] line = torn.toByteArray();
                torn.reset();
                emit(line, 0, line.length, sink);
            }
            lineStart = i + 1;
        }
        torn.write(chunk, lineStart, to - lineStart);
    }

    /** Bytes of an unfinished last line held back so far. */
    public int pendingBytes() { return torn.size(); }

    /** Lines skipped because they were not CRI log records. */
    public long malformedLines() { return malformed; }

    private void emit(byte[] line, int from, int to, Consumer<LogRecord> sink) {
        LogRecord record;
        try {
            record = parseLine(line, from, to);
        } catch (IllegalArgumentException e) {
            malformed++;
            return;
        }
        sink.accept(record);
    }

    /**
     * Parses one line without its newline.
     *
     * @throws IllegalArgumentException naming what is wrong when the line is not a CRI log record
     */
    public static LogRecord parseLine(byte[] line, int from, int to) {
        int timeEnd = indexOf(line, from, to, (byte) ' ');
        if (timeEnd < 0) throw new IllegalArgumentException("log line has no stream field");
        int streamEnd = indexOf(line, timeEnd + 1, to, (byte) ' ');
        if (streamEnd < 0) throw new IllegalArgumentException("log line has no F/P tag");
        int tagEnd = streamEnd + 2;
        // The tag is one byte; content follows a space, and an empty full line may end right after the tag.
        if (tagEnd > to || (tagEnd < to && line[tagEnd] != ' ')) throw new IllegalArgumentException("log line tag is not F or P");
        Instant time = parseTime(new String(line, from, timeEnd - from, StandardCharsets.US_ASCII));
        LogStream stream = switch (new String(line, timeEnd + 1, streamEnd - timeEnd - 1, StandardCharsets.US_ASCII)) {
            case "stdout" -> LogStream.STDOUT;
            case "stderr" -> LogStream.STDERR;
            case String other -> throw new IllegalArgumentException("unknown log stream " + other);
        };
        boolean partial = switch (line[streamEnd + 1]) {
            case 'F' -> false;
            case 'P' -> true;
            default -> throw new IllegalArgumentException("log line tag is not F or P");
        };
        byte[] content = tagEnd < to ? Arrays.copyOfRange(line, tagEnd + 1, to) : new byte[0];
        return new LogRecord(time, stream, partial, content);
    }

    private static Instant parseTime(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("log line time is not RFC 3339: " + text, e);
        }
    }

    private static int indexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) if (a[i] == b) return i;
        return -1;
    }
}

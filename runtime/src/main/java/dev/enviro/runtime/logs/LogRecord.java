package dev.enviro.runtime.logs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One line of a container's CRI log file. {@code content} is the bytes the container wrote, without
 * the newline of a full line; {@code partial} marks a chunk the monitor split off a longer line.
 */
public record LogRecord(Instant time, LogStream stream, boolean partial, byte[] content) {

    public LogRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(stream, "stream");
        content = content.clone();
    }

    /** A copy: records are values, and arrays are not. */
    @Override
    public byte[] content() { return content.clone(); }

    /** The bytes as the container wrote them: the newline restored when the line was complete. */
    public byte[] bytesAsWritten() {
        if (partial) return content.clone();
        byte[] out = Arrays.copyOf(content, content.length + 1);
        out[content.length] = '\n';
        return out;
    }

    /** The content decoded as UTF-8 (malformed bytes become U+FFFD). */
    public String text() { return new String(content, StandardCharsets.UTF_8); }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogRecord r && time.equals(r.time) && stream == r.stream && partial == r.partial
                && Arrays.equals(content, r.content);
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, stream, partial, Arrays.hashCode(content));
    }

    @Override
    public String toString() {
        return time + " " + stream.name().toLowerCase() + " " + (partial ? "P" : "F") + " " + text();
    }
}

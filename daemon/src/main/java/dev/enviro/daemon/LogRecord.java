package dev.enviro.daemon;

import java.time.Instant;

/**
 * One record of a container's log (CRI format, docs/contracts.md). {@code content} excludes the
 * newline of a full line; {@code partial} records were split because no newline came within 16 KiB.
 */
public record LogRecord(Instant time, Stream stream, boolean partial, byte[] content) {

    public enum Stream { STDOUT, STDERR }

    /** The bytes the container wrote: content plus the newline that ended a full line. */
    public byte[] written() {
        if (partial) {
            return content;
        }
        byte[] bytes = java.util.Arrays.copyOf(content, content.length + 1);
        bytes[content.length] = '\n';
        return bytes;
    }
}

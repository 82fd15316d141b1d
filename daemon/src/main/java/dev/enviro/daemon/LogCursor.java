package dev.enviro.daemon;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** A reading position in one container's log. Used by one thread at a time. */
public interface LogCursor extends Closeable {

    /**
     * The next record, waiting up to {@code patience} for one to be appended; empty if none came.
     * {@link Duration#ZERO} answers from what is already in the file.
     */
    Optional<LogRecord> next(Duration patience) throws IOException, InterruptedException;

    /** A record to be had at once (already read, or already in the file), or empty: never waits. */
    Optional<LogRecord> ready() throws IOException, InterruptedException;

    @Override
    void close() throws IOException;
}

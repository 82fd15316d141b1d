package dev.enviro.daemon;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the API reads a container's output from: its log file ({@code Engine.logPath}). The daemon
 * wires the implementation; {@link CriLogFile} is the simple, polling one.
 */
@FunctionalInterface
public interface LogSource {

    /** Opens the log to be read from its first record. A file that does not exist yet reads as empty until it appears. */
    LogCursor open(Path logFile) throws IOException;

    /**
     * Opens the log to be followed until {@code until} completes (the container's exit; null: no
     * follow). After {@code until}, the cursor answers every record written before it, then empty.
     */
    default LogCursor open(Path logFile, java.util.concurrent.CompletionStage<?> until) throws IOException {
        return open(logFile);
    }

    static LogSource criFiles() {
        return CriLogFile::open;
    }
}

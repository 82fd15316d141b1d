package dev.enviro.daemon;

import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Copies a container's log records to a client stream at the pace the client reads. Runs on its own
 * virtual thread per client stream (never per container), and is the stream's only writer while it
 * runs. Ends when the log is drained: at once without follow, else once the container has exited and
 * everything it wrote has been sent (the monitor appends all output before it records the exit).
 */
final class LogPump<T> {

    /** How long one wait for new output lasts before the exit is checked again. */
    static final Duration PATIENCE = Duration.ofMillis(200);

    private final LogCursor cursor;
    private final StreamObserver<T> out;
    private final StreamGate gate;
    private final Function<LogRecord, T> message;

    LogPump(LogCursor cursor, StreamObserver<T> out, StreamGate gate, Function<LogRecord, T> message) {
        this.cursor = cursor;
        this.out = out;
        this.gate = gate;
        this.message = message;
    }

    /**
     * Sends records until drained; {@code exited} null means no follow. Returns true when drained,
     * false when the client went away. The cursor is closed either way.
     */
    boolean drain(CompletableFuture<?> exited) throws IOException, InterruptedException {
        try (cursor) {
            while (gate.awaitReady()) {
                // Read the exit before the file: output written before the exit is then certain to be read.
                boolean done = exited == null || exited.isDone();
                Optional<LogRecord> record = cursor.next(done ? Duration.ZERO : PATIENCE);
                if (record.isPresent()) {
                    out.onNext(message.apply(record.get()));
                } else if (done) {
                    return true;
                }
            }
            return false;
        }
    }
}

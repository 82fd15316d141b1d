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
                Optional<LogRecord> record = held != null ? Optional.of(take()) : cursor.next(done ? Duration.ZERO : PATIENCE);
                if (record.isPresent()) {
                    out.onNext(message.apply(joined(record.get())));
                } else if (done) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Most bytes one message carries when records are joined. */
    static final int JOINED_BYTES = 64 << 10;

    /** A record read ahead that could not join the message before it (another stream, or too large). */
    private LogRecord held;

    private LogRecord take() {
        LogRecord r = held;
        held = null;
        return r;
    }

    /**
     * {@code first} and the records of the same stream already in the file after it, as one record
     * (its time is the first's): a message per line made a 100-line {@code enviro logs} mostly
     * per-message overhead. Only what is there is joined, so followed output is never held back.
     */
    private LogRecord joined(LogRecord first) throws IOException, InterruptedException {
        java.util.List<LogRecord> records = new java.util.ArrayList<>(java.util.List.of(first));
        long size = first.content().length + 1L;
        for (Optional<LogRecord> next; (next = cursor.ready()).isPresent(); ) {
            LogRecord r = next.get();
            size += r.content().length + 1L;
            if (r.stream() != first.stream() || size > JOINED_BYTES) {
                held = r;
                break;
            }
            records.add(r);
        }
        if (records.size() == 1) return first;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream((int) Math.min(size, JOINED_BYTES));
        for (int k = 0; k < records.size() - 1; k++) bytes.writeBytes(records.get(k).written());
        LogRecord last = records.getLast();
        bytes.writeBytes(last.content()); // ends as the last record did: complete (a newline to come) or partial
        return new LogRecord(first.time(), first.stream(), last.partial(), bytes.toByteArray());
    }
}

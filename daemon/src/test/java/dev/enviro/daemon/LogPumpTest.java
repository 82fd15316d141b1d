package dev.enviro.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.stub.ServerCallStreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a log read to its end becomes on the wire: the records already there, joined per stream. */
class LogPumpTest {

    private static LogRecord out(String text, boolean partial) {
        return new LogRecord(Instant.EPOCH, LogRecord.Stream.STDOUT, partial, text.getBytes(StandardCharsets.UTF_8));
    }

    private static LogRecord err(String text) {
        return new LogRecord(Instant.EPOCH.plusSeconds(1), LogRecord.Stream.STDERR, false, text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> drained(List<LogRecord> records) throws Exception {
        Deque<LogRecord> file = new ArrayDeque<>(records);
        LogCursor cursor = new LogCursor() {
            @Override public Optional<LogRecord> next(Duration patience) { return Optional.ofNullable(file.poll()); }
            @Override public Optional<LogRecord> ready() { return Optional.ofNullable(file.poll()); }
            @Override public void close() { }
        };
        Sink sink = new Sink();
        assertTrue(new LogPump<String>(cursor, sink, StreamGate.install(sink),
                r -> r.stream() + ":" + new String(r.written(), StandardCharsets.UTF_8)).drain(null));
        return sink.messages;
    }

    @Test
    void recordsOfOneStreamAlreadyThereGoAsOneMessage() throws Exception {
        assertEquals(List.of("STDOUT:a\nb\nc\n", "STDERR:oops\n", "STDOUT:d\n"),
                drained(List.of(out("a", false), out("b", false), out("c", false), err("oops"), out("d", false))));
    }

    @Test
    void aJoinedMessageEndsAsItsLastRecordDid() throws Exception {
        assertEquals(List.of("STDOUT:a\nno newline yet"), drained(List.of(out("a", false), out("no newline yet", true))));
    }

    @Test
    void noMessageGrowsPastTheLimit() throws Exception {
        String line = "x".repeat(40 << 10);
        List<String> messages = drained(List.of(out(line, false), out(line, false), out(line, false)));
        assertEquals(3, messages.size());
        messages.forEach(m -> assertTrue(m.length() <= LogPump.JOINED_BYTES + 10));
    }

    /** A client that is always ready and keeps what it is sent. */
    private static final class Sink extends ServerCallStreamObserver<String> {
        final List<String> messages = new ArrayList<>();
        @Override public boolean isReady() { return true; }
        @Override public void setOnReadyHandler(Runnable r) { }
        @Override public boolean isCancelled() { return false; }
        @Override public void setOnCancelHandler(Runnable r) { }
        @Override public void setCompression(String c) { }
        @Override public void disableAutoInboundFlowControl() { }
        @Override public void request(int n) { }
        @Override public void setMessageCompression(boolean e) { }
        @Override public void onNext(String value) { messages.add(value); }
        @Override public void onError(Throwable t) { }
        @Override public void onCompleted() { }
    }
}

package dev.enviro.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads a CRI-format log file ({@code <RFC3339Nano> <stdout|stderr> <F|P> <content>\n}) and waits for
 * more by polling its size every {@value #POLL_MILLIS} ms. Simple and correct for a handful of
 * followers; the engine's io_uring/inotify follower ({@code dev.enviro.runtime.logs}) replaces it.
 *
 * <p>The file is kept open once found: a container removed while its log is being read is unlinked,
 * and the open descriptor still reads every byte that was written.
 */
final class CriLogFile implements LogCursor {

    static final int POLL_MILLIS = 25;

    private final Path path;
    private FileChannel channel;
    private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    /** Bytes read but not yet returned ({@code pending[start, end)}): whole lines, then an incomplete one. */
    private byte[] pending = new byte[64 * 1024];
    private int start;
    private int end;

    private CriLogFile(Path path) {
        this.path = path;
    }

    static CriLogFile open(Path path) throws IOException {
        CriLogFile file = new CriLogFile(path);
        file.tryOpen();
        return file;
    }

    @Override
    public Optional<LogRecord> next(Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Optional<LogRecord> record = nextBuffered();
            if (record.isPresent()) {
                return record;
            }
            if (readMore()) {
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, left / 1_000_000)));
        }
    }

    /** With zero patience, {@link #next} reads what the file has and waits for nothing. */
    @Override
    public Optional<LogRecord> ready() throws IOException, InterruptedException {
        return next(Duration.ZERO);
    }

    /** Parses complete lines already read, skipping malformed ones (a writer that is not the monitor). */
    private Optional<LogRecord> nextBuffered() {
        while (true) {
            int newline = indexOf(pending, (byte) '\n', start, end);
            if (newline < 0) {
                return Optional.empty();
            }
            byte[] line = Arrays.copyOfRange(pending, start, newline);
            start = newline + 1;
            Optional<LogRecord> record = parse(line);
            if (record.isPresent()) {
                return record;
            }
        }
    }

    /** True when bytes were appended since the last read. */
    private boolean readMore() throws IOException {
        if (channel == null && !tryOpen()) {
            return false;
        }
        chunk.clear();
        int n = channel.read(chunk);
        if (n <= 0) {
            return false;
        }
        // Compact the consumed prefix away, then grow only if one incomplete line outgrows the buffer.
        int kept = end - start;
        byte[] target = kept + n <= pending.length ? pending : new byte[Math.max(pending.length * 2, kept + n)];
        System.arraycopy(pending, start, target, 0, kept);
        pending = target;
        start = 0;
        end = kept;
        chunk.flip();
        chunk.get(pending, end, n);
        end += n;
        return true;
    }

    private boolean tryOpen() throws IOException {
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    static Optional<LogRecord> parse(byte[] line) {
        int s1 = indexOf(line, (byte) ' ', 0, line.length);
        int s2 = s1 < 0 ? -1 : indexOf(line, (byte) ' ', s1 + 1, line.length);
        // The tag is one byte after the second space; an empty line may have lost its last separator.
        if (s2 < 0 || line.length < s2 + 2 || (line.length > s2 + 2 && line[s2 + 2] != ' ')) {
            return Optional.empty();
        }
        Instant time;
        try {
            time = Instant.parse(new String(line, 0, s1, StandardCharsets.US_ASCII));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
        LogRecord.Stream stream = switch (new String(line, s1 + 1, s2 - s1 - 1, StandardCharsets.US_ASCII)) {
            case "stdout" -> LogRecord.Stream.STDOUT;
            case "stderr" -> LogRecord.Stream.STDERR;
            default -> null;
        };
        byte tag = line[s2 + 1];
        if (stream == null || (tag != 'F' && tag != 'P')) {
            return Optional.empty();
        }
        byte[] content = line.length > s2 + 3 ? Arrays.copyOfRange(line, s2 + 3, line.length) : new byte[0];
        return Optional.of(new LogRecord(time, stream, tag == 'P', content));
    }

    private static int indexOf(byte[] bytes, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}

package dev.enviro.daemon.relay;

import dev.enviro.cli.Caller;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The caller behind a relay: its output goes out as frames, and what it owns (stdin, files, the
 * terminal) is reached by asking the relay, which acts with the caller's rights. The engine opens none
 * of the paths a command line names.
 */
public final class RelayCaller implements Caller {

    private static final int CHUNK = 256 << 10;
    private static final int OUT_BUFFER = 64 << 10;

    private final RelayConnection relay;
    private final Map<String, String> env;
    private final int ttys;
    private volatile WindowSize size;
    private volatile Consumer<WindowSize> resized;
    private volatile IntConsumer signals;
    /** Set once a signal ended the command: what it prints while unwinding is not the caller's to see. */
    private volatile boolean silenced;
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;

    RelayCaller(RelayConnection relay, Map<String, String> env, int ttys, WindowSize size) {
        this.relay = relay;
        this.env = Map.copyOf(env);
        this.ttys = ttys;
        this.size = size;
        // stdout is buffered as a pipe's is (a frame per line made `logs` and `events` pay a relay
        // round of writes per line); verbs that stream flush where the user must see it now, and
        // everything goes out before the exit code (finish). stderr is not buffered, and flushes
        // stdout before it writes, so the two keep the order they were written in.
        this.out = new PrintStream(new java.io.BufferedOutputStream(new FrameStream(RelayFrames.STDOUT), OUT_BUFFER), false,
                StandardCharsets.UTF_8);
        this.err = new PrintStream(new FrameStream(RelayFrames.STDERR), true, StandardCharsets.UTF_8);
        this.in = new RelayInput(0, "stdin");
    }

    /** Sends what the verb left in stdout's buffer: before the exit code, which ends the relay. */
    void finish() {
        out.flush();
        err.flush();
    }

    @Override public PrintStream out() { return out; }
    @Override public PrintStream err() { return err; }
    @Override public InputStream in() { return in; }
    @Override public Map<String, String> env() { return env; }
    @Override public boolean inIsTerminal() { return (ttys & 1) != 0; }
    @Override public boolean outIsTerminal() { return (ttys & 2) != 0; }

    @Override
    public Registration rawTerminal() {
        if (!inIsTerminal()) return () -> { };
        relay.send(RelayFrames.MODE, new byte[] {RelayFrames.MODE_RAW});
        return () -> relay.send(RelayFrames.MODE, new byte[] {RelayFrames.MODE_RESTORE});
    }

    @Override
    public Optional<WindowSize> windowSize() {
        WindowSize s = size;
        return s == null || s.rows() == 0 || s.cols() == 0 ? Optional.empty() : Optional.of(s);
    }

    @Override
    public Registration onResize(Consumer<WindowSize> resized) {
        this.resized = resized;
        return () -> this.resized = null;
    }

    @Override
    public Registration onSignal(IntConsumer forward) {
        this.signals = forward;
        return () -> this.signals = null;
    }

    /** A SIGWINCH the relay reported. */
    void resized(WindowSize newSize) {
        size = newSize;
        Consumer<WindowSize> r = resized;
        if (r != null) windowSize().ifPresent(r);
    }

    /**
     * A signal the relay caught: true when a verb takes it (forwards it); false when it ends the
     * command, which then prints nothing more, as a process killed by it would not.
     */
    boolean signalled(int signo) {
        IntConsumer s = signals;
        if (s != null && signo != 3) { // SIGQUIT: as a JVM's own ^\ would not be forwarded either
            s.accept(signo);
            return true;
        }
        silenced = true;
        return false;
    }

    @Override
    public Optional<String> readPassword(String prompt) throws IOException {
        if (!inIsTerminal()) return Optional.empty();
        out.print(prompt);
        relay.send(RelayFrames.MODE, new byte[] {RelayFrames.MODE_NO_ECHO});
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int b; (b = in.read()) >= 0 && b != '\n' && b != '\r'; ) line.write(b);
        } finally {
            relay.send(RelayFrames.MODE, new byte[] {RelayFrames.MODE_RESTORE});
            out.println();
        }
        return Optional.of(line.toString(StandardCharsets.UTF_8));
    }

    @Override
    public InputStream openFile(String path) throws IOException {
        int fd = (int) relay.request(RelayFrames.OPEN, path, RelayFrames.ints(RelayFrames.OPEN_READ, 0), utf8(path)).result();
        return new RelayInput(fd, path);
    }

    @Override
    public void replaceFile(String path, int mode, FileContent content) throws IOException {
        int slash = path.lastIndexOf('/');
        // every missing level of the parent (0700), as LocalCaller's createDirectories
        for (int at = path.indexOf('/', 1); at > 0 && at <= slash; at = path.indexOf('/', at + 1)) {
            String dir = path.substring(0, at);
            try {
                relay.request(RelayFrames.MKDIR, dir, RelayFrames.ints(0700), utf8(dir));
            } catch (FileAlreadyExistsException exists) {
                // the usual case
            }
        }
        String tmp = (slash < 0 ? "" : path.substring(0, slash + 1)) + "." + path.substring(slash + 1) + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
        int fd = (int) relay.request(RelayFrames.OPEN, tmp, RelayFrames.ints(RelayFrames.OPEN_CREATE_NEW, mode), utf8(tmp)).result();
        boolean done = false;
        try {
            try (OutputStream file = new java.io.BufferedOutputStream(new RelayOutput(fd, tmp), CHUNK)) {
                content.writeTo(file);
            }
            relay.request(RelayFrames.RENAME, path, utf8(tmp), new byte[] {0}, utf8(path));
            done = true;
        } finally {
            if (!done) {
                try {
                    relay.request(RelayFrames.UNLINK, tmp, utf8(tmp));
                } catch (IOException e) {
                    // the first failure is the one to report
                }
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Output to the caller's stdout or stderr: one frame per write, in order with everything else sent. */
    private final class FrameStream extends OutputStream {
        private final byte type;

        FrameStream(byte type) { this.type = type; }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        /** One frame per write, at most {@link #CHUNK} each (a frame may not pass the relay's limit). */
        @Override
        public void write(byte[] b, int off, int len) {
            if (type == RelayFrames.STDERR) out.flush();
            for (int at = off; at < off + len && !silenced; at += CHUNK) {
                relay.send(type, Arrays.copyOfRange(b, at, Math.min(off + len, at + CHUNK)));
            }
        }
    }

    /** A fd of the relay's read with the caller's rights: stdin (0) or a file it opened. */
    private final class RelayInput extends InputStream {
        private final int fd;
        private final String name;
        private boolean eof;

        RelayInput(int fd, String name) {
            this.fd = fd;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (eof) return -1;
            byte[] data = relay.request(RelayFrames.READ, name, RelayFrames.ints(fd, len)).data();
            if (data.length == 0) {
                eof = true;
                return -1;
            }
            System.arraycopy(data, 0, b, off, data.length);
            return data.length;
        }

        @Override
        public void close() throws IOException {
            if (fd != 0) relay.request(RelayFrames.CLOSE, name, RelayFrames.ints(fd), new byte[] {0});
        }
    }

    /** A file the relay created for the caller; closing fsyncs it. */
    private final class RelayOutput extends OutputStream {
        private final int fd;
        private final String name;

        RelayOutput(int fd, String name) {
            this.fd = fd;
            this.name = name;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int at = off; at < off + len; at += CHUNK) {
                relay.request(RelayFrames.WRITE, name, RelayFrames.ints(fd), Arrays.copyOfRange(b, at, Math.min(off + len, at + CHUNK)));
            }
        }

        @Override
        public void close() throws IOException {
            relay.request(RelayFrames.CLOSE, name, RelayFrames.ints(fd), new byte[] {1});
        }
    }
}

package dev.enviro.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The caller is this JVM's own process: the CLI started in a JVM of its own ({@code enviro daemon},
 * {@code ENVIRO_CLIENT=java}, help and version with no engine running).
 */
public final class LocalCaller implements Caller {

    private static final String[] FORWARDED = {"INT", "TERM", "HUP"};

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;

    public LocalCaller(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
    }

    /** This process as it was started. */
    public static LocalCaller ofThisProcess() {
        return new LocalCaller(System.out, System.err, System.in, System.getenv());
    }

    @Override public PrintStream out() { return out; }
    @Override public PrintStream err() { return err; }
    @Override public InputStream in() { return in; }
    @Override public Map<String, String> env() { return env; }

    @Override
    public boolean inIsTerminal() {
        // the JDK tells only whether stdin and stdout both are; an attach needs stdin's
        return System.console() != null && System.console().isTerminal();
    }

    @Override
    public boolean outIsTerminal() {
        return inIsTerminal() && out == System.out;
    }

    @Override
    public Registration rawTerminal() {
        Optional<RawTerminal> raw = RawTerminal.enter();
        return () -> raw.ifPresent(RawTerminal::close);
    }

    @Override
    public Optional<WindowSize> windowSize() {
        return RawTerminal.size().map(s -> new WindowSize(s[0], s[1]));
    }

    @Override
    public Registration onResize(Consumer<WindowSize> resized) {
        Signal winch = new Signal("WINCH");
        SignalHandler previous = Signal.handle(winch, s -> windowSize().ifPresent(resized));
        return () -> Signal.handle(winch, previous);
    }

    @Override
    public Registration onSignal(IntConsumer forward) {
        List<Runnable> restore = new ArrayList<>();
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            SignalHandler previous = Signal.handle(signal, s -> forward.accept(s.getNumber()));
            restore.add(() -> Signal.handle(signal, previous));
        }
        return () -> restore.forEach(Runnable::run);
    }

    @Override
    public Optional<String> readPassword(String prompt) {
        if (System.console() == null) return Optional.empty();
        char[] typed = System.console().readPassword(prompt);
        return typed == null ? Optional.empty() : Optional.of(new String(typed));
    }

    @Override
    public InputStream openFile(String path) throws IOException {
        return Files.newInputStream(Path.of(path));
    }

    @Override
    public void replaceFile(String path, int mode, FileContent content) throws IOException {
        Path file = Path.of(path).toAbsolutePath();
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", PosixFilePermissions.asFileAttribute(permissions(mode)));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream stream = Channels.newOutputStream(ch)) {
                content.writeTo(stream);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(int mode) {
        StringBuilder s = new StringBuilder();
        for (int bit = 8; bit >= 0; bit--) s.append((mode & (1 << bit)) == 0 ? '-' : "rwx".charAt((8 - bit) % 3));
        return PosixFilePermissions.fromString(s.toString());
    }
}

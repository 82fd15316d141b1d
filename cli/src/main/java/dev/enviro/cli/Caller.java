package dev.enviro.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Who typed the command, and everything of theirs a verb may touch: their streams, environment,
 * terminal, signals and files. A verb reaches the caller's world only through here, so that the same
 * verb runs in a JVM of its own ({@link LocalCaller}) or inside the engine on behalf of the native
 * relay ({@link dev.enviro.cli.relay.RelayCaller}), where every file a command line names is opened by
 * the relay with the caller's own rights, never by the engine.
 */
public interface Caller {

    PrintStream out();

    PrintStream err();

    /** Standard input; read only by the verbs that consume it (a relay reads it only when asked). */
    InputStream in();

    Map<String, String> env();

    boolean inIsTerminal();

    boolean outIsTerminal();

    /** What a caller's hook or mode lasts until: closing it cannot fail. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Puts the caller's terminal in raw mode until closed; a no-op where stdin is not a terminal. */
    Registration rawTerminal();

    /** The terminal's size, when there is one and it says. */
    Optional<WindowSize> windowSize();

    /** Calls {@code resized} with each new size until closed. */
    Registration onResize(Consumer<WindowSize> resized);

    /**
     * Calls {@code forward} with the number of each SIGINT, SIGTERM or SIGHUP the caller receives until
     * closed, instead of ending the command (docker's sig-proxy).
     */
    Registration onSignal(IntConsumer forward);

    /** Prompts on the terminal and reads a line without echoing it; empty when there is no terminal. */
    Optional<String> readPassword(String prompt) throws IOException;

    /** Opens a file the command line names, with the caller's rights; a relative path is the caller's. */
    InputStream openFile(String path) throws IOException;

    /**
     * Writes a file the command line names (or the caller's own, such as the registry credentials),
     * with the caller's rights: to a temporary file beside it, fsynced, then renamed over it, so that
     * it appears whole or not at all. The parent directory is made (0700) when missing.
     */
    void replaceFile(String path, int mode, FileContent content) throws IOException;

    /** A file operation's failure in the words of {@code ls} and {@code cat}: the reason, without the path. */
    static String reason(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> "no such file or directory";
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage();
        };
    }

    /** What {@link #replaceFile} writes. */
    @FunctionalInterface
    interface FileContent {
        void writeTo(OutputStream out) throws IOException;
    }

    record WindowSize(int rows, int cols) {}
}

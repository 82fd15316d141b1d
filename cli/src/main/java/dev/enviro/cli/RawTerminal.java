package dev.enviro.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The local terminal in raw mode for {@code run -it} / {@code attach}: every key (Ctrl-C, Ctrl-D, arrows)
 * goes to the container's pty as a byte and its line discipline decides what it means. Switched with
 * stty(1) on /dev/tty (the JDK has no termios), restored by {@link #close} and, should the JVM be ended
 * by a signal, by a shutdown hook.
 */
final class RawTerminal implements AutoCloseable {

    private static final File TTY = new File("/dev/tty");

    private final String saved;
    private final Thread restoreAtExit;
    private volatile boolean restored;

    private RawTerminal(String saved) {
        this.saved = saved;
        this.restoreAtExit = new Thread(this::restore, "enviro-restore-tty");
        Runtime.getRuntime().addShutdownHook(restoreAtExit);
    }

    /** Raw mode when this process's stdin is a terminal; empty otherwise (input from a pipe stays as it is). */
    static Optional<RawTerminal> enter() {
        java.io.Console console = System.console();
        if (console == null || !console.isTerminal() || !TTY.canRead()) return Optional.empty();
        try {
            String saved = stty("-g").trim();
            RawTerminal terminal = new RawTerminal(saved);
            stty("raw", "-echo");
            return Optional.of(terminal);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The window's size as {rows, cols}, or empty when stty cannot tell. */
    static Optional<int[]> size() {
        try {
            String[] f = stty("size").trim().split("\\s+");
            if (f.length != 2) return Optional.empty();
            return Optional.of(new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])});
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String stty(String... args) throws IOException {
        String[] command = new String[args.length + 1];
        command[0] = "stty";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectInput(TTY).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IOException("stty " + String.join(" ", args) + " failed");
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private synchronized void restore() {
        if (restored) return;
        restored = true;
        try {
            stty(saved);
        } catch (IOException e) {
            System.err.println("enviro: cannot restore the terminal's settings; run 'stty sane'");
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreAtExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook restores (idempotently)
        }
    }
}

package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.v1.Image;
import dev.enviro.grpc.v1.LayerProgress;
import dev.enviro.grpc.v1.PullUpdate;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shows a pull as {@code docker pull} does. On a terminal: one line per layer with a bar, and a total,
 * redrawn in place (ANSI cursor-up); otherwise plain lines, one per status and per finished layer,
 * so a log stays readable.
 */
final class PullProgressView {
    private static final int BAR = 30;

    private final PrintStream out;
    private final boolean terminal;
    private final Map<String, LayerProgress> layers = new LinkedHashMap<>();
    private int drawn;
    /**
     * Lines held back until the registry has resolved the reference: a run of an image that exists
     * nowhere then fails with one line, not with progress chatter before it. Null once released.
     */
    private java.util.List<String> held;

    PullProgressView(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Holds {@code firstLine} (if not null) and every status until the reference resolves (or the first layer shows). */
    PullProgressView holdUntilResolved(String firstLine) {
        held = new java.util.ArrayList<>();
        if (firstLine != null) held.add(firstLine);
        return this;
    }

    private void release() {
        if (held == null) return;
        java.util.List<String> lines = held;
        held = null;
        lines.forEach(out::println);
    }

    /** Consumes the stream to its end; answers the image pulled. */
    Image follow(Iterator<PullUpdate> updates) {
        while (updates.hasNext()) {
            PullUpdate u = updates.next();
            switch (u.getUpdateCase()) {
                case STATUS -> status(u.getStatus());
                case LAYER -> layer(u.getLayer());
                case DONE -> {
                    release();
                    out.flush();
                    return u.getDone();
                }
                case UPDATE_NOT_SET -> { }
            }
        }
        throw new EnviroError(ErrorCode.INTERNAL, "the engine ended the pull without the image; see 'enviro images'");
    }

    private void status(String line) {
        if (held != null) {
            if (line.startsWith("Resolved ")) release();
            else held.add(line);
            return;
        }
        if (line.startsWith("Resolved ")) return; // the digest is printed at the end
        if (terminal && drawn > 0) {
            out.print("\033[" + drawn + "A\033[J");
            drawn = 0;
        }
        out.println(line);
        if (terminal) redraw();
    }

    private void layer(LayerProgress p) {
        release();
        LayerProgress before = layers.put(p.getDigest(), p);
        if (terminal) {
            redraw();
        } else if (p.getComplete() && (before == null || !before.getComplete())) {
            out.println(shortId(p.getDigest()) + ": " + (p.getExisted() ? "Already exists" : "Pull complete"));
        }
    }

    private void redraw() {
        StringBuilder b = new StringBuilder();
        if (drawn > 0) b.append("\033[").append(drawn).append("A");
        long done = 0, total = 0;
        for (LayerProgress p : layers.values()) {
            b.append("\r\033[K").append(shortId(p.getDigest())).append(": ");
            if (p.getComplete()) b.append(p.getExisted() ? "Already exists" : "Pull complete");
            else b.append(bar(p.getBytes(), p.getTotal())).append(' ').append(size(p.getBytes())).append('/').append(size(p.getTotal()));
            b.append('\n');
            done += p.getBytes();
            total += p.getTotal();
        }
        b.append("\r\033[K").append("total  ").append(bar(done, total)).append(' ').append(size(done)).append('/').append(size(total)).append('\n');
        drawn = layers.size() + 1;
        out.print(b);
        out.flush();
    }

    static String bar(long bytes, long total) {
        int filled = total <= 0 ? BAR : (int) Math.min(BAR, bytes * BAR / total);
        return "[" + "=".repeat(filled) + (filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "") + "]";
    }

    static String shortId(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    static String size(long bytes) {
        if (bytes < 1000) return bytes + "B";
        if (bytes < 1_000_000) return String.format("%.1fkB", bytes / 1e3);
        if (bytes < 1_000_000_000) return String.format("%.1fMB", bytes / 1e6);
        return String.format("%.2fGB", bytes / 1e9);
    }
}

package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state directory's filesystem, where containers' writable layers, images and the H2 journal all
 * live: a full disk is a state of the engine, not a crash (docs/lifecycle.md, "A full disk").
 *
 * <ul>
 *   <li>New work (create, pull, load) is refused while less than {@code minFree} is free, with one line
 *       saying how much is free and needed; removals, stops and reads go on.</li>
 *   <li>A <em>reserve</em> file of {@code reserve} bytes holds space for the engine itself. When the
 *       disk is full anyway (a container's writes are not the engine's to stop), the reserve is released,
 *       so the journal can record what happened (exits, removals) while the user frees space; it is
 *       taken again once the disk has room for it and for new work.</li>
 * </ul>
 *
 * {@link #check()} runs on the engine's blocking dispatcher every few hundred milliseconds.
 */
final class StateDisk {

    private static final Logger log = LoggerFactory.getLogger(StateDisk.class);

    /** Below this the disk counts as full: the journal's next chunk would not fit. */
    static final long FULL = 1L << 20;

    private final Path stateDir;
    private final Path reserveFile;
    private final long reserve;
    private final long minFree;
    private volatile long free = Long.MAX_VALUE;

    StateDisk(Path stateDir, long reserve, long minFree) {
        this.stateDir = stateDir;
        this.reserveFile = stateDir.resolve("reserve");
        this.reserve = reserve;
        this.minFree = minFree;
    }

    /** Bytes free for unprivileged writers now (the reserve counts as used). */
    long free() {
        try {
            FileStore store = Files.getFileStore(stateDir);
            return store.getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // a state directory that cannot be asked is reported by whatever uses it
        }
    }

    /** The last measured free space. */
    long lastFree() {
        return free;
    }

    boolean full() {
        return free < FULL;
    }

    /** Fails with EXHAUSTED while there is no room for new work: {@code what} would grow the state directory. */
    void admitNewWork() {
        long now = free();
        free = now;
        if (now < minFree) {
            throw new EnviroError(ErrorCode.EXHAUSTED, "state directory " + stateDir + ": no space left (" + size(now) + " free, "
                    + size(minFree) + " needed): remove containers or images, or free space on its filesystem");
        }
    }

    /** Measures, and releases or takes back the reserve. Never throws. */
    void check() {
        long now = free();
        free = now;
        boolean held = Files.exists(reserveFile);
        if (now < FULL && held) {
            try {
                Files.delete(reserveFile);
                free = free();
                log.warn("state directory {} is full: released the engine's reserve of {} for its journal;"
                        + " new containers are refused until {} is free", stateDir, size(reserve), size(minFree));
            } catch (IOException e) {
                log.warn("state directory {} is full and its reserve {} cannot be released: {}", stateDir, reserveFile, e.getMessage());
            }
        } else if (!held && reserve > 0 && now >= reserve + minFree) {
            take();
        }
    }

    /** Writes the reserve in full (a sparse file would hold nothing), then renames it into place. */
    void take() {
        Path tmp = reserveFile.resolveSibling("reserve.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long written = 0; written < reserve; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), reserve - written));
                written += ch.write(zeros);
            }
            ch.force(false);
            Files.move(tmp, reserveFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            free = free();
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the next check retries; a stray tmp is overwritten then
            }
            log.warn("state directory {}: cannot take the engine's reserve of {}: {}", stateDir, size(reserve), e.getMessage());
        }
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        if (bytes >= 1L << 10) return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1L << 10));
        return bytes + " B";
    }
}

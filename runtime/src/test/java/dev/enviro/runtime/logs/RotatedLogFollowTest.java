package dev.enviro.runtime.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Rotation as the monitor does it (rename ctr.log to ctr.log.1, …, then a new ctr.log), through real inotify. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RotatedLogFollowTest {
    @TempDir Path dir;
    @RegisterExtension final FollowedLogs logs = new FollowedLogs();

    private static void append(Path file, int from, int to) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) b.append(Instant.now()).append(" stdout F line ").append(i).append('\n');
        Files.writeString(file, b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The monitor's rotate(): the oldest name first, so that every name always holds a whole file. */
    private static void rotate(Path log, int maxFiles) throws IOException {
        for (int i = maxFiles - 1; i >= 1; i--) {
            Path from = i == 1 ? log : log.resolveSibling(log.getFileName() + "." + (i - 1));
            if (Files.exists(from)) Files.move(from, log.resolveSibling(log.getFileName() + "." + i), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static List<String> expected(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "line " + i).toList();
    }

    @Test
    void keptFilesAreReadOldestFirstThenTheLiveOne() throws Exception {
        Path log = dir.resolve("ctr.log");
        append(log, 0, 10);
        rotate(log, 3);
        append(log, 10, 20);
        rotate(log, 3);
        append(log, 20, 25);
        List<String> got = new CopyOnWriteArrayList<>();
        logs.follow(log, false, CompletableFuture.completedFuture(null), r -> got.add(r.text())).done().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(expected(0, 25), got);
        assertEquals(List.of(dir.resolve("ctr.log.2"), dir.resolve("ctr.log.1")), LogFollow.rotated(log));
    }

    @Test
    void aFollowerMovesOnToTheNewFileAfterEachRotation() throws Exception {
        Path log = dir.resolve("ctr.log");
        append(log, 0, 5);
        List<String> got = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> monitorExited = new CompletableFuture<>();
        LogFollow f = logs.follow(log, true, monitorExited, r -> got.add(r.text()));
        int written = 5;
        for (int round = 0; round < 5; round++) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.size() < written && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(expected(0, written), got, "round " + round);
            rotate(log, 3);
            append(log, written, written + 7);
            written += 7;
        }
        monitorExited.complete(null);
        f.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(expected(0, written), got);
    }
}

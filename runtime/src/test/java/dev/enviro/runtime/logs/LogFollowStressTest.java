package dev.enviro.runtime.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Races between a follower starting, its file being appended to, and {@code until} completing right after
 * the last write: the shape of a short {@code exec} whose output is followed. Every follower must end,
 * with every line, promptly.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LogFollowStressTest {
    private static final int ROUNDS = 300, FOLLOWERS_PER_FILE = 3, LINES = 20;

    @TempDir Path dir;
    @RegisterExtension final FollowedLogs logs = new FollowedLogs();

    private static void append(Path file, String text) {
        try {
            Files.writeString(file, Instant.now() + " stdout F " + text + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void followersOfShortLivedWritersAllEndWithEveryLine() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Path log = dir.resolve("exec-" + round + ".log");
            Files.writeString(log, "");
            CompletableFuture<Void> until = new CompletableFuture<>();
            // The writer appends while the followers start, so inotify events reach a follower as it is set up.
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < LINES; i++) append(log, "line " + i);
                until.complete(null);   // the writer is done: the last pass must see every line
            });
            List<LogFollow> follows = new ArrayList<>();
            List<AtomicInteger> counts = new ArrayList<>();
            for (int k = 0; k < FOLLOWERS_PER_FILE; k++) {
                AtomicInteger count = new AtomicInteger();
                counts.add(count);
                follows.add(logs.follow(log, true, until, r -> count.incrementAndGet()));
            }
            writer.join();
            for (int k = 0; k < FOLLOWERS_PER_FILE; k++) {
                CompletableFuture<Void> done = follows.get(k).done().toCompletableFuture();
                try {
                    done.get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    follows.forEach(LogFollow::cancel);
                    fail("round " + round + ", follower " + k + ": never ended after until (" + counts.get(k) + " lines read)");
                }
                assertEquals(LINES, counts.get(k).get(), "round " + round + ", follower " + k);
            }
            Files.delete(log);
        }
    }
}

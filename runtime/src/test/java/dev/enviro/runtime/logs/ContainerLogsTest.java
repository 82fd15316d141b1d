package dev.enviro.runtime.logs;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.SyscallException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** Following real files through the real dispatcher and real inotify. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContainerLogsTest {
    @TempDir Path dir;
    @RegisterExtension final FollowedLogs logs = new FollowedLogs();

    private static String line(String stream, String text) {
        return Instant.now() + " " + stream + " F " + text + "\n";
    }

    private static void append(Path file, String s) {
        try {
            Files.writeString(file, s, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void readsAWholeFileWithoutFollowing() throws Exception {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, line("stdout", "a") + line("stderr", "b") + "2024-01-01T00:00:00Z stdout F torn");
        List<LogRecord> got = new CopyOnWriteArrayList<>();
        LogFollow f = logs.follow(log, false, new CompletableFuture<>(), got::add);
        f.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("a", "b"), got.stream().map(LogRecord::text).toList());
        assertEquals(LogStream.STDERR, got.get(1).stream());
    }

    @Test
    void aPausedFollowerReadsNothingUntilResumed() throws Exception {
        Path log = dir.resolve("paused.log");
        Files.writeString(log, "");
        List<LogRecord> got = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> until = new CompletableFuture<>();
        LogFollow f = logs.follow(log, true, until, got::add);
        f.pause();
        Thread.sleep(100);   // the first pass (an empty file) has ended; the follower idles, paused
        StringBuilder b = new StringBuilder();
        String payload = "y".repeat(1000);
        for (int i = 0; i < 300; i++) b.append(line("stdout", i + " " + payload));   // ~300 KB: several 64 KiB reads
        append(log, b.toString());
        Thread.sleep(400);
        int whilePaused = got.size();
        assertTrue(whilePaused < 300, "a paused follower delivers at most the read in flight: " + whilePaused);
        Thread.sleep(200);
        assertEquals(whilePaused, got.size(), "nothing is read while paused");
        f.resume();
        until.complete(null);
        f.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(300, got.size());
        assertEquals("299 " + payload, got.getLast().text());
    }

    @Test
    void cancellingAPausedFollowerEndsIt() throws Exception {
        Path log = dir.resolve("paused-cancel.log");
        Files.writeString(log, line("stdout", "a"));
        LogFollow f = logs.follow(log, true, new CompletableFuture<>(), r -> { });
        f.pause();
        Thread.sleep(100);
        f.cancel();
        assertThrows(CancellationException.class, () -> f.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void readsMoreThanOneChunk() throws Exception {
        Path log = dir.resolve("big.log");
        StringBuilder b = new StringBuilder();
        String payload = "x".repeat(1000);
        for (int i = 0; i < 500; i++) b.append(line("stdout", i + " " + payload));   // ~500 KB, many 64 KiB reads
        Files.writeString(log, b);
        List<LogRecord> got = new CopyOnWriteArrayList<>();
        logs.follow(log, false, new CompletableFuture<>(), got::add).done().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(500, got.size());
        for (int i = 0; i < 500; i++) assertEquals(i + " " + payload, got.get(i).text());
    }

    @Test
    void followsAWriterInOrderAndEndsAfterUntil() throws Exception {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, line("stdout", "before"));
        CompletableFuture<Void> exited = new CompletableFuture<>();
        List<String> got = new CopyOnWriteArrayList<>();
        LogFollow f = logs.follow(log, true, exited, r -> got.add(r.text()));
        int n = 2000;
        Thread writer = Thread.ofPlatform().name("test-log-writer").start(() -> {
            for (int i = 0; i < n; i++) {
                String l = line(i % 2 == 0 ? "stdout" : "stderr", "line " + i);
                // Torn writes, as a monitor's appends may be seen half-done by a reader.
                int cut = l.length() / 2;
                append(log, l.substring(0, cut));
                if (i % 100 == 0) Thread.yield();
                append(log, l.substring(cut));
            }
        });
        // The follower delivers while the writer still writes: following, not reading at the end.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (got.size() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(got.size() >= 2, "nothing delivered while the writer was appending");
        writer.join();
        assertFalse(f.done().toCompletableFuture().isDone(), "ended before until completed");
        append(log, line("stdout", "last words"));   // written by the monitor as the container exits
        exited.complete(null);
        f.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
        List<String> expected = new java.util.ArrayList<>();
        expected.add("before");
        IntStream.range(0, n).forEach(i -> expected.add("line " + i));
        expected.add("last words");
        assertEquals(expected, got);
        assertEquals(0, f.malformedLines());
    }

    @Test
    void aFollowerIdleBetweenWritesWakesOnAppend() throws Exception {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, "");
        List<String> got = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> exited = new CompletableFuture<>();
        LogFollow f = logs.follow(log, true, exited, r -> got.add(r.text()));
        for (int i = 0; i < 5; i++) {
            append(log, line("stdout", "tick " + i));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.size() < i + 1 && System.nanoTime() < deadline) Thread.sleep(2);
            assertEquals(i + 1, got.size(), "append " + i + " not delivered before until completed");
        }
        exited.complete(null);
        f.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void twoFollowersOfOneFileShareTheWatch() throws Exception {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, "");
        CompletableFuture<Void> exited = new CompletableFuture<>();
        List<String> a = new CopyOnWriteArrayList<>(), b = new CopyOnWriteArrayList<>();
        LogFollow fa = logs.follow(log, true, exited, r -> a.add(r.text()));
        LogFollow fb = logs.follow(log, true, new CompletableFuture<>(), r -> b.add(r.text()));
        append(log, line("stdout", "1"));
        fb.cancel();
        assertThrows(CancellationException.class, () -> fb.done().toCompletableFuture().join());
        append(log, line("stdout", "2"));   // fa still notified after fb removed itself
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.size() < 2 && System.nanoTime() < deadline) Thread.sleep(2);
        assertEquals(List.of("1", "2"), a);
        exited.complete(null);
        fa.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aMissingFileFailsNamingIt() {
        Path missing = dir.resolve("nope.log");
        LogFollow f = logs.follow(missing, true, new CompletableFuture<>(), r -> {});
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
        SyscallException s = assertInstanceOf(SyscallException.class, e.getCause());
        assertEquals(Errno.ENOENT, s.errno());
        assertTrue(s.getMessage().contains(missing.toString()), s.getMessage());
    }

    @Test
    void aThrowingSinkEndsTheFollow() throws Exception {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, line("stdout", "a") + line("stdout", "b"));
        LogFollow f = logs.follow(log, true, new CompletableFuture<>(), r -> { throw new IllegalStateException("client gone"); });
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals("client gone", e.getCause().getMessage());
    }

    @Test
    void leavesNoFileDescriptorBehind() throws Exception {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, line("stdout", "a"));
        for (int i = 0; i < 20; i++) {
            CompletableFuture<Void> exited = new CompletableFuture<>();
            LogFollow f = logs.follow(log, true, exited, r -> {});
            exited.complete(null);
            f.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        // Count only descriptors on this test's log: the JVM opens and closes its own meanwhile.
        assertEquals(0, fdsOn(log), "followers that ended still hold the log open");
    }

    private static long fdsOn(Path file) throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file.toAbsolutePath());
                } catch (IOException gone) {
                    return false;   // closed while listing
                }
            }).count();
        }
    }

}

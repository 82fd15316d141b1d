package dev.enviro.ffm.uring;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.Fd;
import dev.enviro.ffm.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyscallDispatcherTest {
    private SyscallDispatcher dispatcher;
    private final Arena arena = Arena.ofShared();
    private final List<AutoCloseable> fds = new ArrayList<>();

    @BeforeEach
    void start() throws SyscallException {
        dispatcher = SyscallDispatcher.start();
    }

    @AfterEach
    void stop() throws Exception {
        dispatcher.close();
        for (AutoCloseable fd : fds) fd.close();
        arena.close();
    }

    private static List<Thread> ringThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("enviro-uring-") && t.isAlive()).toList();
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void oneNamedPlatformThreadPerCoreAndCloseEndsThem() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, dispatcher.rings());
        List<Thread> threads = ringThreads();
        assertEquals(cores, threads.size(), threads.toString());
        assertTrue(threads.stream().noneMatch(Thread::isVirtual));
        dispatcher.close();
        assertTrue(ringThreads().isEmpty(), "ring threads survive close()");
        SyscallException e = assertThrows(SyscallException.class, () -> unwrap(dispatcher.nop()));
        assertEquals(Errno.ECANCELED, e.errno());
    }

    @Test
    void nopRoundTrips() throws Exception {
        for (int i = 0; i < 100; i++) assertEquals(0, await(dispatcher.nop()));
    }

    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f");
        Files.writeString(file, "0123456789");
        Fd fd = dev.enviro.ffm.Files.open(file, dev.enviro.ffm.Files.O_RDONLY | dev.enviro.ffm.Files.O_CLOEXEC, 0);
        fds.add(fd);
        MemorySegment buffer = arena.allocate(4);
        assertEquals(4, await(dispatcher.read(fd.value(), buffer, 3)));
        assertEquals("3456", new String(buffer.toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
        assertEquals(0, await(dispatcher.read(fd.value(), buffer, 10)), "0 at end of file");
    }

    @Test
    void kernelErrnoFailsTheStageWithSyscallException() throws Exception {
        Pipe pipe = Pipe.open(false);
        int closed = pipe.readEnd().value();
        pipe.close();
        SyscallException e = assertThrows(SyscallException.class, () -> unwrap(dispatcher.read(closed, arena.allocate(8), -1)));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("read fd " + closed + ": EBADF (Bad file descriptor)", e.getMessage());
    }

    @Test
    void thousandConcurrentPollsOnPipesAllComplete() throws Exception {
        int n = 1000;
        List<Pipe> pipes = new ArrayList<>();
        List<CompletableFuture<Integer>> polls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Pipe p = Pipe.open(true);
            fds.add(p);
            pipes.add(p);
            polls.add(dispatcher.pollIn(p.readEnd().value()).toCompletableFuture());
        }
        Thread.sleep(100);
        assertTrue(polls.stream().noneMatch(CompletableFuture::isDone), "a poll completed before its pipe was written");
        // Written from several threads at once, as containers produce output concurrently.
        MemorySegment one = arena.allocateFrom("x");
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int from = w;
            writers.add(Thread.ofPlatform().start(() -> {
                for (int i = from; i < n; i += 4) {
                    try {
                        assertEquals(1, await(dispatcher.write(pipes.get(i).writeEnd().value(), one.asSlice(0, 1), -1)));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            }));
        }
        for (Thread t : writers) t.join();
        CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        for (CompletableFuture<Integer> poll : polls) assertEquals(1, poll.join() & 1, "POLLIN");
    }

    @Test
    void pollOnAPidfdCompletesWhenTheProcessExits() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "0.2").start();
        try {
            Fd pidfd = Processes.pidfdOpen((int) sleep.pid());
            fds.add(pidfd);
            CompletableFuture<Integer> exit = dispatcher.pollIn(pidfd.value()).toCompletableFuture();
            assertFalse(exit.isDone());
            assertEquals(1, exit.get(10, TimeUnit.SECONDS) & 1);
            assertTrue(sleep.waitFor(5, TimeUnit.SECONDS));
        } finally {
            sleep.destroyForcibly();
        }
    }

    @Test
    void cancellingAPollReleasesTheKernelRequest() throws Exception {
        // Blocking pipe: the read below must wait for data in the kernel, not fail with EAGAIN.
        Pipe pipe = Pipe.open(false);
        fds.add(pipe);
        CompletableFuture<Integer> poll = dispatcher.pollIn(pipe.readEnd().value()).toCompletableFuture();
        assertTrue(poll.cancel(false));
        // A fresh poll on the same fd (same ring) still works, and the cancelled one stays cancelled.
        CompletableFuture<Integer> again = dispatcher.pollIn(pipe.readEnd().value()).toCompletableFuture();
        assertEquals(1, await(dispatcher.write(pipe.writeEnd().value(), arena.allocateFrom("x").asSlice(0, 1), -1)));
        assertEquals(1, again.get(10, TimeUnit.SECONDS) & 1);
        assertTrue(poll.isCancelled());
        assertEquals(1, await(dispatcher.read(pipe.readEnd().value(), arena.allocate(1), -1)), "drains the x");
        CompletableFuture<Integer> read = dispatcher.read(pipe.readEnd().value(), arena.allocate(1), -1).toCompletableFuture();
        assertFalse(read.cancel(false), "a read must not be cancellable while the kernel owns its buffer");
        assertFalse(read.isDone());
        assertEquals(1, await(dispatcher.write(pipe.writeEnd().value(), arena.allocateFrom("y").asSlice(0, 1), -1)));
        assertEquals(1, read.get(10, TimeUnit.SECONDS));
    }

    @Test
    void closeCancelsInFlightPolls() throws Exception {
        Pipe pipe = Pipe.open(true);
        fds.add(pipe);
        CompletableFuture<Integer> poll = dispatcher.pollIn(pipe.readEnd().value()).toCompletableFuture();
        assertThrows(TimeoutException.class, () -> poll.get(100, TimeUnit.MILLISECONDS));
        dispatcher.close();
        SyscallException e = assertThrows(SyscallException.class, () -> unwrap(poll));
        assertEquals(Errno.ECANCELED, e.errno());
        assertTrue(ringThreads().isEmpty());
    }

    @Test
    void measuresNopRoundTripsPerSecond() throws Exception {
        // Reported, not asserted: speed is measured by benchmarks, never by timed tests.
        int inflight = 256, total = 200_000;
        long start = System.nanoTime();
        int[] done = {0};
        List<CompletableFuture<Integer>> window = new ArrayList<>();
        for (int sent = 0; sent < total; sent++) {
            window.add(dispatcher.nop().toCompletableFuture());
            if (window.size() == inflight) {
                CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                done[0] += window.size();
                window.clear();
            }
        }
        CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        done[0] += window.size();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(total, done[0]);
        System.out.printf("NOP round trips: %d in %.2fs = %.0f ops/s (%d rings, window %d)%n",
                total, seconds, total / seconds, dispatcher.rings(), inflight);
        int sequential = 20_000;
        start = System.nanoTime();
        for (int i = 0; i < sequential; i++) dispatcher.nop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.out.printf("NOP one at a time: %.1f us per round trip%n", (System.nanoTime() - start) / 1e3 / sequential);
    }

    private static <T> T unwrap(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
    }
}

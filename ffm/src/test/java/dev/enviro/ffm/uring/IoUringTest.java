package dev.enviro.ffm.uring;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.Fd;
import dev.enviro.ffm.Files;
import dev.enviro.ffm.Processes;
import dev.enviro.ffm.SyscallException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/** The ring against the real kernel: each test submits real operations and reaps their real completions. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IoUringTest {
    private IoUring ring;
    private final Arena arena = Arena.ofShared();

    @BeforeEach
    void open() throws SyscallException {
        ring = IoUring.open(8);
    }

    @AfterEach
    void close() throws SyscallException {
        try {
            ring.close();
        } finally {
            arena.close();
        }
    }

    /** Waits until the completion for {@code userData} arrives; returns its res. */
    private int await(long userData) throws SyscallException {
        Map<Long, Integer> seen = new HashMap<>();
        while (!seen.containsKey(userData)) {
            ring.submitAndWait(1);
            ring.reap((ud, res, flags) -> seen.put(ud, res));
        }
        return seen.get(userData);
    }

    @Test
    void setUpMapsRingsOfTheRequestedSizeAndCloseReleasesThem() throws SyscallException {
        assertEquals(8, ring.sqEntries());
        assertEquals(16, ring.cqEntries());
        assertEquals(8, ring.sqSpace());
        int fd = ring.fd();
        assertTrue(java.nio.file.Files.exists(Path.of("/proc/self/fd/" + fd)));
        ring.close();
        assertFalse(java.nio.file.Files.exists(Path.of("/proc/self/fd/" + fd)), "ring fd still open after close");
        assertThrows(IllegalStateException.class, () -> ring.prepareNop(1));
        ring = IoUring.open(3);
        assertEquals(4, ring.sqEntries(), "kernel rounds entries up to a power of two");
    }

    @Test
    void nopCompletesWithZero() throws SyscallException {
        ring.prepareNop(42);
        assertEquals(7, ring.sqSpace());
        assertEquals(0, await(42));
        assertEquals(8, ring.sqSpace());
    }

    @Test
    void fullSubmissionQueueIsRefusedUntilSubmitted() throws SyscallException {
        for (int i = 0; i < 8; i++) ring.prepareNop(i);
        assertThrows(IllegalStateException.class, () -> ring.prepareNop(99));
        assertEquals(8, ring.submit());
        assertEquals(8, ring.sqSpace());
    }

    @Test
    void readsAFileAtAnOffset(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data");
        java.nio.file.Files.writeString(file, "hello, io_uring");
        try (Fd fd = Files.open(file, Files.O_RDONLY | Files.O_CLOEXEC, 0)) {
            MemorySegment buffer = arena.allocate(64);
            ring.prepareRead(fd.value(), buffer, 7, 1);
            int n = await(1);
            assertEquals(8, n);
            assertEquals("io_uring", new String(buffer.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void writesAndReadsAPipeAtTheCurrentPosition() throws Exception {
        try (Pipe pipe = Pipe.open(false)) {
            MemorySegment out = arena.allocateFrom("ping", StandardCharsets.US_ASCII);
            ring.prepareWrite(pipe.writeEnd().value(), out.asSlice(0, 4), -1, 1);
            assertEquals(4, await(1));
            MemorySegment in = arena.allocate(16);
            ring.prepareRead(pipe.readEnd().value(), in, -1, 2);
            assertEquals(4, await(2));
            assertEquals("ping", new String(in.asSlice(0, 4).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void pollOnAPipeCompletesOnlyOnceItIsWritten() throws Exception {
        try (Pipe pipe = Pipe.open(true)) {
            ring.preparePollAdd(pipe.readEnd().value(), IoUring.POLLIN, 7);
            ring.submit();
            Thread.sleep(50);
            assertEquals(0, ring.reap((ud, res, flags) -> fail("poll completed before the pipe was written")));
            Kernel.write(pipe.writeEnd().value(), arena.allocateFrom("x"));
            assertEquals(IoUring.POLLIN, await(7) & IoUring.POLLIN);
        }
    }

    @Test
    void pollOnAPidfdCompletesWhenTheProcessExits() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "0.2").start();
        try (Fd pidfd = Processes.pidfdOpen((int) sleep.pid())) {
            ring.preparePollAdd(pidfd.value(), IoUring.POLLIN, 3);
            ring.submit();
            assertEquals(0, ring.reap((ud, res, flags) -> fail("pidfd readable while the process runs")));
            assertEquals(IoUring.POLLIN, await(3) & IoUring.POLLIN);
            assertTrue(sleep.waitFor(5, TimeUnit.SECONDS), "sleep still running after its pidfd became readable");
        } finally {
            sleep.destroyForcibly();
        }
    }

    @Test
    void readOnAClosedFdCompletesWithMinusEbadf() throws Exception {
        Pipe pipe = Pipe.open(false);
        int closedFd = pipe.readEnd().value();
        pipe.close();
        ring.prepareRead(closedFd, arena.allocate(8), -1, 5);
        assertEquals(-Errno.EBADF, await(5));
    }

    @Test
    void cancelEndsAPendingPollWithMinusEcanceled() throws Exception {
        try (Pipe pipe = Pipe.open(true)) {
            ring.preparePollAdd(pipe.readEnd().value(), IoUring.POLLIN, 10);
            ring.submit();
            ring.prepareCancel(10, 11);
            Map<Long, Integer> seen = new HashMap<>();
            while (seen.size() < 2) {
                ring.submitAndWait(1);
                ring.reap((ud, res, flags) -> seen.put(ud, res));
            }
            assertEquals(-Errno.ECANCELED, seen.get(10L));
            assertEquals(0, seen.get(11L));
        }
    }

    @Test
    void ioUringSetupErrorsBecomeSyscallExceptions() {
        SyscallException e = assertThrows(SyscallException.class,
                () -> Kernel.syscall("io_uring_setup", Kernel.SYS_IO_URING_SETUP, 0, 0, 0, 0, 0, 0));
        assertTrue(e.errno() == Errno.EINVAL || e.errno() == Errno.EFAULT, e.getMessage());
        assertTrue(e.getMessage().startsWith("io_uring_setup: "), e.getMessage());
    }
}

package dev.enviro.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bindings against the real kernel. */
class ProcessesTest {

    @Test
    void startTimeIsFieldTwentyTwoEvenWithParenthesesInTheName() {
        String stat = "42 (a) b) c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assertEquals(987654, Processes.parseStartTime(stat));
    }

    @Test
    void spawnWaitAndExitCode() throws Exception {
        int pid = Processes.spawn(Path.of("/bin/sh"), List.of("sh", "-c", "exit 7"), List.of(), List.of());
        assertEquals(7, Processes.exitCode(Processes.waitpid(pid)));
        int killed = Processes.spawn(Path.of("/bin/sh"), List.of("sh", "-c", "kill -9 $$"), List.of(), List.of());
        assertEquals(128 + 9, Processes.exitCode(Processes.waitpid(killed)));
    }

    @Test
    void spawnOfMissingProgramIsENOENT() {
        SyscallException e = assertThrows(SyscallException.class,
                () -> Processes.spawn(Path.of("/nonexistent/prog"), List.of("prog"), List.of(), List.of()));
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void dup2ActionAndSeqpacketKeepMessageBoundaries() throws Exception {
        Fd[] pair = Sockets.seqpacketPair();
        try (Fd mine = pair[0]; Fd theirs = pair[1]; Arena arena = Arena.ofConfined()) {
            // the child writes two messages on fd 3; each recv returns exactly one
            int pid = Processes.spawn(Path.of("/bin/sh"), List.of("sh", "-c", "printf one >&3; printf two >&3"), List.of(),
                    List.of(new SpawnAction.Dup2(theirs.value(), 3)));
            theirs.close();
            assertEquals(0, Processes.exitCode(Processes.waitpid(pid)));
            MemorySegment buf = arena.allocate(64);
            int n = Sockets.recv(mine, buf);
            assertEquals("one", new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            n = Sockets.recv(mine, buf);
            assertEquals("two", new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            assertEquals(0, Sockets.recv(mine, buf));
        }
    }

    @Test
    void pidfdSignalsAndBecomesReadableOnExit() throws Exception {
        int pid = Processes.spawn(Path.of("/bin/sleep"), List.of("sleep", "60"), List.of(), List.of());
        try (Fd pidfd = Processes.pidfdOpen(pid)) {
            assertTrue(Processes.startTime(pid) > 0);
            assertEquals(0, Files.poll(pidfd.value(), Files.POLLIN, 0));
            Processes.pidfdSendSignal(pidfd, Processes.SIGTERM);
            assertEquals(Files.POLLIN, Files.poll(pidfd.value(), Files.POLLIN, 10_000) & Files.POLLIN);
            assertEquals(128 + Processes.SIGTERM, Processes.exitCode(Processes.waitpid(pid)));
            SyscallException gone = assertThrows(SyscallException.class, () -> Processes.pidfdSendSignal(pidfd, Processes.SIGTERM));
            assertEquals(Errno.ESRCH, gone.errno());
        }
        assertThrows(SyscallException.class, () -> Processes.startTime(pid));
    }

    @Test
    void idsAreTheProcessOwn() {
        assertEquals(ProcessHandle.current().pid(), Processes.getpid());
        assertTrue(Processes.getuid() >= 0 && Processes.getgid() >= 0);
    }
}

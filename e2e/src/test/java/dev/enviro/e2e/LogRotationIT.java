package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Issue 3 must show 5 (the log part): a flood of output is bounded on disk by rotation; logs reads the kept files in order. */
class LogRotationIT extends WithBusyboxEngine {

    private static long sizeOf(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void assertConsecutive(List<String> lines, long last) {
        long first = last - lines.size() + 1;
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(Long.toString(first + i), lines.get(i), "line " + i + " of " + lines.size());
        }
    }

    @Test
    void aFloodKeepsAtMostMaxFileFilesOfAtMostMaxSize() throws Exception {
        // ~50 MB of log records (a 6-7 byte number and a 36-byte prefix per line)
        String id = engine.cli("run", "-d", "--log-opt", "max-size=1m", "--log-opt", "max-file=3", "localhost/busybox",
                "seq", "1", "1200000").stdout().strip();
        Cli.Result waited = engine.cli(180, "wait", id);
        assertEquals("0", waited.stdout().strip(), waited.toString());
        Path dir = engine.stateDir.resolve("containers").resolve(id);
        List<String> logs;
        try (Stream<Path> s = Files.list(dir)) {
            logs = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ctr.log")).sorted().toList();
        }
        assertEquals(List.of("ctr.log", "ctr.log.1", "ctr.log.2"), logs);
        for (String name : logs) {
            long size = Files.size(dir.resolve(name));
            assertTrue(size <= 1L << 20, name + " is " + size + " bytes");
        }
        assertTrue(Files.size(dir.resolve("ctr.log.2")) > (1L << 20) - 100, "rotated files are full");
        long total = sizeOf(dir);
        assertTrue(total < 8L << 20, "the container's state directory holds " + total + " bytes after a 50 MB flood");

        // logs: the kept files oldest first, then the live one: the flood's tail, in order, nothing twice
        Cli.Result shown = engine.cli(120, "logs", id);
        assertEquals(0, shown.exitCode(), shown.stderr());
        List<String> lines = shown.stdout().lines().toList();
        assertTrue(lines.size() > 50_000, lines.size() + " lines kept");
        assertConsecutive(lines, 1_200_000);
    }

    @Test
    void anAttachedRunFollowsTheLogAcrossRotations() throws Exception {
        // Bursts of ~45 KB with pauses: ~14 rotations of a 64k log over the run. Ten kept files give the
        // follower ~4 s of slack on a loaded CI machine; a reader further behind than max-file loses
        // rotated-away files, as with Docker's json-file driver.
        Cli.Result r = engine.cli(180, "run", "--rm", "--log-opt", "max-size=64k", "--log-opt", "max-file=10", "localhost/busybox",
                "sh", "-c", "for b in $(seq 0 19); do seq $((b*1000+1)) $((b*1000+1000)); sleep 0.3; done");
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> lines = r.stdout().lines().toList();
        assertEquals(20_000, lines.size());
        assertConsecutive(lines, 20_000);
    }
}

package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 2, must show 6: bad input gets one clear line and a non-zero exit, and leaves nothing behind. */
class BadInputIT extends WithBusyboxEngine {

    private java.util.List<java.nio.file.Path> cgroupsBefore;

    @org.junit.jupiter.api.BeforeEach
    void noteCgroups() throws Exception {
        cgroupsBefore = HostTraces.containerCgroups();
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(java.util.List.of(), HostTraces.mountsUnder(engine.stateDir), "stray mounts");
        java.util.List<java.nio.file.Path> stray = new java.util.ArrayList<>(HostTraces.containerCgroups());
        stray.removeAll(cgroupsBefore);
        // Only this engine's containers count: other engines on the host may be running their own.
        stray.removeIf(cgroup -> !knownToThisEngine(cgroup.getFileName().toString()));
        assertEquals(java.util.List.of(), stray, "container cgroups left by this test");
    }

    /** The journal keeps every container's history, also after removal: an id it does not know is not ours. */
    private static boolean knownToThisEngine(String id) {
        try {
            return engine.cli("inspect", "--history", id).exitCode() == 0;
        } catch (Exception e) {
            return true;
        }
    }

    private static void oneClearLine(Cli.Result r, String... mentions) {
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals(1, r.stderr().strip().lines().count(), () -> "one line expected: " + r);
        assertTrue(r.stderr().startsWith("Error: "), r::toString);
        for (String m : mentions) assertTrue(r.stderr().contains(m), () -> "should mention " + m + ": " + r);
    }

    private long blobCount() throws Exception {
        Path blobs = engine.stateDir.resolve("content/blobs/sha256");
        if (!Files.isDirectory(blobs)) return 0;
        try (Stream<Path> s = Files.list(blobs)) { return s.count(); }
    }

    @Test
    void unknownImage() throws Exception {
        String before = engine.cli("ps", "-a", "-q").stdout();
        Cli.Result r = engine.cli("run", "--rm", "localhost/nope", "true");
        oneClearLine(r, "localhost/nope", "not found");
        assertEquals(before, engine.cli("ps", "-a", "-q").stdout(), "no container record for an unknown image");
        assertEquals(java.util.List.of(), HostTraces.processesRunningFrom(engine.stateDir));
    }

    @Test
    void malformedArchive() throws Exception {
        Path bad = engine.dir.resolve("bad.tar");
        byte[] good = Files.readAllBytes(BusyboxImage.archive());
        Files.write(bad, java.util.Arrays.copyOf(good, good.length / 3)); // truncated mid-layer
        String imagesBefore = engine.cli("images").stdout();
        long blobsBefore = blobCount();
        Cli.Result r = engine.cli("load", "-i", bad.toString());
        oneClearLine(r, "bad.tar");
        assertEquals(imagesBefore, engine.cli("images").stdout());
        assertEquals(blobsBefore, blobCount(), "no blob of a rejected archive is stored");
        Path ingest = engine.stateDir.resolve("content/ingest");
        if (Files.isDirectory(ingest)) {
            try (Stream<Path> s = Files.list(ingest)) { assertEquals(0, s.count(), "ingest left over"); }
        }

        Path notAnArchive = engine.dir.resolve("hello.txt");
        Files.writeString(notAnArchive, "hello\n");
        oneClearLine(engine.cli("load", "-i", notAnArchive.toString()), "hello.txt");
        oneClearLine(engine.cli("load", "-i", engine.dir.resolve("missing.tar").toString()), "missing.tar");
    }

    @Test
    void duplicateName() throws Exception {
        Cli.Result first = engine.cli("run", "-d", "--name", "dup", "localhost/busybox", "sleep", "60");
        assertEquals(0, first.exitCode(), first::toString);
        try {
            Cli.Result second = engine.cli("run", "-d", "--name", "dup", "localhost/busybox", "true");
            oneClearLine(second, "dup", "already in use");
            assertEquals(1, engine.cli("ps", "-a", "-q").stdout().strip().lines().count());
        } finally {
            assertEquals(0, engine.cli("rm", "-f", "dup").exitCode());
        }
        assertEquals(java.util.List.of(), HostTraces.processesRunningFrom(engine.stateDir), "stray monitor");
    }

    @Test
    void invalidOptionValues() throws Exception {
        oneClearLine(engine.cli("run", "--name", "bad name!", "localhost/busybox", "true"), "bad name!");
        oneClearLine(engine.cli("kill", "-s", "NOPE", "whatever"), "NOPE");
        oneClearLine(engine.cli("stop", "-t", "-3", "whatever"), "-3");
        oneClearLine(engine.cli("run", "--rm", "-u", "nosuchuser", "localhost/busybox", "true"), "nosuchuser");
        oneClearLine(engine.cli("logs", "no-such-container"), "no-such-container");
        assertEquals("", engine.cli("ps", "-a", "-q").stdout().strip(), "nothing created by rejected runs");
    }
}

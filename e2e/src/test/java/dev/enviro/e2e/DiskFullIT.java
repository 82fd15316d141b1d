package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * Issue 11, item 1: a full state directory is a state of the engine, not a crash. The state directory is
 * a 128 MiB tmpfs of the test's own; a container fills it; the engine refuses new work with one line,
 * keeps answering ps, inspect, events, stop, rm and rmi, records every exit code (also those of
 * containers that ended while the disk was full), and runs containers again once space is freed,
 * without a restart. The same with the journal on PostgreSQL (its server on the test's own data
 * directory, elsewhere: the state directory fills, the journal does not).
 */
class DiskFullIT {

    private static dev.enviro.persistence.PostgresCluster postgres;

    @org.junit.jupiter.api.AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) postgres.close();
    }

    static java.util.stream.Stream<String> journals() {
        return java.util.stream.Stream.of("h2", "postgres");
    }

    private Path base;
    private Path mount;
    private EngineFixture engine;

    private void smallStateDisk(String journal) throws Exception {
        base = Files.createTempDirectory("enviro-diskfull-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
        mount = base.resolve("fs");
        Files.createDirectory(mount);
        sh("mount", "-t", "tmpfs", "-o", "size=128m,mode=711", "enviro-diskfull", mount.toString());
        Path dir = mount.resolve("engine");
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        List<String> flags = new java.util.ArrayList<>(List.of("--disk-min-free", "32m", "--disk-reserve", "16m"));
        if (journal.equals("postgres")) {
            if (postgres == null) postgres = dev.enviro.persistence.PostgresCluster.create();
            flags.addAll(List.of("--journal", "postgres", "--journal-url", postgres.newDatabase()));
        }
        engine = new EngineFixture(dir, List.of(), flags);
        engine.loadBusybox();
    }

    @AfterEach
    void removeIt() throws Exception {
        if (mount == null) return;
        try {
            if (engine != null) engine.close();
        } finally {
            sh("umount", mount.toString());
            Files.deleteIfExists(mount);
            Files.deleteIfExists(base);
        }
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, () -> String.join(" ", cmd) + ": " + out);
    }

    private String events(String type) throws Exception {
        return engine.cli("events", "--filter", "type=" + type).stdout();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("journals")
    void aFullDiskRefusesNewWorkKeepsTheRestAndComesBackWhenFreed(String journal) throws Exception {
        smallStateDisk(journal);
        assertEquals(0, engine.cli("run", "-d", "--name", "bystander", "localhost/busybox", "sleep", "3600").exitCode());
        assertEquals(0, engine.cli("tag", "localhost/busybox", "localhost/spare").exitCode());

        // the filler's run returns, with its exit code, though its own writes filled the disk
        Cli.Result filled = engine.cli(120, "run", "--name", "filler", "localhost/busybox", "sh", "-c",
                "dd if=/dev/zero of=/big bs=1M count=400; exit 3");
        assertEquals(3, filled.exitCode(), filled::toString);

        // new work is refused with one line saying why, and nothing is created
        Cli.Result refused = engine.cli("run", "--rm", "localhost/busybox", "true");
        assertEquals(125, refused.exitCode(), refused::toString);
        assertEquals(1, refused.stderr().strip().lines().count(), refused::toString);
        assertTrue(refused.stderr().contains("no space left") && refused.stderr().contains("needed"), refused::toString);
        Cli.Result load = engine.cli("load", "-i", BusyboxImage.archive().toString());
        assertEquals(125, load.exitCode(), load::toString);
        assertTrue(load.stderr().contains("no space left"), load::toString);

        // reads, stops and removals go on
        Cli.Result ps = engine.cli("ps", "-a");
        assertEquals(0, ps.exitCode(), ps::toString);
        assertTrue(ps.stdout().lines().anyMatch(l -> l.contains("Exited (3)") && l.endsWith("filler")), ps::toString);
        assertEquals("3", engine.cli("inspect", "-f", "{{.State.ExitCode}}", "filler").stdout().strip());
        Cli.Result stop = engine.cli("stop", "-t", "1", "bystander");
        assertEquals(0, stop.exitCode(), stop::toString);
        Cli.Result rmi = engine.cli("rmi", "localhost/spare");
        assertEquals(0, rmi.exitCode(), rmi::toString);

        // every exit code is in the journal, also the one that came while the disk was full
        waitFor(() -> events("Exited").contains("exitCode=3") && events("Exited").contains("exitCode=137"),
                "the exits of filler (3) and bystander (137) in the journal");

        // freeing the space lets new containers run again, without an engine restart
        Cli.Result rm = engine.cli("rm", "filler");
        assertEquals(0, rm.exitCode(), rm::toString);
        waitFor(() -> engine.cli("run", "--rm", "localhost/busybox", "echo", "back").stdout().equals("back\n"),
                "a run once the filler's files are gone");
        Cli.Result removals = engine.cli("events", "--filter", "type=Removed");
        assertTrue(removals.stdout().contains("/containers/delete"), removals::toString);
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void waitFor(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, "not within 60 s: " + what);
            Thread.sleep(250);
        }
    }
}

package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, must show 3: a 3-replica service heals a replica killed from the host (SIGKILL to its
 * init, not through the engine) and scales 3 → 5 → 1 live; removal removes every replica.
 */
class ServiceIT {

    /** The names of running containers, sorted. */
    private static List<String> running(EngineFixture engine) throws Exception {
        Cli.Result ps = engine.cli("ps");
        assertEquals(0, ps.exitCode(), ps::toString);
        return ps.stdout().lines().skip(1).map(l -> l.substring(l.lastIndexOf(' ') + 1)).sorted().toList();
    }

    private static void awaitRunning(EngineFixture engine, List<String> names) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> seen;
        while (!(seen = running(engine)).equals(names) && System.nanoTime() < deadline) Thread.sleep(200);
        assertEquals(names, seen, engine::daemonLog);
        Cli.Result all = engine.cli("ps", "-a", "-q");
        assertEquals(names.size(), all.stdout().lines().count(), "no exited or extra replicas left: " + all);
    }

    private static String inspect(EngineFixture engine, String format, String ref) throws Exception {
        Cli.Result r = engine.cli("inspect", "--format", format, ref);
        assertEquals(0, r.exitCode(), r::toString);
        return r.stdout().strip();
    }

    @Test
    void aThreeReplicaServiceHealsAKilledReplicaAndScalesThreeFiveOne() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            Cli.Result create = engine.cli("service", "create", "--name", "web", "--replicas", "3", "localhost/busybox",
                    "sleep", "1000");
            assertEquals(0, create.exitCode(), create::toString);
            assertEquals("web", create.stdout().strip());
            awaitRunning(engine, List.of("web.1", "web.2", "web.3"));

            // Killed from the host: the engine only learns of it from the monitor.
            String killedId = inspect(engine, "{{.Id}}", "web.2");
            long pid = Long.parseLong(inspect(engine, "{{.State.Pid}}", "web.2"));
            assertTrue(ProcessHandle.of(pid).orElseThrow().destroyForcibly());
            // until the engine has seen the death, web.2 still shows as the killed container, running
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (engine.cli("inspect", "--format", "{{.Id}}", "web.2").stdout().strip().equals(killedId) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            awaitRunning(engine, List.of("web.1", "web.2", "web.3"));
            assertNotEquals(killedId, inspect(engine, "{{.Id}}", "web.2"), "a new container replaced the killed one");

            assertEquals(0, engine.cli("service", "scale", "web=5").exitCode());
            awaitRunning(engine, List.of("web.1", "web.2", "web.3", "web.4", "web.5"));
            Cli.Result ls = engine.cli("service", "ls");
            assertTrue(ls.stdout().lines().anyMatch(l -> l.startsWith("web ") && l.contains("/5")), ls::toString);

            assertEquals(0, engine.cli("service", "scale", "web=1").exitCode());
            awaitRunning(engine, List.of("web.1"));

            Cli.Result rm = engine.cli("service", "rm", "web");
            assertEquals(0, rm.exitCode(), rm::toString);
            assertEquals("", engine.cli("ps", "-a", "-q").stdout().strip());
            assertEquals(1, engine.cli("service", "ls").stdout().lines().count(), "only the header");
            Cli.Result missing = engine.cli("service", "scale", "web=2");
            assertEquals("Error: no such service: web", missing.stderr().strip(), missing::toString);
            assertTrue(engine.leftovers().isEmpty(), "no replica process left: " + engine.leftovers());
        }
    }
}

package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 4, must show 2: restart policies through the CLI, with Docker's semantics. */
class RestartPolicyIT {

    @Test
    void onFailure3RetriesExactlyThreeTimesWithGrowingDelaysThenStaysExited() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            Cli.Result run = engine.cli("run", "-d", "--name", "flaky", "--restart", "on-failure:3", "localhost/busybox",
                    "sh", "-c", "echo run; exit 1");
            assertEquals(0, run.exitCode(), run::toString);
            String id = run.stdout().strip();
            // wait answers at the exit no restart follows.
            Cli.Result waited = engine.cli("wait", "flaky");
            assertEquals("1", waited.stdout().strip(), waited::toString);
            Thread.sleep(1500);
            assertEquals("3", engine.cli("inspect", "-f", "{{.RestartCount}}", "flaky").stdout().strip());
            assertEquals("exited", engine.cli("inspect", "-f", "{{.State.Status}}", "flaky").stdout().strip());

            Cli.Result scheduled = engine.cli("events", "--filter", "container=flaky", "--filter", "type=RestartScheduled");
            List<String> lines = scheduled.stdout().lines().toList();
            assertEquals(3, lines.size(), scheduled::toString);
            assertTrue(lines.get(0).contains("attempt=1") && lines.get(0).contains("delayMillis=100"), lines.get(0));
            assertTrue(lines.get(1).contains("attempt=2") && lines.get(1).contains("delayMillis=200"), lines.get(1));
            assertTrue(lines.get(2).contains("attempt=3") && lines.get(2).contains("delayMillis=400"), lines.get(2));
            Cli.Result all = engine.cli("events", "--filter", "container=" + id);
            assertEquals(4, all.stdout().lines().filter(l -> l.contains(" /tasks/start ")).count(), all::toString);
            assertEquals(4, all.stdout().lines().filter(l -> l.contains(" /tasks/exit ")).count(), all::toString);
            assertEquals(3, all.stdout().lines().filter(l -> l.contains(" /tasks/restart ")).count(), all::toString);
            // Same container, same log file: four runs' output.
            assertEquals("run\nrun\nrun\nrun\n", engine.cli("logs", "flaky").stdout());
            assertTrue(engine.cli("ps", "-a").stdout().contains("flaky"));
        }
    }

    @Test
    void aStopHoldsUnlessStoppedAcrossAnEngineRestart() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            assertEquals(0, engine.cli("run", "-d", "--name", "svc", "--restart", "unless-stopped", "localhost/busybox",
                    "sleep", "300").exitCode());
            assertEquals(0, engine.cli("stop", "-t", "1", "svc").exitCode());
            Thread.sleep(1000);
            assertEquals("exited", engine.cli("inspect", "-f", "{{.State.Status}}", "svc").stdout().strip());
            engine.stopDaemon();
            engine.startDaemon();
            Thread.sleep(1500);
            assertEquals("exited", engine.cli("inspect", "-f", "{{.State.Status}}", "svc").stdout().strip());
            assertEquals("0", engine.cli("inspect", "-f", "{{.RestartCount}}", "svc").stdout().strip());
        }
    }

    @Test
    void rmAndRestartConflict() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            Cli.Result r = engine.cli("run", "--rm", "--restart", "always", "localhost/busybox", "true");
            assertTrue(r.exitCode() != 0 && r.stderr().contains("conflict"), r::toString);
            Cli.Result bad = engine.cli("run", "--restart", "sometimes", "localhost/busybox", "true");
            assertTrue(bad.exitCode() != 0 && bad.stderr().contains("invalid restart policy"), bad::toString);
        }
    }
}

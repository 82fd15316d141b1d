package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 4: a container actor that throws is restarted by its supervisor from the journal, and its
 * container is neither lost nor duplicated nor orphaned. The fault is injected with the test hook
 * {@code -Denviro.test.throwOnSignal=10}: the actor throws when asked to send SIGUSR1.
 */
class SupervisionIT {

    @Test
    void anActorThatThrowsIsRestartedAndKeepsItsContainer() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.env().put("ENVIRO_JAVA_OPTS", "-Denviro.test.throwOnSignal=10");
            engine.stopDaemon();
            engine.startDaemon();
            engine.env().remove("ENVIRO_JAVA_OPTS");
            engine.loadBusybox();
            Cli.Result run = engine.cli("run", "-d", "--name", "s", "localhost/busybox", "sleep", "1000");
            assertEquals(0, run.exitCode(), run::toString);
            String id = run.stdout().strip();
            long pid = Long.parseLong(engine.cli("inspect", "--format", "{{.State.Pid}}", "s").stdout().strip());

            Cli.Result faulty = engine.cli("kill", "-s", "10", "s");
            assertNotEquals(0, faulty.exitCode(), "the actor failed instead of answering: " + faulty);
            assertTrue(engine.daemonLog().contains("fails on purpose"), engine::daemonLog);

            // Restarted from its journal: the same container, re-adopted, listed once, still running.
            Cli.Result ps = engine.cli("ps", "-a", "-q");
            assertEquals(List.of(id.substring(0, 12)), ps.stdout().lines().toList(), ps::toString);
            assertEquals(String.valueOf(pid), engine.cli("inspect", "--format", "{{.State.Pid}}", "s").stdout().strip());
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the container still runs");

            // Its exit is still recorded by the restarted actor.
            assertEquals(0, engine.cli("kill", "s").exitCode());
            Cli.Result waited = engine.cli("wait", "s");
            assertEquals("137", waited.stdout().strip(), waited::toString);
            Cli.Result exits = engine.cli("events", "--filter", "container=" + id, "--filter", "type=Exited");
            assertEquals(1, exits.stdout().lines().count(), exits::toString);
            assertTrue(exits.stdout().contains("signal=9"), exits::toString);
            assertTrue(engine.leftovers().isEmpty(), "nothing orphaned: " + engine.leftovers());
        }
    }
}

package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, the rest of the event vocabulary through the CLI: Paused and Unpaused (and a frozen container
 * stays paused, in fact and in {@code ps}/{@code inspect}, across an engine restart), ExecStarted and
 * ExecExited in the container's history, and the image event of a load.
 */
class AuditEventsIT {

    @Test
    void pauseExecAndImageEventsAreJournaledAndPauseOutlivesAnEngineRestart() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            Cli.Result loaded = engine.cli("events", "--filter", "type=Loaded");
            assertEquals(List.of("/images/load"), LifecycleIT.topics(loaded.stdout()), loaded::toString);
            assertTrue(loaded.stdout().contains("image=localhost/busybox"), loaded.stdout());

            Cli.Result run = engine.cli("run", "-d", "--name", "frozen", "localhost/busybox", "sh", "-c",
                    // renamed into place: a freeze between a truncation and its write would leave the file empty
                    "i=0; while :; do i=$((i+1)); echo $i > /tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done");
            assertEquals(0, run.exitCode(), run::toString);
            String id = run.stdout().strip();

            Cli.Result exec = engine.cli("exec", "frozen", "sh", "-c", "exit 3");
            assertEquals(3, exec.exitCode(), exec::toString);

            assertEquals(0, engine.cli("pause", "frozen").exitCode());
            assertEquals("true", engine.cli("inspect", "-f", "{{.State.Paused}}", "frozen").stdout().strip());
            Cli.Result ps = engine.cli("ps");
            assertTrue(ps.stdout().contains("(Paused)"), ps.stdout());
            long before = counter(engine);

            engine.stopDaemon();
            engine.startDaemon();

            assertEquals("true", engine.cli("inspect", "-f", "{{.State.Paused}}", "frozen").stdout().strip(),
                    "the journal remembers the freeze");
            assertEquals("paused", engine.cli("inspect", "-f", "{{.State.Status}}", "frozen").stdout().strip());
            Thread.sleep(700);
            assertEquals(before, counter(engine), "still frozen after the engine restart");
            assertEquals(0, engine.cli("unpause", "frozen").exitCode());
            assertEquals("false", engine.cli("inspect", "-f", "{{.State.Paused}}", "frozen").stdout().strip());
            Thread.sleep(700);
            assertTrue(counter(engine) > before, "it runs again");

            Cli.Result history = engine.cli("events", "--filter", "container=" + id);
            assertEquals(List.of("/containers/create", "/tasks/create", "/tasks/start", "/tasks/exec-started",
                    "/tasks/exec-exit", "/tasks/paused", "/tasks/resumed"), LifecycleIT.topics(history.stdout()),
                    history.stdout());
            Cli.Result execExit = engine.cli("events", "--filter", "container=" + id, "--filter", "type=ExecExited");
            assertTrue(execExit.stdout().contains("exitCode=3"), execExit::toString);
            Cli.Result execStart = engine.cli("events", "--filter", "type=ExecStarted");
            assertTrue(execStart.stdout().contains("argv=sh -c exit 3"), execStart::toString);
            Cli.Result pauses = engine.cli("events", "--filter", "type=Paused", "--filter", "type=Unpaused");
            assertEquals(List.of("/tasks/paused", "/tasks/resumed"), LifecycleIT.topics(pauses.stdout()), pauses::toString);

            // A paused container still stops: thawed after the signal (the shell as pid 1 ignores SIGTERM: SIGKILL at 1 s).
            assertEquals(0, engine.cli("pause", "frozen").exitCode());
            long stopAt = System.nanoTime();
            Cli.Result stop = engine.cli("stop", "-t", "1", "frozen");
            assertEquals(0, stop.exitCode(), stop::toString);
            assertTrue(System.nanoTime() - stopAt < java.util.concurrent.TimeUnit.SECONDS.toNanos(10), "stopped in time");
            assertEquals("exited", engine.cli("inspect", "-f", "{{.State.Status}}", "frozen").stdout().strip());
            assertEquals(0, engine.cli("rm", "frozen").exitCode());
        }
    }

    /** The counter file, read on the host through the container's root. */
    private static long counter(EngineFixture engine) throws Exception {
        String pid = engine.cli("inspect", "-f", "{{.State.Pid}}", "frozen").stdout().strip();
        return Long.parseLong(Files.readString(Path.of("/proc", pid, "root", "tmp", "n")).strip());
    }
}

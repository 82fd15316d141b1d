package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Issue 2, must show 4 and 5: what the engine knows lives in the journal and the monitors' files, not
 * in its memory. A graceful restart keeps history; a SIGKILL leaves running containers running and a
 * restarted engine re-adopts them and records their true exit code.
 */
class RestartIT {

    private static String line(EngineFixture engine, String name) throws Exception {
        return engine.cli("ps", "-a").stdout().lines().filter(l -> l.endsWith(" " + name)).findFirst()
                .orElseThrow(() -> new AssertionError("no ps line for " + name));
    }

    @Test
    void historySurvivesARestart() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            assertEquals(3, engine.cli("run", "--name", "three", "localhost/busybox", "sh", "-c", "echo out-three; exit 3").exitCode());
            assertEquals(0, engine.cli("run", "--name", "zero", "localhost/busybox", "echo", "out-zero").exitCode());

            engine.stopDaemon();
            engine.startDaemon();

            assertTrue(line(engine, "three").contains("Exited (3)"), () -> line0(engine));
            assertTrue(line(engine, "zero").contains("Exited (0)"), () -> line0(engine));
            Cli.Result logs = engine.cli("logs", "three");
            assertEquals(0, logs.exitCode(), logs::toString);
            assertEquals("out-three\n", logs.stdout());
            assertEquals("out-zero\n", engine.cli("logs", "zero").stdout());
        }
    }

    @Test
    void aContainerOutlivesAKilledEngineAndIsReadopted() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            // The container runs until we send it SIGUSR1 after the engine is dead, then exits 5.
            Cli.Result r = engine.cli("run", "-d", "--name", "survivor", "localhost/busybox",
                    "sh", "-c", "trap 'echo finishing; exit 5' USR1; echo started; i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; exit 1");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(line(engine, "survivor").contains("Up"), () -> line0(engine));
            String pid = engine.cli("inspect", "-f", "{{.State.Pid}}", "survivor").stdout().strip();
            long containerPid = Long.parseLong(pid);

            engine.killDaemon();
            assertTrue(ProcessHandle.of(containerPid).map(ProcessHandle::isAlive).orElse(false), "container died with the engine");

            engine.startDaemon();
            assertTrue(line(engine, "survivor").contains("Up"), () -> line0(engine));

            // Let it finish: the host signals the container's init by its host pid.
            Process signal = new ProcessBuilder("kill", "-USR1", String.valueOf(containerPid)).inheritIO().start();
            assertEquals(0, signal.waitFor());
            Cli.Result waited = engine.cli("wait", "survivor");
            assertEquals("5", waited.stdout().strip(), waited::toString);
            assertTrue(line(engine, "survivor").contains("Exited (5)"), () -> line0(engine));
            assertEquals("started\nfinishing\n", engine.cli("logs", "survivor").stdout());
        }
    }

    @Test
    void anExitWhileTheEngineIsDownIsRecorded() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            Cli.Result r = engine.cli("run", "-d", "--name", "quick", "localhost/busybox", "sh", "-c", "sleep 2; exit 9");
            assertEquals(0, r.exitCode(), r::toString);
            long containerPid = Long.parseLong(engine.cli("inspect", "-f", "{{.State.Pid}}", "quick").stdout().strip());
            engine.killDaemon();
            ProcessHandle.of(containerPid).ifPresent(h -> h.onExit().join());
            Thread.sleep(500);
            engine.startDaemon();
            assertEquals("9", engine.cli("wait", "quick").stdout().strip());
            assertTrue(line(engine, "quick").contains("Exited (9)"), () -> line0(engine));
        }
    }

    private static String line0(EngineFixture engine) {
        try { return engine.cli("ps", "-a").toString() + "\n" + engine.daemonLog(); } catch (Exception e) { return e.toString(); }
    }
}

package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import dev.enviro.cli.CliRun;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.enviro.grpc.EngineAddress;
import dev.enviro.daemon.RecordingEngine.Line;
import dev.enviro.daemon.RecordingEngine.Program;
import dev.enviro.images.ImageSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The verbs through the real API on a temp unix socket, against a {@link RecordingEngine}. */
@Timeout(30)
class CliAgainstEngineTest {

    @TempDir Path dir;
    RecordingEngine engine;
    EnviroDaemon daemon;
    Map<String, String> env;

    @BeforeEach
    void serve() throws Exception {
        engine = new RecordingEngine(dir.resolve("logs"));
        daemon = EnviroDaemon.serve(engine, LogSource.criFiles(), new EngineAddress(dir.resolve("enviro.sock")), dir.resolve("spool"));
        env = Map.of("ENVIRO_HOST", daemon.address().toString());
    }

    @AfterEach
    void close() {
        daemon.close();
    }

    CliRun enviro(String... args) {
        return CliRun.of(env, args);
    }

    @Test
    void runStreamsBothStreamsAndExitsWithTheContainersCode() {
        engine.program("localhost/busybox", Program.exits(7, Line.out("hello"), Line.err("oops"), Line.out("bye")));
        CliRun run = enviro("run", "--name", "t1", "localhost/busybox", "sh", "-c", "exit 7");
        assertEquals(7, run.exit());
        assertEquals("hello\nbye\n", run.out());
        assertEquals("oops\n", run.err());
        assertEquals(List.of("sh", "-c", "exit 7"), engine.lastCreate.command());
    }

    @Test
    void runRemoveLeavesNothingBehind() {
        engine.program("img", Program.exits(0, Line.out("x")));
        assertEquals(0, enviro("run", "--rm", "img").exit());
        assertEquals("", enviro("ps", "-a", "-q").out());
    }

    @Test
    void commandNotFoundExits127WithTheEnginesLine() {
        engine.program("img", Program.failsToStart(new EnviroError(ErrorCode.COMMAND_NOT_FOUND,
                "container t2: exec 'nope': executable file not found in $PATH")));
        CliRun run = enviro("run", "img", "nope");
        assertEquals(127, run.exit());
        assertEquals("Error: container t2: exec 'nope': executable file not found in $PATH\n", run.err());
    }

    @Test
    void engineErrorsExit125() {
        engine.program("img", Program.exits(0));
        assertEquals(0, enviro("run", "--name", "dup", "img").exit());
        CliRun again = enviro("run", "--name", "dup", "img");
        assertEquals(125, again.exit());
        assertEquals("Error: the name dup is already in use\n", again.err());
    }

    @Test
    void detachedRunPrintsTheIdAndPsShowsIt() {
        CompletableFuture<Void> release = new CompletableFuture<>();
        engine.program("localhost/busybox", Program.runsUntil(release));
        CliRun run = enviro("run", "-d", "--name", "web", "localhost/busybox", "sleep", "100");
        assertEquals(0, run.exit(), run.err());
        String id = run.out().strip();
        assertEquals(64, id.length());
        CliRun ps = enviro("ps");
        List<String> lines = ps.out().lines().toList();
        assertEquals(2, lines.size(), ps.out());
        assertTrue(lines.get(0).startsWith("CONTAINER ID   IMAGE"), lines.get(0));
        assertTrue(lines.get(1).startsWith(id.substring(0, 12) + "   localhost/busybox   \"sleep 100\""), lines.get(1));
        assertTrue(lines.get(1).matches(".*(Less than a second|\\d+ seconds?) ago   Up .*   web"), lines.get(1));
        assertEquals(id.substring(0, 12) + "\n", enviro("ps", "-q").out());
        release.complete(null);
    }

    @Test
    void psAllShowsExitedAndCreated() throws Exception {
        engine.program("img", Program.exits(3));
        enviro("run", "--name", "done", "img");
        engine.create(new ContainerDefinition("fresh", "img", null, null, List.of(), null, null, null, false, null, null, null, null))
                .toCompletableFuture().get();
        assertEquals(1, enviro("ps").out().lines().count(), "only the header: nothing runs");
        String all = enviro("ps", "-a").out();
        assertTrue(all.lines().anyMatch(l -> l.matches(".*Exited \\(3\\) .*ago +done")), all);
        assertTrue(all.lines().anyMatch(l -> l.matches(".*Created +fresh")), all);
    }

    @Test
    void logsStopKillRmInspectWait() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        engine.program("img", Program.runsUntil(release, Line.out("line 1"), Line.err("warn 1")));
        String id = enviro("run", "-d", "--name", "svc", "img").out().strip();
        waitForLog(id);
        CliRun logs = enviro("logs", "svc");
        assertEquals("line 1\n", logs.out());
        assertEquals("warn 1\n", logs.err());

        JsonNode inspect = new ObjectMapper().readTree(enviro("inspect", "svc").out());
        assertEquals(1, inspect.size());
        assertEquals(id, inspect.get(0).get("Id").asText());
        assertEquals("running", inspect.get(0).get("State").get("Status").asText());
        assertTrue(inspect.get(0).get("State").get("ExitCode").isNull());

        CliRun rmRunning = enviro("rm", "svc");
        assertEquals(125, rmRunning.exit());
        assertEquals("Error: container svc is running: stop it first or use 'enviro rm -f'\n", rmRunning.err());

        CliRun stop = enviro("stop", "-t", "2", "svc");
        assertEquals(0, stop.exit(), stop.err());
        assertEquals("svc\n", stop.out());
        assertTrue(engine.calls().contains("stop(svc,2)"));
        assertEquals("143\n", enviro("wait", "svc").out());

        CliRun kill = enviro("kill", "svc", "nope");
        assertEquals(125, kill.exit());
        assertEquals("Error: container svc is not running\nError: no such container: nope\n", kill.err());

        CliRun rm = enviro("rm", "svc", "ghost");
        assertEquals(125, rm.exit());
        assertEquals("svc\n", rm.out());
        assertEquals("Error: no such container: ghost\n", rm.err());
        CliRun gone = enviro("inspect", "svc");
        assertEquals(125, gone.exit());
        assertEquals("[ ]\n", gone.out());
    }

    @Test
    void killSendsTheNamedSignal() {
        engine.program("img", Program.runsUntil(new CompletableFuture<>()));
        enviro("run", "-d", "--name", "k", "img");
        assertEquals(0, enviro("kill", "-s", "SIGUSR1", "k").exit());
        assertTrue(engine.calls().contains("kill(k,10)"));
    }

    @Test
    void logsFollowEndsWhenTheContainerExits() {
        CompletableFuture<Void> release = new CompletableFuture<>();
        engine.program("img", Program.runsUntil(release, Line.out("a")));
        enviro("run", "-d", "--name", "f", "img");
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException ignored) {
            }
            release.complete(null);
        });
        CliRun logs = enviro("logs", "-f", "f");
        assertEquals(0, logs.exit());
        assertEquals("a\n", logs.out());
    }

    @Test
    void imagesAndLoad() throws Exception {
        engine.addImage(new ImageSummary("sha256:" + "a".repeat(64), "sha256:" + "b".repeat(64),
                List.of("localhost/busybox:latest"), 4_261_000, Instant.now().minusSeconds(7200)));
        String images = enviro("images").out();
        assertEquals("""
                REPOSITORY          TAG      IMAGE ID       CREATED       SIZE
                localhost/busybox   latest   aaaaaaaaaaaa   2 hours ago   4.26MB
                """, images);
        Path archive = Files.createFile(dir.resolve("busybox.tar"));
        CliRun load = enviro("load", "-i", archive.toString());
        assertEquals(0, load.exit(), load.err());
        assertEquals("Loaded image: localhost/loaded:latest\n", load.out());
        CliRun missing = enviro("load", "-i", dir.resolve("nope.tar").toString());
        assertEquals(125, missing.exit());
        assertEquals("Error: cannot load " + dir.resolve("nope.tar") + ": no such file or directory\n", missing.err());
    }

    private void waitForLog(String id) throws Exception {
        Path log = Path.of(engine.containers().get(id).logPath());
        for (int i = 0; i < 500 && !(Files.exists(log) && Files.readAllLines(log).size() >= 2); i++) {
            Thread.sleep(10);
        }
    }
}

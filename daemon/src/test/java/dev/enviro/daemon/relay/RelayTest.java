package dev.enviro.daemon.relay;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.grpc.EngineAddress;
import dev.enviro.daemon.EnviroDaemon;
import dev.enviro.daemon.LogSource;
import dev.enviro.daemon.RecordingEngine;
import dev.enviro.daemon.RecordingEngine.Line;
import dev.enviro.daemon.RecordingEngine.Program;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real relay ({@code ffm/target/enviro-relay}) against a {@link RelayServer} whose verbs call a
 * {@link RecordingEngine} in-process: the frames, the caller's files and stdin, signals, exit codes.
 */
@Timeout(30)
class RelayTest {

    private static final Path RELAY = Path.of(System.getProperty("enviro.relay", "../ffm/target/enviro-relay")).toAbsolutePath();

    @TempDir Path dir;
    RecordingEngine engine;
    EnviroDaemon daemon;
    RelayServer relay;
    final AtomicInteger sessions = new AtomicInteger();

    @BeforeEach
    void serve() throws Exception {
        assertTrue(Files.isExecutable(RELAY), "the relay is built by the ffm module: " + RELAY);
        engine = new RecordingEngine(dir.resolve("logs"));
        EngineAddress address = new EngineAddress(dir.resolve("enviro.sock"));
        daemon = EnviroDaemon.serve(engine, LogSource.criFiles(), address, dir.resolve("spool"));
        relay = RelayServer.bind(address.cliSocket(), "rw-------", daemon::inProcessClient, sessions);
    }

    @AfterEach
    void close() {
        relay.close();
        daemon.close();
    }

    record Result(int exit, String out, String err) {}

    /** {@code sh -c SCRIPT} with {@code $R} the relay command ({@code enviro}), in {@code dir}. */
    private Process start(String script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).directory(dir.toFile());
        pb.environment().put("R", RELAY.toString());
        pb.environment().put("ENVIRO_HOST", "unix://" + dir.resolve("enviro.sock"));
        return pb.start();
    }

    private Result sh(String script) throws Exception {
        Process p = start(script);
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), script);
        return new Result(p.exitValue(), out, err.join());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theVerbsOutputErrorsAndExitCodeComeBackInOrder() throws Exception {
        engine.program("img", Program.exits(7, Line.out("hello"), Line.err("oops"), Line.out("bye")));
        Result run = sh("$R run img 2>&1");
        assertEquals(7, run.exit(), run.toString());
        assertEquals("hello\noops\nbye\n", run.out());
        Result bad = sh("$R run");
        assertEquals(125, bad.exit());
        assertTrue(bad.err().startsWith("Error: Missing required parameter: 'IMAGE'"), bad.err());
        assertEquals("", bad.out());
    }

    @Test
    void filesAreTheCallersOpenedInTheCallersDirectory() throws Exception {
        Files.writeString(dir.resolve("vars.env"), "# comment\nA=1\n");
        engine.program("img", Program.exits(0));
        Result run = sh("$R run --env-file vars.env img");
        assertEquals(0, run.exit(), run.toString());
        assertEquals(List.of("A=1"), engine.lastCreate.env());
        Result missing = sh("$R run --env-file nope.env img");
        assertEquals(125, missing.exit());
        assertEquals("Error: --env-file nope.env: cannot read it: no such file or directory\n", missing.err());
    }

    @Test
    void credentialsAreWrittenByTheRelayWholeAndPrivate() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Result login = sh("printf 'secret\\n' | HOME=" + home + " $R login -u bob --password-stdin 127.0.0.1:5000");
        assertEquals(0, login.exit(), login.toString());
        assertTrue(engine.calls().contains("checkLogin(127.0.0.1:5000,bob)"), "asked of the registry (through the engine) first");
        Path config = home.resolve(".docker/config.json");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent())));
        assertTrue(Files.readString(config).contains("\"127.0.0.1:5000\""), Files.readString(config));
        try (var left = Files.list(config.getParent())) {
            assertEquals(List.of(config), left.toList(), "no temporary file left");
        }
        Result logout = sh("HOME=" + home + " $R logout 127.0.0.1:5000");
        assertEquals("Removing login credentials for 127.0.0.1:5000\n", logout.out());
    }

    @Test
    void withoutAHomeCredentialsAreNowhereToReadAndCannotBeStored() throws Exception {
        String bare = "env -i ENVIRO_HOST=$ENVIRO_HOST $R";
        Result logout = sh(bare + " logout 127.0.0.1:5000");
        assertEquals(0, logout.exit(), logout.toString());
        assertEquals("Not logged in to 127.0.0.1:5000\n", logout.out());
        Result login = sh("printf 'pw\\n' | " + bare + " login -u bob --password-stdin 127.0.0.1:5000");
        assertEquals(125, login.exit(), login.toString());
        assertEquals("Error: cannot store registry credentials: neither DOCKER_CONFIG nor HOME is set; set one\n", login.err());
    }

    @Test
    void aSaveMakesTheMissingDirectoriesAndAClosedStdoutDoesNotConfuseTheRelay() throws Exception {
        Result save = sh("$R save -o new/sub/box.tar localhost/busybox");
        assertEquals(0, save.exit(), save.toString());
        assertTrue(Files.readString(dir.resolve("new/sub/box.tar")).startsWith("saved [localhost/busybox]"));
        // with fd 1 closed, the relay's socket must not take its number (it would send itself its output)
        Result closed = sh("$R ps >&-; echo rc=$? >&2");
        assertEquals("rc=0\n", closed.err());
    }

    @Test
    void stdinIsReadOnlyWhenAVerbAsks() throws Exception {
        // `enviro ps` in a read loop must leave the loop's input alone
        Result loop = sh("printf 'a\\nb\\n' | { $R ps > /dev/null; cat; }");
        assertEquals(0, loop.exit(), loop.toString());
        assertEquals("a\nb\n", loop.out());
    }

    @Test
    void aSignalEndsAVerbThatDoesNotTakeItAnd128PlusItIsTheExit() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        engine.program("img", Program.runsUntil(release));
        Result detached = sh("$R run -d --name long img");
        assertEquals(0, detached.exit(), detached.toString());
        Process wait = start("exec $R wait long");
        awaitSessions(1);
        assertTrue(wait.isAlive());
        new ProcessBuilder("kill", "-INT", Long.toString(wait.pid())).start().waitFor();
        assertTrue(wait.waitFor(10, TimeUnit.SECONDS));
        assertEquals(130, wait.exitValue());
        assertEquals("", read(wait.getErrorStream()), "a command a signal ended prints nothing more");
        awaitSessions(0);
        release.complete(null);
    }

    @Test
    void aRelayThatDiesTakesItsVerbWithIt() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        engine.program("img", Program.runsUntil(release));
        assertEquals(0, sh("$R run -d --name long img").exit());
        List<Process> waits = new ArrayList<>();
        for (int i = 0; i < 3; i++) waits.add(start("exec $R wait long"));
        awaitSessions(3);
        for (Process p : waits) p.destroyForcibly().waitFor();
        awaitSessions(0);
        release.complete(null);
    }

    private void awaitSessions(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sessions.get() != n && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(n, sessions.get(), "command lines running for relays");
    }
}

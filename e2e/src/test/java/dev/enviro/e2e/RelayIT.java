package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The native relay ({@code bin/enviro}): every verb runs inside the engine, yet the engine opens no
 * path a command line names (the relay does, with the caller's rights), and a relay that dies takes
 * its command with it.
 */
class RelayIT {

    /**
     * A root engine shared with a group ({@code daemon --group}) and a user of that group: the user's
     * load, --env-file, seccomp profile and save go through the user's own rights, so a file only root
     * may read stays unread, and a directory only root may write stays unwritten.
     */
    @Test
    void aUserCannotMakeTheEngineReadOrWriteWhatTheyCannot() throws Exception {
        try (UnprivilegedUser user = new UnprivilegedUser();
             EngineFixture engine = EngineFixture.root("--group", user.name)) {
            Path secret = engine.dir.resolve("secret.tar");
            Files.copy(BusyboxImage.archive(), secret);
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Path rootOnly = Files.createDirectory(engine.dir.resolve("root-only"));
            Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwx--x--x"));

            Cli.Result load = asUser(engine, user, "load", "-i", secret.toString());
            assertEquals(125, load.exitCode(), load.toString());
            assertEquals("Error: cannot load " + secret + ": permission denied\n", load.stderr());
            Cli.Result envFile = asUser(engine, user, "run", "--rm", "--env-file", secret.toString(), "localhost/busybox", "true");
            assertEquals(125, envFile.exitCode(), envFile.toString());
            assertTrue(envFile.stderr().startsWith("Error: --env-file " + secret + ": cannot read it"), envFile.toString());
            Cli.Result seccomp = asUser(engine, user, "run", "--rm", "--security-opt", "seccomp=" + secret, "localhost/busybox", "true");
            assertEquals(125, seccomp.exitCode(), seccomp.toString());
            assertTrue(seccomp.stderr().startsWith("Error: --security-opt seccomp=" + secret + ": cannot read"), seccomp.toString());
            assertFalse(engine.cli("images").stdout().contains("busybox"), "nothing was loaded");

            // the same file, named by root, loads: the refusal above was the user's rights, nothing else
            Cli.Result rootLoad = engine.cli(120, "load", "-i", secret.toString());
            assertEquals(0, rootLoad.exitCode(), rootLoad.toString());
            Cli.Result save = asUser(engine, user, "save", "-o", rootOnly.resolve("box.tar").toString(), "localhost/busybox");
            assertEquals(125, save.exitCode(), save.toString());
            assertEquals("Error: cannot save to " + rootOnly.resolve("box.tar") + ": permission denied\n", save.stderr());
            try (var left = Files.list(rootOnly)) {
                assertEquals(List.of(), left.toList(), "no archive, and no temporary file");
            }
            // what the user may write, the user's relay writes, as the user
            Path mine = Files.createDirectory(engine.dir.resolve("mine"));
            user.own(mine);
            Cli.Result saved = asUser(engine, user, "save", "-o", mine.resolve("box.tar").toString(), "localhost/busybox");
            assertEquals(0, saved.exitCode(), saved.toString());
            assertEquals(user.uid, (Integer) Files.getAttribute(mine.resolve("box.tar"), "unix:uid"));
        }
    }

    /** kill -9 of relays mid-verb (a followed log, the event stream, a wait): the engine ends the verbs it ran for them. */
    @Test
    void aRelayKilledMidVerbLeavesNothingRunningInTheEngine() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            Cli.Result started = engine.cli("run", "-d", "--name", "sleeper", "localhost/busybox", "sleep", "600");
            assertEquals(0, started.exitCode(), started.toString());
            assertEquals(1, cliSessions(engine), "only info itself");
            List<Process> relays = new ArrayList<>();
            try {
                for (List<String> verb : List.of(List.of("logs", "-f", "sleeper"), List.of("events"), List.of("wait", "sleeper"))) {
                    List<String> cmd = new ArrayList<>(List.of(Cli.launcher().toString()));
                    cmd.addAll(verb);
                    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD);
                    pb.environment().putAll(engine.env());
                    relays.add(pb.start());
                }
                awaitSessions(engine, 4);
                for (Process relay : relays) {
                    assertTrue(relay.isAlive(), "a follower runs until it is killed");
                    relay.destroyForcibly();
                    relay.waitFor(10, TimeUnit.SECONDS);
                }
                awaitSessions(engine, 1);
            } finally {
                for (Process relay : relays) relay.destroyForcibly();
            }
            // as docker's: the container the verbs watched is not theirs to end
            assertTrue(engine.cli("ps", "-q").stdout().strip().length() == 12, "the container still runs");
        }
    }

    /** With no engine answering, a verb fails in one line at once, and help is the Java CLI's. */
    @Test
    void withNoEngineAVerbFailsInOneLineAndHelpStillAnswers() throws Exception {
        Path dir = Files.createTempDirectory("enviro-relay-");
        try {
            Map<String, String> env = Map.of("ENVIRO_HOST", "unix://" + dir.resolve("enviro.sock"));
            Cli.Result ps = Cli.run(List.of(), env, 30, "ps");
            assertEquals(125, ps.exitCode(), ps.toString());
            assertEquals("Error: cannot reach the Enviro engine at unix://" + dir.resolve("enviro.sock")
                    + " (connect: No such file or directory). Start one with 'enviro daemon' (or set ENVIRO_HOST).\n", ps.stderr());
            Cli.Result java = Cli.run(List.of(), Map.of("ENVIRO_HOST", env.get("ENVIRO_HOST"), "ENVIRO_CLIENT", "java"), 60, "ps");
            assertEquals(ps.stderr(), java.stderr(), "the relay's line is the Java CLI's");
            Cli.Result help = Cli.run(List.of(), env, 60, "ps", "--help");
            assertEquals(0, help.exitCode(), help.toString());
            assertTrue(help.stdout().startsWith("Usage: enviro ps"), help.toString());
        } finally {
            EngineFixture.deleteTree(dir);
        }
    }

    private static Cli.Result asUser(EngineFixture engine, UnprivilegedUser user, String... args) throws Exception {
        return Cli.run(user.prefix(), engine.env(), 60, args);
    }

    private static final Pattern SESSIONS = Pattern.compile("(?m)^CLI Sessions: (\\d+)$");

    private static int cliSessions(EngineFixture engine) throws Exception {
        Cli.Result info = engine.cli("info");
        Matcher m = SESSIONS.matcher(info.stdout());
        assertTrue(m.find(), info.toString());
        return Integer.parseInt(m.group(1));
    }

    private static void awaitSessions(EngineFixture engine, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int seen;
        while ((seen = cliSessions(engine)) != expected && System.nanoTime() < deadline) Thread.sleep(100);
        assertEquals(expected, seen, "command lines the engine runs for relays (info included)");
    }
}

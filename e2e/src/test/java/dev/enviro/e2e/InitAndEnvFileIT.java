package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --init} (a zombie-reaping pid 1) and {@code --env-file}, through the CLI. */
class InitAndEnvFileIT extends WithBusyboxEngine {

    /** The states (R, S, Z, …) of the children of host pid {@code pid}, read from /proc. */
    private static List<String> childStates(long pid) throws Exception {
        List<String> states = new ArrayList<>();
        for (String child : Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim().split("\\s+")) {
            if (child.isEmpty()) continue;
            String stat = Files.readString(Path.of("/proc/" + child + "/stat"));
            states.add(stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
        }
        return states;
    }

    private static List<String> statesAfterAnOrphanExits(String... flags) throws Exception {
        List<String> argv = new ArrayList<>(List.of("run", "-d"));
        argv.addAll(List.of(flags));
        // the inner sh leaves an orphan that exits at once; `exec sleep` makes pid 1 something that never reaps
        argv.addAll(List.of("localhost/busybox", "sh", "-c", "sh -c 'sleep 0.2 &'; exec sleep 30"));
        String id = engine.cli(argv.toArray(String[]::new)).stdout().strip();
        try {
            long pid = Long.parseLong(engine.cli("inspect", "--format", "{{.State.Pid}}", id).stdout().strip());
            Thread.sleep(1500);
            return childStates(pid);
        } finally {
            engine.cli("rm", "-f", id);
        }
    }

    @Test
    void withoutInitAnOrphanStaysAZombieWithInitItIsReaped() throws Exception {
        assertEquals(List.of("Z"), statesAfterAnOrphanExits(), "pid 1 = sleep never reaps: the test can tell");
        assertEquals(List.of("S"), statesAfterAnOrphanExits("--init"), "init's only child is the command");
    }

    @Test
    void initIsPid1ForwardsSignalsAndPassesTheExitCodeOn() throws Exception {
        Cli.Result r = engine.cli("run", "--rm", "--init", "localhost/busybox", "sh", "-c", "cat /proc/1/comm; echo $$; exit 7");
        assertEquals(7, r.exitCode(), r.toString());
        assertEquals("memfd:enviro-he\n2\n", r.stdout(), "pid 1 is the helper from its sealed memfd, the command pid 2");
        String id = engine.cli("run", "-d", "--init", "localhost/busybox", "sleep", "60").stdout().strip();
        Cli.Result stopped = engine.cli("stop", "-t", "20", id);
        assertEquals(0, stopped.exitCode(), stopped.toString());
        Cli.Result code = engine.cli("inspect", "--format", "{{.State.ExitCode}}", id);
        assertEquals("143", code.stdout().strip(), "SIGTERM reached sleep through init (without init, pid 1 ignores it): " + code);
        engine.cli("rm", id);
    }

    @Test
    void envFileLinesComeBeforeMinusEAndSkipComments() throws Exception {
        Path file = engine.dir.resolve("app.env");
        Files.writeString(file, "# a comment\nA=from-file\nB=two words\n\nC=kept\n");
        Cli.Result r = engine.cli("run", "--rm", "--env-file", file.toString(), "-e", "A=from-flag", "localhost/busybox",
                "sh", "-c", "echo \"$A|$B|$C\"");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("from-flag|two words|kept\n", r.stdout());
        Cli.Result missing = engine.cli("run", "--rm", "--env-file", engine.dir.resolve("nope.env").toString(), "localhost/busybox", "true");
        assertTrue(missing.exitCode() != 0 && missing.stderr().contains("--env-file"), missing.toString());
    }
}

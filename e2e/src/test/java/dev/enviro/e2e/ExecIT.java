package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code enviro exec}: the container's namespaces, cgroup and security profile, its exit code, env, user, workdir. */
class ExecIT extends WithBusyboxEngine {

    static String id;

    @BeforeAll
    static void start() throws Exception {
        Cli.Result r = engine.cli("run", "-d", "--name", "target", "--hostname", "exec-target", "-e", "FROM_RUN=1",
                "localhost/busybox", "sh", "-c", "echo marker > /tmp/in-container; exec sleep 600");
        assertEquals(0, r.exitCode(), r.toString());
        id = r.stdout().strip();
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), HostTraces.mountsUnder(engine.stateDir), "stray mounts");
    }

    private static Cli.Result exec(String... args) throws Exception {
        String[] argv = new String[args.length + 1];
        argv[0] = "exec";
        System.arraycopy(args, 0, argv, 1, args.length);
        return engine.cli(argv);
    }

    @Test
    void exitCodesPropagate() throws Exception {
        assertEquals(0, exec("target", "true").exitCode());
        assertEquals(3, exec("target", "sh", "-c", "exit 3").exitCode());
        assertEquals(137, exec("target", "sh", "-c", "kill -9 $$").exitCode());
        Cli.Result missing = exec("target", "no-such-command");
        assertEquals(127, missing.exitCode(), missing.toString());
        assertTrue(missing.stderr().contains("no-such-command"), missing.toString());
        // the audit trail has every exec asked for, also one that never started, with the exit code its caller saw
        Cli.Result audit = engine.cli("events", "--filter", "container=target", "--filter", "type=ExecStarted",
                "--filter", "type=ExecExited");
        assertTrue(audit.stdout().contains("argv=no-such-command"), audit.toString());
        assertTrue(audit.stdout().contains("exitCode=127"), audit.toString());
        assertTrue(audit.stdout().contains("exitCode=137"), audit.toString());
    }

    @Test
    void itRunsInTheContainersNamespacesAndFilesystem() throws Exception {
        Cli.Result r = exec(id.substring(0, 12), "sh", "-c", "hostname; cat /tmp/in-container; cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $FROM_RUN");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("exec-target\nmarker\nsleep 600 \n1\n", r.stdout());
        // the same pid, mount, net, ipc, uts, user and cgroup namespaces as the container's init
        Cli.Result ns = exec("target", "sh", "-c", "for n in pid mnt net ipc uts user cgroup; do [ $(readlink /proc/self/ns/$n) = $(readlink /proc/1/ns/$n) ] || echo differs $n; done; echo checked");
        assertEquals("checked\n", ns.stdout(), ns.toString());
    }

    @Test
    void itIsInTheContainersCgroupAndUnderItsSecurityProfile() throws Exception {
        Cli.Result r = exec("target", "sh", "-c",
                "[ \"$(cat /proc/self/cgroup)\" = \"$(cat /proc/1/cgroup)\" ] && echo same-cgroup;"
                        + " grep -E '^(CapBnd|CapEff|NoNewPrivs|Seccomp):' /proc/self/status > /tmp/a; grep -E '^(CapBnd|CapEff|NoNewPrivs|Seccomp):' /proc/1/status > /tmp/b;"
                        + " cmp -s /tmp/a /tmp/b && echo same-profile; cat /tmp/a");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().startsWith("same-cgroup\nsame-profile\n"), r.toString());
        assertTrue(r.stdout().contains("Seccomp:\t2"), "the container's seccomp filter applies: " + r);
        assertTrue(r.stdout().contains("NoNewPrivs:\t1"), r.toString());
        assertTrue(!r.stdout().contains("CapEff:\t000001ffffffffff"), "not every capability: " + r);
    }

    @Test
    void envUserAndWorkdirOverrideTheContainers() throws Exception {
        Cli.Result r = exec("-e", "FOO=bar", "-e", "FROM_RUN=2", "-u", "65534:65534", "-w", "/tmp", "target", "sh", "-c", "echo $FOO $FROM_RUN; id -u; id -g; pwd");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("bar 2\n65534\n65534\n/tmp\n", r.stdout());
        Cli.Result byName = exec("-u", "nobody", "target", "id", "-un");
        assertEquals("nobody\n", byName.stdout(), byName.toString());
        Cli.Result unknown = exec("-u", "nosuchuser", "target", "true");
        assertNotEquals(0, unknown.exitCode());
        assertTrue(unknown.stderr().contains("nosuchuser"), unknown.toString());
    }

    @Test
    void stderrIsKeptApartAndLongOutputArrivesWhole() throws Exception {
        Cli.Result r = exec("target", "sh", "-c", "echo to-err >&2; seq 1 20000");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("to-err\n", r.stderr(), "stdout lines: " + r.stdout().lines().count() + ", first: " + r.stdout().lines().limit(3).toList());
        assertEquals(20000, r.stdout().lines().count());
    }

    /** Must show 2 for exec too: the workdir is entered after every inherited fd is closed. */
    @Test
    void aWorkdirThroughProcSelfFdCannotReachAHostDirectory() throws Exception {
        for (int fd = 3; fd <= 10; fd++) {
            Cli.Result r = exec("-w", "/proc/self/fd/" + fd, "target", "pwd");
            assertEquals(125, r.exitCode(), "fd " + fd + ": " + r);
            assertEquals("", r.stdout(), r.toString());
        }
    }

    @Test
    void aStoppedContainerRefusesExec() throws Exception {
        String other = engine.cli("run", "-d", "localhost/busybox", "true").stdout().strip();
        engine.cli("wait", other);
        Cli.Result r = exec(other, "true");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("is not running"), r.toString());
        Cli.Result none = exec("no-such-container", "true");
        assertNotEquals(0, none.exitCode());
        assertTrue(none.stderr().contains("no-such-container"), none.toString());
    }

    @Test
    void aPausedContainerRefusesExecAndTakesItAfterUnpause() throws Exception {
        String other = engine.cli("run", "-d", "localhost/busybox", "sleep", "600").stdout().strip();
        try {
            assertEquals(0, engine.cli("pause", other).exitCode());
            Cli.Result r = exec(other, "true");
            assertNotEquals(0, r.exitCode());
            assertTrue(r.stderr().strip().matches("Error: container \\S+ is paused: unpause it before exec"), r.toString());
            assertEquals(0, engine.cli("unpause", other).exitCode());
            assertEquals(0, exec(other, "true").exitCode());
        } finally {
            engine.cli("rm", "-f", other);
        }
    }
}

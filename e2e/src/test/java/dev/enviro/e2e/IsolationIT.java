package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 2, must show 1 and 3: a real image in real namespaces, through the CLI against a daemon. */
class IsolationIT extends WithBusyboxEngine {

    private Cli.Result run(String... cmd) throws Exception {
        String[] args = new String[cmd.length + 3];
        args[0] = "run";
        args[1] = "--rm";
        args[2] = "localhost/busybox";
        System.arraycopy(cmd, 0, args, 3, cmd.length);
        return engine.cli(args);
    }

    @Test
    void printsHello() throws Exception {
        Cli.Result r = run("echo", "hello");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("hello\n", r.stdout());
    }

    @Test
    void commandIsPidOneAndNoHostProcessIsVisible() throws Exception {
        Cli.Result r = run("sh", "-c", "echo $$; ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '");
        assertEquals(0, r.exitCode(), r::toString);
        String[] lines = r.stdout().split("\n");
        assertEquals("1", lines[0].trim(), r::toString);
        // Only the shell (1) and the ls/grep/sort/tr it forked: all small pids of a fresh namespace.
        List<Integer> pids = Arrays.stream(lines[1].trim().split(" ")).map(Integer::parseInt).toList();
        assertTrue(pids.contains(1), r::toString);
        assertTrue(pids.stream().allMatch(p -> p < 20), "host processes visible: " + pids);
        String hostPid = String.valueOf(ProcessHandle.current().pid());
        assertTrue(!pids.contains(Integer.parseInt(hostPid)) || Integer.parseInt(hostPid) < 20);
    }

    @Test
    void containerRootIsAnUnprivilegedHostId() throws Exception {
        Cli.Result r = run("cat", "/proc/self/uid_map");
        assertEquals(0, r.exitCode(), r::toString);
        String[] f = r.stdout().trim().split("\\s+");
        assertEquals("0", f[0], r::toString);
        assertNotEquals("0", f[1], "container root must not be host root: " + r.stdout());
    }

    @Test
    void hasItsOwnHostname() throws Exception {
        Cli.Result r = engine.cli("run", "--rm", "--hostname", "box1", "localhost/busybox", "hostname");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("box1\n", r.stdout());
        Cli.Result d = run("hostname");
        assertNotEquals(java.net.InetAddress.getLocalHost().getHostName() + "\n", d.stdout());
    }

    @Test
    void onlyLoopbackInItsNetworkNamespace() throws Exception {
        Cli.Result r = run("sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("lo\n", r.stdout());
    }

    @Test
    void rootIsTheImage() throws Exception {
        // The image's own files are at /; the host's are not.
        Cli.Result r = run("sh", "-c", "ls /bin/busybox && test ! -e /usr/lib/jvm && test ! -e /work && echo image-root");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().endsWith("image-root\n"), r::toString);
    }

    @Test
    void exitCodePropagates() throws Exception {
        Cli.Result r = run("sh", "-c", "exit 7");
        assertEquals(7, r.exitCode(), r::toString);
    }

    @Test
    void missingExecutableIs127WithAClearMessage() throws Exception {
        Cli.Result r = run("no-such-command");
        assertEquals(127, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("executable file not found"), r::toString);
        assertTrue(r.stderr().contains("no-such-command"), r::toString);
        assertEquals(1, r.stderr().strip().lines().count(), "one clear line: " + r.stderr());
    }

    @Test
    void noEngineFileDescriptorReachesTheContainer() throws Exception {
        Cli.Result r = run("ls", "/proc/self/fd");
        assertEquals(0, r.exitCode(), r::toString);
        // 0, 1, 2 and the directory fd ls itself opened.
        assertEquals(List.of("0", "1", "2", "3"), r.stdout().lines().toList(), r::toString);
    }

    @Test
    void imageConfigEnvAndWorkdirApply() throws Exception {
        Cli.Result r = engine.cli("run", "--rm", "-e", "GREETING=hi", "-w", "/tmp", "localhost/busybox",
                "sh", "-c", "echo $GREETING $PATH; pwd");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("hi /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n/tmp\n", r.stdout());
    }

    @Test
    void userOptionSwitchesIds() throws Exception {
        Cli.Result r = engine.cli("run", "--rm", "-u", "nobody", "localhost/busybox", "id", "-u");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("65534\n", r.stdout());
    }
}

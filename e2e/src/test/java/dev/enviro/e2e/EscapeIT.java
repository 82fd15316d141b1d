package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 3, must show 1, 2 and 4: the escape classes runc has suffered stay blocked. */
class EscapeIT extends WithBusyboxEngine {

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), HostTraces.mountsUnder(engine.stateDir), "stray mounts");
    }

    private static Cli.Result run(String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("run", "--rm"));
        argv.addAll(List.of(args));
        return engine.cli(argv.toArray(String[]::new));
    }

    private static Path helperOnDisk() throws IOException {
        try (Stream<Path> s = Files.list(engine.stateDir.resolve("bin"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("enviro-helper-")).findFirst().orElseThrow();
        }
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    /** Class 1 (CVE-2019-5736): the monitor runs from a sealed memfd; nothing behind its exe is writable. */
    @Test
    void monitorExecutableIsASealedMemfdAndTheHostCopyIsUnchanged() throws Exception {
        Path helper = helperOnDisk();
        String digestBefore = sha256(helper);
        assertEquals("enviro-helper-" + digestBefore, helper.getFileName().toString());
        String id = engine.cli("run", "-d", "localhost/busybox", "sleep", "60").stdout().strip();
        try {
            long pid = Long.parseLong(engine.cli("inspect", "--format", "{{.State.Pid}}", id).stdout().strip());
            long monitor = ProcessHandle.of(pid).orElseThrow().parent().orElseThrow().pid();
            Path exe = Path.of("/proc", Long.toString(monitor), "exe");
            String target = Files.readSymbolicLink(exe).toString();
            assertTrue(target.startsWith("/memfd:enviro-helper"), "the monitor runs from " + target);
            assertTrue(HostTraces.processesRunningFrom(engine.stateDir).contains(monitor), "leak checks still find monitors");
            // even the host's root cannot change it: exec'd (ETXTBSY) and sealed against writes (EPERM)
            assertThrows(IOException.class, () -> {
                try (var ch = Files.newByteChannel(exe, StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}));
                }
            });

            // from inside: the monitor is outside the pid namespace, the helper's path is outside the root
            Cli.Result inside = engine.cli("run", "--rm", "localhost/busybox", "sh", "-c",
                    "ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '; echo; test -e " + helper + " && echo helper-visible;"
                            + " echo x > /proc/1/exe && echo exe-written; true");
            assertEquals(0, inside.exitCode(), inside::toString);
            List<Integer> pids = java.util.Arrays.stream(inside.stdout().lines().findFirst().orElse("").trim().split(" "))
                    .map(Integer::parseInt).toList();
            assertTrue(pids.stream().allMatch(p -> p < 20), "only the container's own processes: " + pids);
            assertTrue(!inside.stdout().contains("helper-visible") && !inside.stdout().contains("exe-written"), inside::toString);
        } finally {
            engine.cli("rm", "-f", id);
        }
        assertEquals(digestBefore, sha256(helper), "the host copy of the helper is unchanged");
    }

    /** Class 2 (CVE-2024-21626): only stdio reaches the command; a workdir through /proc/self/fd finds nothing. */
    @Test
    void noInheritedFdAndWorkdirThroughProcSelfFdFailsCleanly() throws Exception {
        Cli.Result fds = run("localhost/busybox", "ls", "/proc/self/fd");
        assertEquals(0, fds.exitCode(), fds::toString);
        // 0-2, and 3: the directory ls itself opened to list /proc/self/fd
        assertEquals(List.of("0", "1", "2", "3"), fds.stdout().lines().toList(), fds::toString);
        for (String n : List.of("3", "4", "5", "7")) {
            Cli.Result r = run("-w", "/proc/self/fd/" + n, "localhost/busybox", "pwd");
            assertNotEquals(0, r.exitCode(), r::toString);
            assertEquals(1, r.stderr().strip().lines().count(), r::toString);
            assertTrue(r.stderr().contains("chdir /proc/self/fd/" + n), r::toString);
        }
    }

    /** Class 4: what container root cannot do, even though it is root in its namespaces. */
    @Test
    void containerRootCannotLoadModulesMountHostDisksOrSeeTheHost() throws Exception {
        Cli.Result module = run("localhost/busybox", "insmod", "/bin/busybox");
        assertNotEquals(0, module.exitCode(), module::toString);
        assertTrue((module.stdout() + module.stderr()).contains("not permitted"), module::toString);

        Cli.Result mount = run("localhost/busybox", "sh", "-c", "mkdir -p /mnt/x; mount -t proc proc /mnt/x; mount --bind / /mnt/x; ls /dev/vda");
        assertNotEquals(0, mount.exitCode(), mount::toString);
        assertTrue(mount.stderr().contains("mount: permission denied") || mount.stderr().contains("not permitted"), mount::toString);
        assertTrue(mount.stderr().contains("/dev/vda") , "no host block device inside: " + mount);

        long hostPid = ProcessHandle.current().pid();
        Cli.Result kill = run("localhost/busybox", "kill", "-0", Long.toString(hostPid));
        assertNotEquals(0, kill.exitCode(), "host pid " + hostPid + " is not visible: " + kill);

        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        Cli.Result denied = run("localhost/busybox", "hostname", "evil");
        assertNotEquals(0, denied.exitCode(), denied::toString);
        Cli.Result ownUts = run("--cap-add", "SYS_ADMIN", "localhost/busybox", "sh", "-c", "hostname evil && hostname");
        assertEquals("evil", ownUts.stdout().strip(), ownUts::toString);
        assertEquals(hostname, Files.readString(Path.of("/proc/sys/kernel/hostname")), "the host's hostname is unchanged");

        Cli.Result cgroup = run("localhost/busybox", "sh", "-c",
                "for f in /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids.max; do"
                        + " echo 1 > $f 2>/dev/null && echo wrote $f; done; true");
        assertEquals(0, cgroup.exitCode(), cgroup::toString);
        assertTrue(!cgroup.stdout().contains("wrote"), "cgroup limits are not writable: " + cgroup);

        Cli.Result sysrq = run("localhost/busybox", "sh", "-c", "echo h > /proc/sysrq-trigger && echo sysrq-written; true");
        assertTrue(!sysrq.stdout().contains("sysrq-written"), sysrq::toString);
    }
}

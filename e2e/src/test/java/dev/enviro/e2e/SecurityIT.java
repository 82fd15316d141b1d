package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, security profile: capabilities, no_new_privs, seccomp, masked and read-only paths and
 * rlimits, read back by the container itself from /proc/self/status (no capsh needed).
 */
class SecurityIT extends WithBusyboxEngine {

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), HostTraces.mountsUnder(engine.stateDir), "stray mounts");
    }

    private static Cli.Result run(String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("run", "--rm"));
        argv.addAll(List.of(args));
        return engine.cli(argv.toArray(String[]::new));
    }

    /** The Cap*, NoNewPrivs and Seccomp lines of the container's /proc/self/status. */
    private static Map<String, String> status(String... flags) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(flags));
        argv.addAll(List.of("localhost/busybox", "grep", "-E", "^(Cap|NoNewPrivs|Seccomp:)", "/proc/self/status"));
        Cli.Result r = run(argv.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::toString);
        Map<String, String> fields = new HashMap<>();
        r.stdout().lines().forEach(l -> fields.put(l.substring(0, l.indexOf(':')), l.substring(l.indexOf(':') + 1).strip()));
        return fields;
    }

    /** CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP. */
    static final String DEFAULT_CAPS = "00000000800405fb";

    @Test
    void rootKeepsOnlyTheDefaultCapabilitiesWithNoNewPrivsAndTheFilter() throws Exception {
        Map<String, String> s = status();
        assertEquals(DEFAULT_CAPS, s.get("CapBnd"), s::toString);
        assertEquals(DEFAULT_CAPS, s.get("CapEff"), s::toString);
        assertEquals(DEFAULT_CAPS, s.get("CapPrm"), s::toString);
        assertEquals("0000000000000000", s.get("CapInh"), s::toString);
        assertEquals("0000000000000000", s.get("CapAmb"), s::toString);
        assertEquals("1", s.get("NoNewPrivs"), s::toString);
        assertEquals("2", s.get("Seccomp"), s::toString);
    }

    @Test
    void capDropAllLeavesNothing() throws Exception {
        Map<String, String> s = status("--cap-drop", "ALL");
        for (String set : List.of("CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb")) assertEquals("0000000000000000", s.get(set), s::toString);
    }

    @Test
    void capAddSysAdminAddsBit21() throws Exception {
        Map<String, String> s = status("--cap-add", "SYS_ADMIN", "--cap-drop", "CAP_KILL");
        assertEquals("00000000802405db", s.get("CapBnd"), s::toString);
        assertEquals("00000000802405db", s.get("CapEff"), s::toString);
    }

    @Test
    void privilegedHasEveryCapabilityAndNoFilterButStillNoNewPrivs() throws Exception {
        long lastCap;
        // one big read: Files.readString reads a sysctl in pieces and gets "4" of "40"
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/cap_last_cap"))) {
            lastCap = Long.parseLong(new String(in.readNBytes(64)).strip());
        }
        String all = String.format("%016x", (1L << (lastCap + 1)) - 1);
        Map<String, String> s = status("--privileged");
        assertEquals(all, s.get("CapBnd"), s::toString);
        assertEquals(all, s.get("CapEff"), s::toString);
        assertEquals("0", s.get("Seccomp"), s::toString);
    }

    @Test
    void nonRootUserHasNoCapabilitiesUnlessAddedAndThenAmbient() throws Exception {
        Map<String, String> plain = status("--user", "1000");
        assertEquals(DEFAULT_CAPS, plain.get("CapBnd"), plain::toString);
        assertEquals("0000000000000000", plain.get("CapEff"), plain::toString);
        Map<String, String> added = status("--user", "1000", "--cap-add", "NET_BIND_SERVICE");
        assertEquals("0000000000000400", added.get("CapEff"), added::toString);
        assertEquals("0000000000000400", added.get("CapAmb"), added::toString);
    }

    @Test
    void optingOutOfNoNewPrivsAndSeccomp() throws Exception {
        Map<String, String> s = status("--security-opt", "no-new-privileges=false", "--security-opt", "seccomp=unconfined");
        assertEquals("0", s.get("NoNewPrivs"), s::toString);
        assertEquals("0", s.get("Seccomp"), s::toString);
        // the filter still goes in without no_new_privs (installed while the helper holds CAP_SYS_ADMIN)
        Map<String, String> filtered = status("--security-opt", "no-new-privileges=false");
        assertEquals("2", filtered.get("Seccomp"), filtered::toString);
    }

    @Test
    void filterDeniesNewUserNamespacesWhichUnconfinedAllows() throws Exception {
        Cli.Result denied = run("localhost/busybox", "unshare", "-U", "true");
        assertNotEquals(0, denied.exitCode(), denied::toString);
        assertTrue(denied.stdout().contains("Operation not permitted") || denied.stderr().contains("Operation not permitted"), denied::toString);
        Cli.Result allowed = run("--security-opt", "seccomp=unconfined", "localhost/busybox", "unshare", "-U", "true");
        assertEquals(0, allowed.exitCode(), allowed::toString);
    }

    @Test
    void userProfileInDockerFormat() throws Exception {
        Path profile = engine.dir.resolve("no-mkdir.json");
        Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}""");
        Cli.Result r = run("--security-opt", "seccomp=" + profile, "localhost/busybox", "mkdir", "/tmp/x");
        assertNotEquals(0, r.exitCode(), r::toString);
        assertTrue((r.stdout() + r.stderr()).contains("Permission denied"), r::toString); // EACCES from the profile
    }

    static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** Mount points of the container, from its own mountinfo. */
    private static List<String> mountPoints(String... flags) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(flags));
        argv.addAll(List.of("localhost/busybox", "cut", "-d", " ", "-f", "5,6", "/proc/self/mountinfo"));
        Cli.Result r = run(argv.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::toString);
        return r.stdout().lines().toList();
    }

    @Test
    void maskedAndReadOnlyPaths() throws Exception {
        // this kernel decides which of them exist (a VM kernel may lack /proc/kcore or /proc/sysrq-trigger)
        List<String> masked = MASKED.stream().filter(p -> Files.exists(Path.of(p))).toList();
        List<String> readOnly = READ_ONLY.stream().filter(p -> Files.exists(Path.of(p))).toList();
        assertTrue(masked.contains("/proc/keys") && readOnly.contains("/proc/sys"), "the kernel has the usual paths");
        List<String> mounts = mountPoints();
        for (String p : masked) assertTrue(mounts.stream().anyMatch(m -> m.startsWith(p + " ")), p + " is masked: " + mounts);
        for (String p : readOnly) assertTrue(mounts.contains(p + " ro,nosuid,nodev,noexec,relatime")
                || mounts.stream().anyMatch(m -> m.startsWith(p + " ro")), p + " is read-only: " + mounts);

        Cli.Result r = run("localhost/busybox", "sh", "-c",
                "echo keys=$(wc -c < /proc/keys) timer_list=$(wc -c < /proc/timer_list) acpi=$(ls /proc/acpi | wc -l) firmware=$(ls /sys/firmware | wc -l);"
                        + " echo 1 > /proc/sys/kernel/ns_last_pid && echo sys-written; touch /proc/acpi/x && echo acpi-written; true");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("keys=0 timer_list=0 acpi=0 firmware=0"), r::toString);
        assertTrue(!r.stdout().contains("sys-written") && !r.stdout().contains("acpi-written"), r::toString);
        assertTrue(r.stderr().contains("Read-only file system"), r::toString);

        List<String> privileged = mountPoints("--privileged");
        assertTrue(privileged.stream().noneMatch(m -> m.startsWith("/proc/keys ")), "nothing is masked when privileged: " + privileged);
    }

    @Test
    void ulimits() throws Exception {
        Cli.Result r = run("--ulimit", "nofile=512:1024", "--ulimit", "core=0", "localhost/busybox", "sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("512", "1024", "0"), r.stdout().lines().toList(), r::toString);
        long engineHard = engineNofileHard();
        Cli.Result dflt = run("localhost/busybox", "sh", "-c", "ulimit -n; ulimit -Hn");
        String expected = String.valueOf(Math.min(1_048_576, engineHard));
        assertEquals(List.of(expected, expected), dflt.stdout().lines().toList(), dflt::toString);
    }

    @Test
    void ulimitAboveTheEnginesHardLimitIsOneClearLine() throws Exception {
        long engineHard = engineNofileHard();
        String flag = "nofile=" + (engineHard + 1) + ":" + (engineHard + 1);
        Cli.Result r = run("--ulimit", flag, "localhost/busybox", "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals(1, r.stderr().strip().lines().count(), r::toString);
        assertTrue(r.stderr().contains("--ulimit " + flag + ": above the engine's hard limit " + engineHard), r::toString);
    }

    @Test
    void unknownCapabilityAndOptionAreOneClearLine() throws Exception {
        Cli.Result cap = run("--cap-add", "SYS_GOD", "localhost/busybox", "true");
        assertEquals(125, cap.exitCode(), cap::toString);
        assertTrue(cap.stderr().contains("--cap-add SYS_GOD: unknown capability"), cap::toString);
        Cli.Result opt = run("--security-opt", "seccomp=/nonexistent.json", "localhost/busybox", "true");
        assertEquals(125, opt.exitCode(), opt::toString);
        assertTrue(opt.stderr().contains("/nonexistent.json"), opt::toString);
    }

    private static long engineNofileHard() throws Exception {
        long pid = engine.daemonProcess().descendants().map(ProcessHandle::pid).filter(p -> p > 0).reduce((a, b) -> b)
                .orElse(engine.daemonProcess().pid());
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
            if (line.startsWith("Max open files")) return Long.parseLong(line.substring(26).trim().split("\\s+")[1]);
        }
        throw new AssertionError("no open files limit for " + pid);
    }
}

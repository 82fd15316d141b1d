package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, must show 4, the two rows busybox has no applet for: container root cannot use keyctl and
 * cannot ptrace a process outside. A static probe (src/test/resources/probe/probe.c, built here with
 * gcc -static) is bind-mounted read-only and makes the raw syscalls.
 */
class SyscallProbeIT {

    static EngineFixture engine;
    static Path probeDir;

    @BeforeAll
    static void start() throws Exception {
        engine = EngineFixture.root();
        engine.loadBusybox();
        probeDir = engine.dir.resolve("probe");
        Files.createDirectories(probeDir);
        Path source = probeDir.resolve("probe.c");
        try (InputStream in = SyscallProbeIT.class.getResourceAsStream("/probe/probe.c")) {
            Files.copy(in, source);
        }
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", probeDir.resolve("probe").toString(), source.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        assertEquals(0, gcc.waitFor(), "gcc: " + out);
        Files.setPosixFilePermissions(probeDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(probeDir.resolve("probe"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (engine != null) engine.close();
    }

    private static Cli.Result probe(List<String> options, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("run", "--rm", "-v", probeDir + ":/probe:ro"));
        argv.addAll(options);
        argv.add("localhost/busybox");
        argv.add("/probe/probe");
        argv.addAll(List.of(args));
        return engine.cli(argv.toArray(String[]::new));
    }

    @Test
    void keyctlIsDenied() throws Exception {
        Cli.Result r = probe(List.of(), "keyctl");
        assertEquals("EPERM\n", r.stdout(), r::toString);
        assertEquals("EPERM\n", probe(List.of(), "add_key").stdout());
        // The probe is not broken and the denial is the filter's: unconfined, the kernel lets the
        // container join a fresh session keyring of its own user namespace.
        Cli.Result unconfined = probe(List.of("--security-opt", "seccomp=unconfined"), "keyctl");
        assertEquals("ok\n", unconfined.stdout(), unconfined::toString);
    }

    @Test
    void ptraceCannotReachAHostProcess() throws Exception {
        // The test's own JVM: a host process owned by host root.
        String hostPid = String.valueOf(ProcessHandle.current().pid());
        Cli.Result r = probe(List.of(), "ptrace", hostPid);
        assertEquals("ESRCH\n", r.stdout(), "a host pid does not exist in the container's pid namespace: " + r);
        // Even with CAP_SYS_PTRACE it stays out of reach: the pid namespace hides it.
        Cli.Result withCap = probe(List.of("--cap-add", "SYS_PTRACE"), "ptrace", hostPid);
        assertEquals("ESRCH\n", withCap.stdout(), withCap::toString);
    }
}

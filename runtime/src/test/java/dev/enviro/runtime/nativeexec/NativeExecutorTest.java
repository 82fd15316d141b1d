package dev.enviro.runtime.nativeexec;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.Processes;
import dev.enviro.runtime.ContainerProcess;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.ExitStatus;
import dev.enviro.runtime.PreparedContainer;
import dev.enviro.ffm.uring.SyscallDispatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The native executor against the real kernel, as root: real namespaces, the real helper and monitor,
 * an overlay root filesystem mounted in the container's user namespace, the io_uring dispatcher.
 */
class NativeExecutorTest {
    private static final Pattern CRI = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z) (stdout|stderr) ([FP]) (.*)$");

    private Path base;
    private Path stateDir;
    private SyscallDispatcher queue;
    private NativeExecutor executor;
    private final List<ContainerProcess> started = new ArrayList<>();
    private final List<String> prepared = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Processes.getuid() == 0, "maps container root to host uid 100000, which only root may do; .ci/run runs as root, and the rootless path is RootlessExecutorTest");
        // /tmp/junit* dirs are 0700; the container's root is host uid 100000 and must reach its rootfs
        base = Files.createTempDirectory("enviro-native-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        stateDir = Files.createDirectories(base.resolve("state"));
        Path lower = BusyboxRootfs.create(base.resolve("image"));
        queue = SyscallDispatcher.start();
        executor = new NativeExecutor(stateDir, new FixedImageStore(), new LowerDirSnapshotter(lower), IdMap.defaultRoot(), queue);
    }

    @AfterEach
    void tearDown() throws Exception {
        List<Throwable> failures = new ArrayList<>();
        for (ContainerProcess p : started) {
            try {
                if (executor.adopt(p).isPresent()) {
                    try {
                        executor.signal(p, Processes.SIGKILL);
                    } catch (EnviroError e) {
                        // exited meanwhile
                    }
                    executor.awaitExit(p).toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                failures.add(e);
            }
        }
        for (String id : prepared) {
            try {
                executor.cleanup(id);
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (queue != null) queue.close();
        if (base != null) {
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        if (!failures.isEmpty()) fail("cleanup failed: " + failures);
    }

    private ContainerSpec spec(String... command) {
        return specAs(null, command);
    }

    private ContainerSpec specAs(String user, String... command) {
        byte[] id = new byte[32];
        ThreadLocalRandom.current().nextBytes(id);
        String hex = HexFormat.of().formatHex(id);
        return new ContainerSpec(hex, new ContainerDefinition("test-" + hex.substring(0, 6), "busybox", null, List.of(command), List.of(), null,
                user, "box-" + hex.substring(0, 4), false, null, null, null, null));
    }

    private ContainerProcess run(ContainerSpec spec) throws Exception {
        PreparedContainer p = executor.prepare(spec);
        prepared.add(spec.id());
        ContainerProcess process = executor.execute(p).toCompletableFuture().get(30, TimeUnit.SECONDS);
        started.add(process);
        return process;
    }

    private ExitStatus exit(ContainerProcess p) throws Exception {
        return executor.awaitExit(p).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static List<String> stdout(ContainerProcess p) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(p.logPath())) {
            Matcher m = CRI.matcher(line);
            assertTrue(m.matches(), "not a CRI log line: " + line);
            if (m.group(2).equals("stdout")) out.add(m.group(4));
        }
        return out;
    }

    private EnviroError executeFails(ContainerSpec spec) throws Exception {
        PreparedContainer p = executor.prepare(spec);
        prepared.add(spec.id());
        try {
            ContainerProcess unexpected = executor.execute(p).toCompletableFuture().get(30, TimeUnit.SECONDS);
            started.add(unexpected);
            throw new AssertionError("started " + unexpected);
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof EnviroError, String.valueOf(e.getCause()));
            return (EnviroError) e.getCause();
        }
    }

    @Test
    void containerIsIsolatedInItsNamespaces() throws Exception {
        ContainerSpec spec = spec("sh", "-c",
                "echo pid=$$; echo uid_map=$(cat /proc/self/uid_map); echo hostname=$(hostname);"
                        + " echo net=$(grep : /proc/net/dev | cut -d: -f1); echo fds=$(ls /proc/self/fd);"
                        + " echo root=$(id -u):$(id -g); echo cwd=$(pwd); echo oops >&2");
        ContainerProcess p = run(spec);
        assertEquals(0, exit(p).exitCode());
        List<String> out = stdout(p);
        assertEquals("pid=1", out.get(0));
        assertTrue(out.get(1).matches("uid_map= *0 +100000 +65536"), out.get(1));
        assertEquals("hostname=" + spec.hostname(), out.get(2));
        assertEquals("net=lo", out.get(3).replace(" ", ""));
        assertEquals("fds=0 1 2 3", out.get(4)); // 3 is ls's own directory fd
        assertEquals("root=0:0", out.get(5));
        assertEquals("cwd=/", out.get(6));
        assertTrue(Files.readString(p.logPath()).contains(" stderr F oops\n"));
    }

    @Test
    void exitCodePropagatesAndIsRecorded() throws Exception {
        ContainerProcess p = run(spec("sh", "-c", "exit 7"));
        ExitStatus status = exit(p);
        assertEquals(7, status.exitCode());
        assertEquals(0, status.signal());
        assertEquals(7, executor.recordedExit(p).orElseThrow().exitCode());
        assertTrue(Files.readString(p.statusPath()).startsWith("exit_code=7\nsignal=0\nfinished_at="));
        assertFalse(Files.exists(p.statusPath().resolveSibling("exit.status.tmp")));
    }

    @Test
    void missingExecutableIsExecutableNotFound() throws Exception {
        assertEquals(ErrorCode.COMMAND_NOT_FOUND, executeFails(spec("/bin/nope")).code());
        EnviroError viaPath = executeFails(spec("nope"));
        assertEquals(ErrorCode.COMMAND_NOT_FOUND, viaPath.code());
        assertTrue(viaPath.getMessage().contains("execve nope: ENOENT"), viaPath.getMessage());
        assertTrue(viaPath.getMessage().contains("executable file not found"), "Docker's wording, which scripts grep for: " + viaPath.getMessage());
        assertEquals(ErrorCode.COMMAND_NOT_RUNNABLE, executeFails(spec("/bin/not-executable")).code());
    }

    @Test
    void unknownImageAndUserAreReportedBeforeStarting() {
        ContainerSpec s = spec("true");
        ContainerSpec noImage = new ContainerSpec(s.id(), ContainerDefinition.of(s.name(), "nope", List.of()));
        EnviroError e = org.junit.jupiter.api.Assertions.assertThrows(EnviroError.class, () -> executor.prepare(noImage));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
    }

    private static boolean sleep10() throws InterruptedException {
        Thread.sleep(10);
        return true;
    }

    @Test
    void monitorOutlivesTheEngineThatStartedIt() throws Exception {
        ContainerProcess p = run(spec("sh", "-c", "sleep 1; echo done; exit 3"));
        // not our child, in its own session, holding none of our descriptors
        String stat = Files.readString(Path.of("/proc", Integer.toString(p.monitorPid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertNotEquals(Long.toString(ProcessHandle.current().pid()), f[1], "ppid");
        assertEquals(Integer.toString(p.monitorPid()), f[3], "session id");
        // The monitor closes the handshake socket right after sending STARTED, which start() may see first.
        long deadline = System.nanoTime() + 2_000_000_000L;
        List<String> sockets;
        do {
            sockets = new java.util.ArrayList<>();
            for (Path fd : Files.list(Path.of("/proc", Integer.toString(p.monitorPid()), "fd")).toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) sockets.add(target);
                } catch (java.nio.file.NoSuchFileException closedMeanwhile) {
                    // the descriptor went between the listing and the read
                }
            }
        } while (!sockets.isEmpty() && System.nanoTime() < deadline && sleep10());
        assertEquals(List.of(), sockets, "the monitor keeps no socket of the engine's");
        // a second engine (a new executor, new dispatcher) adopts it and sees its exit
        try (SyscallDispatcher otherQueue = SyscallDispatcher.start()) {
            NativeExecutor restarted = new NativeExecutor(stateDir, new FixedImageStore(), new LowerDirSnapshotter(base.resolve("image")),
                    IdMap.defaultRoot(), otherQueue);
            assertEquals(p, restarted.adopt(p).orElseThrow());
            assertEquals(3, restarted.awaitExit(p).toCompletableFuture().get(30, TimeUnit.SECONDS).exitCode());
            assertTrue(restarted.adopt(p).isEmpty());
        }
        assertEquals(List.of("done"), stdout(p));
    }

    @Test
    void signalGoesToTheContainerThroughAPidfd() throws Exception {
        ContainerProcess p = run(spec("sleep", "1000"));
        executor.signal(p, Processes.SIGKILL);
        ExitStatus status = exit(p);
        assertEquals(137, status.exitCode());
        assertEquals(9, status.signal());
        EnviroError gone = org.junit.jupiter.api.Assertions.assertThrows(EnviroError.class, () -> executor.signal(p, Processes.SIGKILL));
        assertEquals(ErrorCode.NOT_FOUND, gone.code());
    }

    @Test
    void userAndGroupsComeFromTheImage() throws Exception {
        ContainerProcess p = run(specAs("app", "sh", "-c", "id; echo home=$HOME; echo path=$PATH"));
        assertEquals(0, exit(p).exitCode());
        List<String> out = stdout(p);
        assertEquals("uid=1000(app) gid=1000(app) groups=29(audio)", out.get(0));
        assertEquals("home=/home/app", out.get(1));
        assertEquals("path=/bin", out.get(2));
    }

    @Test
    void containerGetsItsOwnCgroupAndCgroupNamespace() throws Exception {
        var driver = dev.enviro.runtime.cgroups.CgroupDriver.detect("enviro", new dev.enviro.runtime.cgroups.KernelCgroupFiles(null));
        assumeTrue(driver.isPresent() && !driver.get().isV2(), "no writable v1 cgroup hierarchy");
        ContainerSpec spec = spec("sh", "-c", "grep -E ':(pids|memory):' /proc/self/cgroup; sleep 1000");
        var cgroup = (dev.enviro.runtime.cgroups.CgroupV1) driver.get().container(spec.id());
        ContainerProcess p = run(spec);
        for (Path dir : cgroup.directories().values()) {
            assertTrue(Files.readAllLines(dir.resolve("cgroup.procs")).contains(Integer.toString(p.pid())), dir.toString());
        }
        executor.signal(p, Processes.SIGKILL);
        exit(p);
        for (String line : stdout(p)) assertTrue(line.endsWith(":/"), "cgroup namespace root: " + line);
        executor.cleanup(spec.id());
        for (Path dir : cgroup.directories().values()) assertFalse(Files.exists(dir), dir + " left behind");
        assertFalse(Files.exists(stateDir.resolve("containers").resolve(spec.id())));
    }

    @Test
    void longLinesAreSplitIntoPartialRecords() throws Exception {
        ContainerProcess p = run(spec("sh", "-c", "i=0; while [ $i -lt 2000 ]; do printf 0123456789; i=$((i+1)); done; echo; printf tail"));
        assertEquals(0, exit(p).exitCode());
        List<String> lines = Files.readAllLines(p.logPath());
        StringBuilder joined = new StringBuilder();
        List<String> tags = new ArrayList<>();
        for (String line : lines) {
            Matcher m = CRI.matcher(line);
            assertTrue(m.matches(), line);
            tags.add(m.group(3));
            joined.append(m.group(4));
            if (m.group(3).equals("F")) joined.append('\n');
        }
        assertEquals(List.of("P", "F", "F"), tags);
        assertEquals("0123456789".repeat(2000) + "\ntail\n", joined.toString());
    }

}

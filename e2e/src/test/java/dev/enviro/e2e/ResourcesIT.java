package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, resources: cgroup limits through the CLI against a real daemon on this host's cgroup v1
 * hierarchies. Values are read back from the host's cgroup files, not only from the engine.
 */
class ResourcesIT extends WithBusyboxEngine {

    private final List<String> containers = new ArrayList<>();

    @AfterEach
    void removeContainers() throws Exception {
        for (String name : containers) engine.cli("rm", "-f", name);
        containers.clear();
    }

    private String runDetached(String name, String... args) throws Exception {
        containers.add(name);
        List<String> cmd = new ArrayList<>(List.of("run", "-d", "--name", name));
        cmd.addAll(List.of(args));
        Cli.Result r = engine.cli(cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), () -> r + engine.daemonLog());
        return r.stdout().strip();
    }

    /** The container's directory in a v1 hierarchy, below the engine's (this test's) own cgroup there. */
    private static Path cgroup(String controller, String id) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (List.of(f[1].split(",")).contains(controller)) {
                return Path.of("/sys/fs/cgroup", controller, f[2], "enviro", id);
            }
        }
        throw new AssertionError("no v1 " + controller + " hierarchy");
    }

    private static String read(Path file) throws Exception {
        return Files.readString(file).strip();
    }

    @Test
    void forkBombStaysWithinItsPidsLimitAndTheHostAnswers() throws Exception {
        String id = runDetached("forkbomb", "--pids-limit", "20", "localhost/busybox", "sh", "-c", "f() { f | f & }; f; sleep 1000");
        Path pids = cgroup("pids", id);
        assertEquals("20", read(pids.resolve("pids.max")));
        long peak = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            peak = Math.max(peak, Long.parseLong(read(pids.resolve("pids.current"))));
            Thread.sleep(20);
        }
        assertTrue(peak <= 20, "pids.current reached " + peak);
        assertTrue(Long.parseLong(read(pids.resolve("pids.events")).replace("max ", "")) > 0,
                "the bomb never hit the limit: " + read(pids.resolve("pids.events")));
        // The host still forks and answers while the bomb pushes against its limit.
        Process t = new ProcessBuilder("true").start();
        assertTrue(t.waitFor(10, TimeUnit.SECONDS), "the host did not run 'true' within 10 s");
        Cli.Result rm = engine.cli("rm", "-f", "forkbomb");
        assertEquals(0, rm.exitCode(), rm::toString);
        containers.remove("forkbomb");
        assertTrue(!Files.exists(pids), "cgroup left behind: " + pids);
    }

    @Test
    void memoryBombIsOomKilledWith137AndInspectSaysSo() throws Exception {
        containers.add("membomb");
        // The shell itself (pid 1) accumulates 100 MB in a variable: the OOM killer must pick it.
        Cli.Result r = engine.cli("run", "--name", "membomb", "--memory", "32m", "localhost/busybox",
                "sh", "-c", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived");
        assertEquals(137, r.exitCode(), r::toString);
        assertTrue(!r.stdout().contains("survived"), r::toString);
        Cli.Result inspect = engine.cli("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}", "membomb");
        assertEquals("true 137 33554432", inspect.stdout().strip(), inspect::toString);
        // The journal says so too: an OomKilled event (/tasks/oom) just before the exit it caused.
        Cli.Result events = engine.cli("events", "--filter", "container=membomb", "--filter", "type=OomKilled");
        assertEquals(0, events.exitCode(), events::toString);
        assertEquals(1, events.stdout().lines().filter(l -> l.contains("/tasks/oom")).count(), events::toString);
    }

    @Test
    void aContainerThatStaysWithinItsLimitIsNotOomKilled() throws Exception {
        containers.add("modest");
        Cli.Result r = engine.cli("run", "--name", "modest", "--memory", "32m", "localhost/busybox", "sh", "-c", "exit 3");
        assertEquals(3, r.exitCode(), r::toString);
        assertEquals("false", engine.cli("inspect", "-f", "{{.State.OOMKilled}}", "modest").stdout().strip());
    }

    @Test
    void statsNumbersMoveUnderLoad() throws Exception {
        String id = runDetached("loaded", "--memory", "64m", "localhost/busybox", "sh", "-c",
                // shared memory stays charged to the cgroup (a shell variable's buffer may be returned at once)
                "while :; do :; done & sleep 3; head -c 20000000 /dev/zero > /dev/shm/blob; sleep 1000");
        // the first sample's CPU % is the average since the start (as podman's): give the loop a moment
        Thread.sleep(1500);
        Cli.Result first = engine.cli("stats", "--no-stream", "loaded");
        assertEquals(0, first.exitCode(), first::toString);
        String[] header = first.stdout().lines().findFirst().orElseThrow().split("\\s{3,}");
        assertEquals(List.of("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS"), List.of(header));
        String row = first.stdout().lines().skip(1).findFirst().orElseThrow();
        String[] cols = row.split("\\s{3,}");
        assertEquals(id.substring(0, 12), cols[0]);
        double cpu = Double.parseDouble(cols[2].replace("%", ""));
        assertTrue(cpu > 20, "a busy loop shows CPU: " + row);
        assertTrue(cols[3].endsWith("/ 64MiB"), row);
        long before = Long.parseLong(read(cgroup("memory", id).resolve("memory.usage_in_bytes")));
        Thread.sleep(4000);
        long after = Long.parseLong(read(cgroup("memory", id).resolve("memory.usage_in_bytes")));
        assertTrue(after > before + 10_000_000, "memory grew after allocating: " + before + " -> " + after);
        Cli.Result second = engine.cli("stats", "--no-stream", "loaded");
        String mem = second.stdout().lines().skip(1).findFirst().orElseThrow().split("\\s{3,}")[3];
        assertTrue(mem.matches("(19|[2-9][0-9])(\\.[0-9]+)?MiB / 64MiB"), "about 19 MiB after allocating 20 MB: " + second.stdout());
    }

    @Test
    void updateChangesALiveLimit() throws Exception {
        String id = runDetached("elastic", "--memory", "32m", "localhost/busybox", "sleep", "1000");
        Path memory = cgroup("memory", id);
        assertEquals(Long.toString(32L << 20), read(memory.resolve("memory.limit_in_bytes")));
        Cli.Result u = engine.cli("update", "--memory", "128m", "--pids-limit", "50", "elastic");
        assertEquals(0, u.exitCode(), u::toString);
        assertEquals(Long.toString(128L << 20), read(memory.resolve("memory.limit_in_bytes")));
        assertEquals("50", read(cgroup("pids", id).resolve("pids.max")));
        assertEquals("134217728 50", engine.cli("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}", "elastic")
                .stdout().strip());
        // and the engine keeps it: a restarted daemon replays ResourcesUpdated
        engine.stopDaemon();
        engine.startDaemon();
        assertEquals("134217728", engine.cli("inspect", "-f", "{{.HostConfig.Memory}}", "elastic").stdout().strip());
        Cli.Result bad = engine.cli("update", "--memory", "12q", "elastic");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertEquals(1, bad.stderr().strip().lines().count(), bad::toString);
        assertTrue(bad.stderr().contains("--memory") && bad.stderr().contains("12q"), bad::toString);
    }

    @Test
    void halfACpuIsAQuotaOfFiftyMillisecondsPerHundred() throws Exception {
        String id = runDetached("halfcpu", "--cpus", "0.5", "--cpu-shares", "512", "localhost/busybox", "sleep", "1000");
        Path cpu = cgroup("cpu", id);
        assertEquals("50000", read(cpu.resolve("cpu.cfs_quota_us")));
        assertEquals("100000", read(cpu.resolve("cpu.cfs_period_us")));
        assertEquals("512", read(cpu.resolve("cpu.shares")));
    }

    @Test
    void pauseFreezesACounterAndUnpauseResumesIt() throws Exception {
        runDetached("counter", "localhost/busybox", "sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done");
        Thread.sleep(500);
        assertEquals(0, engine.cli("pause", "counter").exitCode());
        long a = counter();
        Thread.sleep(1000);
        long b = counter();
        assertEquals(a, b, "the counter moved while paused");
        assertEquals(0, engine.cli("unpause", "counter").exitCode());
        Thread.sleep(1000);
        assertTrue(counter() > b, "the counter did not resume");
    }

    /** The counter file, read on the host through the container's root (its mount namespace, via /proc). */
    private long counter() throws Exception {
        String pid = engine.cli("inspect", "-f", "{{.State.Pid}}", "counter").stdout().strip();
        return Long.parseLong(Files.readString(Path.of("/proc", pid, "root", "tmp", "n")).strip());
    }

    @Test
    void badValuesAreOneClearLine() throws Exception {
        Cli.Result r = engine.cli("run", "--rm", "--memory", "12q", "localhost/busybox", "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("Error: invalid size for --memory: '12q': expected a number with an optional unit b, k, m or g (e.g. 512m)",
                r.stderr().strip());
        Cli.Result tiny = engine.cli("run", "--rm", "--memory", "1m", "localhost/busybox", "true");
        assertEquals(125, tiny.exitCode(), tiny::toString);
        assertEquals(1, tiny.stderr().strip().lines().count(), tiny::toString);
        assertTrue(tiny.stderr().contains("--memory 1048576: below the minimum of 6MiB"), tiny::toString);
    }

    @Test
    void oomScoreAdjIsWrittenBeforeTheCommandRuns() throws Exception {
        Cli.Result r = engine.cli("run", "--rm", "--oom-score-adj", "500", "localhost/busybox", "cat", "/proc/self/oom_score_adj");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("500", r.stdout().strip());
    }
}

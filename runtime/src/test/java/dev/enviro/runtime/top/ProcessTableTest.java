package dev.enviro.runtime.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code top} looks for a container's processes, and how one process reads. */
class ProcessTableTest {

    @TempDir Path tmp;

    private static final String ENGINE = """
            12:pids:/user.slice/engine
            4:memory:/user.slice/engine
            0::/user.slice/engine
            """;

    private Path proc(String init) throws Exception {
        Path proc = Files.createDirectories(tmp.resolve("proc"));
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("self/cgroup"), ENGINE);
        Files.createDirectories(proc.resolve("42"));
        Files.writeString(proc.resolve("42/cgroup"), init);
        return proc;
    }

    @Test
    void v1PidsCgroupOfTheContainer() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cg"));
        Files.createDirectories(root.resolve("pids"));
        Files.createDirectories(root.resolve("unified"));
        Path proc = proc("12:pids:/user.slice/engine/enviro/abc\n4:memory:/user.slice/engine/enviro/abc\n0::/user.slice/engine\n");
        assertEquals(Optional.of(root.resolve("pids/user.slice/engine/enviro/abc")), ProcessTable.ownCgroup(proc, root, 42));
    }

    @Test
    void v2CgroupWhenThereIsNoPidsHierarchy() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cg"));
        Path proc = proc("0::/user.slice/engine/enviro/abc\n");
        assertEquals(Optional.of(root.resolve("user.slice/engine/enviro/abc")), ProcessTable.ownCgroup(proc, root, 42));
    }

    @Test
    void aContainerInTheEnginesOwnCgroupIsFoundByItsPidNamespaceInstead() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cg"));
        Files.createDirectories(root.resolve("pids"));
        assertEquals(Optional.empty(), ProcessTable.ownCgroup(proc(ENGINE), root, 42));
        assertEquals(Optional.empty(), ProcessTable.ownCgroup(proc(ENGINE), root, 43), "init gone");
    }

    @Test
    void commandLinesAndKernelThreads() {
        assertEquals("sh -c echo hi", ProcessTable.command("sh\0-c\0echo hi\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", ProcessTable.command(new byte[0]));
    }

    @Test
    void aRealProcessReadsWithItsUserAndCommand() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            // on the host, "the container" of this process is the host's pid namespace: it is listed
            List<ProcessTable.Row> rows = ProcessTable.of(Path.of("/proc"), tmp.resolve("no-cgroups"), (int) sleeper.pid());
            ProcessTable.Row row = rows.stream().filter(r -> r.pid() == sleeper.pid()).findFirst().orElseThrow(() -> new AssertionError(rows));
            assertEquals("sleep 30", row.command());
            assertEquals(sleeper.pid(), row.containerPid());
            String me = System.getProperty("user.name");
            assertEquals(me, row.user());
            assertTrue(rows.size() > 1);
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor();
        }
    }
}

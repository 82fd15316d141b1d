package dev.enviro.runtime.cgroups;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.persistence.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which v2 file gets which value: no v2 controllers exist on the test host, so over a recorded tree. */
class CgroupV2Test {
    static final String ID = "e".repeat(64);

    @TempDir Path root;
    RecordingCgroupFiles files;
    Path own;
    CgroupV2 cgroup;

    @BeforeEach
    void unified() {
        files = new RecordingCgroupFiles(root, true);
        own = root.resolve("system.slice/enviro.service");
        files.put(own.resolve("cgroup.controllers"), "cpuset cpu io memory pids");
        files.put(own.resolve("cgroup.subtree_control"), "");
        files.put(own.resolve("cgroup.procs"), "700\n");
        String mountinfo = "30 1 0:26 / " + root + " rw - cgroup2 cgroup2 rw";
        CgroupDriver driver = CgroupDriver.locate("enviro", files, "0::/system.slice/enviro.service\n", mountinfo, p -> true).orElseThrow();
        cgroup = (CgroupV2) driver.container(ID);
    }

    @Test
    void createMovesTheEngineToALeafThenDelegatesControllers() throws Exception {
        cgroup.create();
        assertEquals(List.of(
                "system.slice/enviro.service/engine/cgroup.procs=700",
                "system.slice/enviro.service/cgroup.subtree_control=+cpuset +cpu +memory +pids",
                "system.slice/enviro.service/enviro/cgroup.subtree_control=+cpuset +cpu +memory +pids"), files.log());
        assertEquals("cpuset cpu memory pids", files.read(cgroup.directory().resolve("cgroup.controllers")).strip());
        files.writes.clear();
        cgroup.create();
        assertEquals(List.of(), files.log(), "a second create changes nothing");
    }

    @Test
    void limitsGoToTheirV2Files() throws Exception {
        cgroup.create();
        files.writes.clear();
        cgroup.apply(new Resources(512L << 20, 0, 1_500_000_000L, 1024, "0-1", 100, null));
        String d = "system.slice/enviro.service/enviro/" + ID + "/";
        assertEquals(List.of(
                d + "memory.max=536870912",
                d + "memory.swap.max=536870912",
                d + "cpu.max=150000 100000",
                d + "cpu.weight=39",
                d + "cpuset.cpus=0-1",
                d + "pids.max=100"), files.log());
    }

    @Test
    void unlimitedSwapAndPidsAreMax() throws Exception {
        cgroup.create();
        files.writes.clear();
        cgroup.apply(new Resources(64L << 20, -1, 0, 0, null, -1, null));
        String d = "system.slice/enviro.service/enviro/" + ID + "/";
        assertEquals(List.of(d + "memory.max=67108864", d + "memory.swap.max=max", d + "pids.max=max"), files.log());
    }

    @Test
    void aControllerThatIsNotDelegatedIsAClearError() throws Exception {
        files.put(own.resolve("cgroup.controllers"), "memory");
        cgroup.create();
        EnviroError e = assertThrows(EnviroError.class, () -> cgroup.apply(new Resources(0, 0, 0, 0, null, 20, null)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("pids controller is not delegated"), e.getMessage());
    }

    @Test
    void freezeWritesCgroupFreezeAndWaitsForTheEvent() throws Exception {
        cgroup.create();
        files.put(cgroup.directory().resolve("cgroup.events"), "populated 1\nfrozen 1\n");
        files.writes.clear();
        cgroup.freeze(true);
        assertEquals(List.of("system.slice/enviro.service/enviro/" + ID + "/cgroup.freeze=1"), files.log());
    }

    @Test
    void oomKillsAndUsageComeFromV2Files() throws Exception {
        cgroup.create();
        Path d = cgroup.directory();
        files.put(d.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");
        files.put(d.resolve("cpu.stat"), "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
        files.put(d.resolve("memory.current"), "8388608\n");
        files.put(d.resolve("memory.stat"), "anon 4194304\nfile 4194304\ninactive_file 2097152\n");
        files.put(d.resolve("memory.max"), "max\n");
        files.put(d.resolve("pids.current"), "2\n");
        files.put(d.resolve("pids.max"), "20\n");
        assertEquals(1, cgroup.oomKills());
        assertEquals(new CgroupUsage(2_500_000, 6291456, 0, 2, 20), cgroup.usage().toCompletableFuture().join());
    }

    @Test
    void removeTakesTheSharedParentWithTheLastContainer() throws Exception {
        cgroup.create();
        cgroup.remove();
        assertFalse(Files.exists(cgroup.directory()));
        assertFalse(Files.exists(cgroup.directory().getParent()));
        assertTrue(Files.exists(own.resolve("engine")), "the engine's leaf stays: the engine lives there");
    }
}

package dev.enviro.runtime.cgroups;

import dev.enviro.ffm.SyscallException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.persistence.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which v1 file gets which value, over a recorded tree shaped like this hybrid host's /sys/fs/cgroup. */
class CgroupV1Test {
    static final String ID = "c".repeat(64);

    @TempDir Path root;
    RecordingCgroupFiles files;
    CgroupV1 cgroup;

    @BeforeEach
    void hierarchies() {
        files = new RecordingCgroupFiles(root, false);
        String mountinfo = String.join("\n", CgroupDriverTest.hybridMountinfo(root));
        // the engine's own memory cgroup is nested, the others are at their hierarchy's root
        String self = "8:pids:/\n6:freezer:/\n4:memory:/process_api/abc\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";
        for (String c : List.of("pids", "freezer", "memory/process_api/abc", "cpuset", "cpuacct", "cpu", "unified")) {
            files.put(root.resolve(c).resolve("cgroup.procs"), "");
        }
        files.put(root.resolve("cpuset/cpuset.cpus"), "0-1\n");
        files.put(root.resolve("cpuset/cpuset.mems"), "0\n");
        files.put(root.resolve("unified/cgroup.controllers"), "hugetlb\n");
        CgroupDriver driver = CgroupDriver.locate("enviro", files, self, mountinfo, p -> true).orElseThrow();
        assertFalse(driver.isV2(), "a v2 mount without controllers gives no limits: v1 drives");
        cgroup = (CgroupV1) driver.container(ID);
    }

    /** What the kernel creates with each new v1 cgroup that the tests read back. */
    private void kernelFiles() {
        Path cpuset = cgroup.directories().get("cpuset");
        for (Path level : List.of(cpuset.getParent(), cpuset)) {
            if (!Files.exists(level.resolve("cpuset.cpus"))) {
                files.put(level.resolve("cpuset.cpus"), "\n");
                files.put(level.resolve("cpuset.mems"), "\n");
            }
        }
        Path memory = cgroup.directories().get("memory");
        files.put(memory.resolve("memory.memsw.limit_in_bytes"), "9223372036854771712\n");
        files.put(memory.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
    }

    private void create() throws SyscallException {
        // mkdir the levels the way create() does, then lay the kernel's files, then run create() for real
        for (Path dir : cgroup.directories().values()) {
            files.createDirectory(dir.getParent());
            files.createDirectory(dir);
        }
        kernelFiles();
        cgroup.create();
    }

    @Test
    void aCgroupWhoseLastProcessLingersIsRemovedOnceItIsKilled() throws Exception {
        create();
        // a process still exiting after a failed start: the kernel's rmdir says EBUSY while it is listed
        for (Path dir : cgroup.directories().values()) files.put(dir.resolve("cgroup.procs"), "4242\n");
        List<Integer> killed = new java.util.ArrayList<>();
        cgroup.removeWhenEmpty(java.util.concurrent.TimeUnit.SECONDS.toNanos(5), pid -> {
            killed.add(pid);
            for (Path dir : cgroup.directories().values()) files.put(dir.resolve("cgroup.procs"), "");
        });
        assertEquals(List.of(4242), killed, "killed after a few tries, by the pid the cgroup lists");
        for (Path dir : cgroup.directories().values()) assertFalse(Files.exists(dir), dir + " removed");
    }

    @Test
    void aCgroupThatStaysBusyIsReportedWithTheKernelsError() throws Exception {
        create();
        for (Path dir : cgroup.directories().values()) files.put(dir.resolve("cgroup.procs"), "4242\n");
        SyscallException e = org.junit.jupiter.api.Assertions.assertThrows(SyscallException.class,
                () -> cgroup.removeWhenEmpty(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300), pid -> {}));
        assertEquals(dev.enviro.ffm.Errno.EBUSY, e.errno());
    }

    @Test
    void containerDirectoriesLieBelowTheEnginesOwnCgroupInEachHierarchy() {
        Map<String, Path> dirs = cgroup.directories();
        assertEquals(root.resolve("memory/process_api/abc/enviro/" + ID), dirs.get("memory"));
        assertEquals(root.resolve("pids/enviro/" + ID), dirs.get("pids"));
        assertEquals(root.resolve("cpuacct/enviro/" + ID), dirs.get("cpuacct"));
        assertEquals(6, dirs.size());
    }

    @Test
    void cpusetCopiesItsParentsCpusAndMemsAtEachLevel() throws Exception {
        create();
        assertTrue(files.log().containsAll(List.of(
                "cpuset/enviro/cpuset.cpus=0-1", "cpuset/enviro/cpuset.mems=0",
                "cpuset/enviro/" + ID + "/cpuset.cpus=0-1", "cpuset/enviro/" + ID + "/cpuset.mems=0")), files.log().toString());
    }

    @Test
    void limitsGoToTheirV1Files() throws Exception {
        create();
        files.writes.clear();
        cgroup.apply(new Resources(512L << 20, 0, 1_500_000_000L, 512, "1", 100, null));
        assertEquals(List.of(
                "memory/process_api/abc/enviro/" + ID + "/memory.limit_in_bytes=536870912",
                "memory/process_api/abc/enviro/" + ID + "/memory.memsw.limit_in_bytes=1073741824",
                "cpu/enviro/" + ID + "/cpu.cfs_period_us=100000",
                "cpu/enviro/" + ID + "/cpu.cfs_quota_us=150000",
                "cpu/enviro/" + ID + "/cpu.shares=512",
                "cpuset/enviro/" + ID + "/cpuset.cpus=1",
                "pids/enviro/" + ID + "/pids.max=100"), files.log());
    }

    @Test
    void halfACpuIsFiftyMillisecondsPerHundred() throws Exception {
        create();
        files.writes.clear();
        cgroup.apply(new Resources(0, 0, Resources.parseCpus("0.5"), 0, null, 0, null));
        assertEquals(List.of("cpu/enviro/" + ID + "/cpu.cfs_period_us=100000", "cpu/enviro/" + ID + "/cpu.cfs_quota_us=50000"), files.log());
    }

    @Test
    void raisingMemoryPastMemoryPlusSwapWritesMemswFirst() throws Exception {
        create();
        cgroup.apply(new Resources(32L << 20, 64L << 20, 0, 0, null, 0, null));
        files.writes.clear();
        // 128m > the current memsw (64m): the kernel refuses memory first, the driver reverses the order
        cgroup.apply(new Resources(128L << 20, 0, 0, 0, null, 0, null));
        Path memory = cgroup.directories().get("memory");
        assertEquals(List.of(
                root.relativize(memory) + "/memory.memsw.limit_in_bytes=268435456",
                root.relativize(memory) + "/memory.limit_in_bytes=134217728"), files.log());
    }

    @Test
    void joinWritesThePidOncePerHierarchyAndRemovePrunesTheSharedParent() throws Exception {
        create();
        files.writes.clear();
        cgroup.join(4242);
        assertEquals(6, files.log().size());
        assertTrue(files.log().stream().allMatch(l -> l.endsWith("/cgroup.procs=4242")), files.log().toString());
        assertThrows(SyscallException.class, cgroup::remove, "a cgroup with a task cannot be removed");
        files.put(cgroup.directories().get("pids").resolve("cgroup.procs"), "");
        for (Path dir : cgroup.directories().values()) files.put(dir.resolve("cgroup.procs"), "");
        cgroup.remove();
        for (Path dir : cgroup.directories().values()) {
            assertFalse(Files.exists(dir), dir.toString());
            assertFalse(Files.exists(dir.getParent()), "empty shared parent pruned: " + dir.getParent());
        }
    }

    @Test
    void freezeWritesFreezerState() throws Exception {
        create();
        files.writes.clear();
        cgroup.freeze(true);
        cgroup.freeze(false);
        assertEquals(List.of("freezer/enviro/" + ID + "/freezer.state=FROZEN", "freezer/enviro/" + ID + "/freezer.state=THAWED"), files.log());
    }

    @Test
    void oomKillsComeFromOomControl() throws Exception {
        create();
        files.put(cgroup.directories().get("memory").resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertEquals(2, cgroup.oomKills());
    }

    @Test
    void usageReadsTheV1Counters() throws Exception {
        create();
        Path m = cgroup.directories().get("memory");
        files.put(cgroup.directories().get("cpuacct").resolve("cpuacct.usage"), "123456789\n");
        files.put(m.resolve("memory.usage_in_bytes"), "10485760\n");
        files.put(m.resolve("memory.stat"), "cache 0\ntotal_inactive_file 1048576\n");
        files.put(m.resolve("memory.limit_in_bytes"), "33554432\n");
        files.put(cgroup.directories().get("pids").resolve("pids.current"), "3\n");
        files.put(cgroup.directories().get("pids").resolve("pids.max"), "max\n");
        CgroupUsage u = cgroup.usage().toCompletableFuture().join();
        assertEquals(new CgroupUsage(123456789, 9437184, 33554432, 3, 0), u);
    }
}

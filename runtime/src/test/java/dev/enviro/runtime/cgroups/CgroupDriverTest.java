package dev.enviro.runtime.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which version drives, and where the engine's own cgroup is, from /proc/self/cgroup and mountinfo. */
class CgroupDriverTest {
    static final String ID = "d".repeat(64);

    @TempDir Path root;

    /** This host's layout (Debian 12 hybrid), re-rooted at {@code root}. */
    static List<String> hybridMountinfo(Path root) {
        return List.of(
                "31 23 0:28 / " + root + " rw,relatime - tmpfs tmpfs rw,mode=755",
                "32 31 0:29 / " + root.resolve("cpu") + " rw,relatime - cgroup cgroup rw,cpu",
                "33 31 0:30 / " + root.resolve("cpuacct") + " rw,relatime - cgroup cgroup rw,cpuacct",
                "34 31 0:31 / " + root.resolve("cpuset") + " rw,relatime - cgroup cgroup rw,cpuset",
                "35 31 0:32 / " + root.resolve("memory") + " rw,relatime - cgroup cgroup rw,memory",
                "36 31 0:33 / " + root.resolve("devices") + " rw,relatime - cgroup cgroup rw,devices",
                "37 31 0:34 / " + root.resolve("freezer") + " rw,relatime - cgroup cgroup rw,freezer",
                "39 31 0:36 / " + root.resolve("pids") + " rw,relatime - cgroup cgroup rw,pids",
                "40 31 0:37 / " + root.resolve("systemd") + " rw,relatime - cgroup cgroup rw,name=systemd",
                "41 31 0:38 / " + root.resolve("unified") + " rw,relatime - cgroup2 cgroup2 rw");
    }

    @Test
    void pureV2UsesTheUnifiedHierarchyBelowTheEnginesOwnCgroup() {
        RecordingCgroupFiles files = new RecordingCgroupFiles(root, true);
        files.put(root.resolve("user.slice/engine.service/cgroup.controllers"), "cpuset cpu io memory pids");
        String mountinfo = "30 1 0:26 / " + root + " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate";
        CgroupDriver driver = CgroupDriver.locate("enviro", files, "0::/user.slice/engine.service\n", mountinfo, p -> true).orElseThrow();
        assertTrue(driver.isV2());
        assertEquals(root.resolve("user.slice/engine.service/enviro/" + ID), ((CgroupV2) driver.container(ID)).directory());
    }

    @Test
    void coMountedControllersShareOneDirectory() {
        RecordingCgroupFiles files = new RecordingCgroupFiles(root, false);
        String mountinfo = "32 31 0:29 / " + root.resolve("cpu,cpuacct") + " rw - cgroup cgroup rw,cpu,cpuacct";
        CgroupV1 c = (CgroupV1) CgroupDriver.locate("enviro", files, "2:cpu,cpuacct:/docker/x\n", mountinfo, p -> true)
                .orElseThrow().container(ID);
        assertEquals(c.directories().get("cpu"), c.directories().get("cpuacct"));
        assertEquals(root.resolve("cpu,cpuacct/docker/x/enviro/" + ID), c.directories().get("cpu"));
    }

    @Test
    void aMountOfACgroupSubtreeIsResolvedFromItsRoot() {
        // inside a cgroup namespace or a bind mount, mountinfo's root field is the cgroup the mount shows
        RecordingCgroupFiles files = new RecordingCgroupFiles(root, false);
        String mountinfo = "35 31 0:32 /kubepods/pod1 " + root.resolve("memory") + " rw - cgroup cgroup rw,memory";
        CgroupV1 c = (CgroupV1) CgroupDriver.locate("enviro", files, "4:memory:/kubepods/pod1/ctr\n", mountinfo, p -> true)
                .orElseThrow().container(ID);
        assertEquals(root.resolve("memory/ctr/enviro/" + ID), c.directories().get("memory"));
    }

    @Test
    void nothingWritableMeansNoDriver() {
        RecordingCgroupFiles files = new RecordingCgroupFiles(root, false);
        files.put(root.resolve("unified/cgroup.controllers"), "");
        String self = "8:pids:/\n4:memory:/\n0::/\n";
        assertFalse(CgroupDriver.locate("enviro", files, self, String.join("\n", hybridMountinfo(root)), p -> false).isPresent());
    }
}

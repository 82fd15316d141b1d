package dev.enviro.runtime.nativeexec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.MountOptions;
import dev.enviro.ffm.Namespaces;
import dev.enviro.ffm.helper.HelperPlan;
import dev.enviro.images.Mount;
import dev.enviro.runtime.ResolvedProcess;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerPlanTest {
    private static final List<Mount> OVERLAY = List.of(new Mount("overlay", "overlay", "/s/containers/c/rootfs",
            List.of("lowerdir=/s/snapshots/top:/s/snapshots/base", "upperdir=/s/containers/c/upper", "workdir=/s/containers/c/work", "ro")));
    private static final ResolvedProcess PROCESS = new ResolvedProcess(List.of("sh"), List.of("PATH=/bin"), "/", 0, 0, List.of(4));

    @Test
    void rootfsFirstThenKernelFilesystemsInsideIt() {
        HelperPlan plan = ContainerPlan.of(OVERLAY, "box", PROCESS, Path.of("/s/containers/c"), IdMap.defaultRoot());
        HelperPlan.Mount root = plan.mounts().getFirst();
        assertEquals("overlay", root.type());
        assertEquals(MountOptions.MS_RDONLY, root.flags());
        assertEquals("lowerdir=/s/snapshots/top:/s/snapshots/base,upperdir=/s/containers/c/upper,workdir=/s/containers/c/work", root.data());
        assertEquals("/s/containers/c/rootfs", plan.rootfs());
        List<String> targets = plan.mounts().stream().map(HelperPlan.Mount::target).toList();
        assertEquals(List.of("/s/containers/c/rootfs", "/s/containers/c/rootfs/proc", "/s/containers/c/rootfs/dev",
                "/s/containers/c/rootfs/dev/null", "/s/containers/c/rootfs/dev/zero", "/s/containers/c/rootfs/dev/full",
                "/s/containers/c/rootfs/dev/random", "/s/containers/c/rootfs/dev/urandom", "/s/containers/c/rootfs/dev/tty",
                "/s/containers/c/rootfs/dev/pts", "/s/containers/c/rootfs/dev/shm", "/s/containers/c/rootfs/dev/mqueue",
                "/s/containers/c/rootfs/sys", "/s/containers/c/rootfs/sys"), targets);
        // sysfs falls back to a read-only recursive bind of the host's /sys
        HelperPlan.Mount sysfs = plan.mounts().get(12), bind = plan.mounts().get(13);
        assertTrue((sysfs.step() & HelperPlan.STEP_OR_NEXT) != 0);
        assertEquals(MountOptions.MS_BIND | MountOptions.MS_REC, bind.flags() & (MountOptions.MS_BIND | MountOptions.MS_REC));
        assertTrue((bind.flags() & MountOptions.MS_RDONLY) != 0);
        assertTrue(plan.mounts().stream().filter(m -> m.target().endsWith("/dev/null")).allMatch(m -> (m.step() & HelperPlan.STEP_MKFILE) != 0));
        assertEquals("/s/containers/c/ctr.log", plan.logPath());
        assertEquals("/s/containers/c/exit.status", plan.statusPath());
    }

    @Test
    void everyNamespaceAndCgroupAfterTheMove() {
        HelperPlan plan = ContainerPlan.of(OVERLAY, "box", PROCESS, Path.of("/s/containers/c"), IdMap.defaultRoot());
        for (long ns : List.of(Namespaces.CLONE_NEWUSER, Namespaces.CLONE_NEWNS, Namespaces.CLONE_NEWPID, Namespaces.CLONE_NEWUTS,
                Namespaces.CLONE_NEWIPC, Namespaces.CLONE_NEWNET)) {
            assertEquals(ns, plan.cloneFlags() & ns);
        }
        assertEquals(0, plan.cloneFlags() & Namespaces.CLONE_NEWCGROUP);
        assertEquals(Namespaces.CLONE_NEWCGROUP, plan.unshareFlags());
    }

    @Test
    void setgroupsOnlyWhereTheMapAllowsIt() {
        assertTrue(ContainerPlan.of(OVERLAY, "b", PROCESS, Path.of("/c"), IdMap.defaultRoot()).setGroups());
        assertFalse(ContainerPlan.of(OVERLAY, "b", PROCESS, Path.of("/c"), IdMap.single(1000, 1000)).setGroups());
    }

    @Test
    void imageLayersAreTheOverlayLowerDirsTopFirst() {
        assertEquals(List.of(Path.of("/s/snapshots/top"), Path.of("/s/snapshots/base")), ContainerPlan.imageLayers(OVERLAY));
        assertEquals(List.of(Path.of("/img")), ContainerPlan.imageLayers(List.of(new Mount("none", "/img", "/r", List.of("rbind")))));
    }

    @Test
    void exitStatusFileParses() throws Exception {
        var s = ExitStatusFile.parse("exit_code=137\nsignal=9\nfinished_at=1700000000123456789\n", Path.of("x"));
        assertEquals(137, s.exitCode());
        assertEquals(9, s.signal());
        assertEquals(Instant.ofEpochSecond(1700000000L, 123456789L), s.finishedAt());
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> ExitStatusFile.parse("signal=0\n", Path.of("x")));
    }
}

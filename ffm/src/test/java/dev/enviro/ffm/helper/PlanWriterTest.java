package dev.enviro.ffm.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.ffm.CapabilitySets;
import dev.enviro.ffm.MountOptions;
import dev.enviro.ffm.ResourceLimit;
import dev.enviro.ffm.Namespaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java writer against the C parser: the helper's --dump-plan prints what it understood. */
class PlanWriterTest {

    @TempDir Path stateDir;

    private static HelperPlan plan() {
        return new HelperPlan(
                Namespaces.CLONE_NEWUSER | Namespaces.CLONE_NEWNS | Namespaces.CLONE_NEWPID,
                Namespaces.CLONE_NEWCGROUP,
                List.of(new HelperPlan.Mount("overlay", "overlay", "/s/c/rootfs", 0, "lowerdir=/s/l,upperdir=/s/u,workdir=/s/w", 0),
                        new HelperPlan.Mount("sysfs", "sysfs", "/s/c/rootfs/sys", MountOptions.MS_RDONLY, "", HelperPlan.STEP_MKDIR | HelperPlan.STEP_OR_NEXT),
                        new HelperPlan.Mount("none", "/sys", "/s/c/rootfs/sys", MountOptions.MS_BIND | MountOptions.MS_REC | MountOptions.MS_RDONLY, "", HelperPlan.STEP_MKDIR)),
                List.of(new HelperPlan.Symlink("/proc/self/fd", "/s/c/rootfs/dev/fd")),
                "/s/c/rootfs", "box", List.of("/bin/sh", "-c", "echo 'héllo wörld'"), List.of("PATH=/bin", "EMPTY="),
                "/tmp", 1000, 1001, List.of(10, 20), true, "/s/c/ctr.log", "/s/c/exit.status");
    }

    private String dump(byte[] plan) throws Exception {
        Path helper = HelperBinary.extract(stateDir).verifiedPath();
        Path in = stateDir.resolve("plan.bin");
        Files.write(in, plan);
        Process p = new ProcessBuilder(helper.toString(), "--dump-plan").redirectInput(in.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void helperParsesWhatJavaWrites() throws Exception {
        String expected = """
                clone_flags=0x30020000
                unshare_flags=0x2000000
                mount type=overlay source=overlay target=/s/c/rootfs flags=0x0 step=0x0 data=lowerdir=/s/l,upperdir=/s/u,workdir=/s/w
                mount type=sysfs source=sysfs target=/s/c/rootfs/sys flags=0x1 step=0x5 data=
                mount type=none source=/sys target=/s/c/rootfs/sys flags=0x5001 step=0x1 data=
                symlink /s/c/rootfs/dev/fd -> /proc/self/fd
                rootfs=/s/c/rootfs
                hostname=box
                arg=/bin/sh
                arg=-c
                arg=echo 'héllo wörld'
                env=PATH=/bin
                env=EMPTY=
                cwd=/tmp
                uid=1000
                gid=1001
                group=10
                group=20
                set_groups=1
                log_path=/s/c/ctr.log
                status_path=/s/c/exit.status
                no_new_privs=0
                seccomp_instructions=0
                """;
        assertEquals(expected, dump(PlanWriter.write(plan())));
    }

    @Test
    void helperParsesSecuritySteps() throws Exception {
        HelperPlan p = plan();
        byte[] filter = new byte[3 * 8];
        HelperPlan.Security security = new HelperPlan.Security(
                new CapabilitySets(0x3fL, 0x5L, 0x7L, 0x4L, 0x4L), true, filter,
                List.of(new ResourceLimit(ResourceLimit.Resource.NOFILE, 1024, 4096),
                        new ResourceLimit(ResourceLimit.Resource.CORE, 0, ResourceLimit.INFINITY)),
                List.of("/s/c/rootfs/proc/kcore"), List.of("/s/c/rootfs/proc/sys"));
        HelperPlan withSecurity = new HelperPlan(p.cloneFlags(), p.unshareFlags(), p.mounts(), p.symlinks(), p.rootfs(), p.hostname(),
                p.argv(), p.env(), p.cwd(), p.uid(), p.gid(), p.groups(), p.setGroups(), p.logPath(), p.statusPath(), security);
        String out = dump(PlanWriter.write(withSecurity));
        assertTrue(out.endsWith("""
                caps bounding=0x3f effective=0x5 permitted=0x7 inheritable=0x4 ambient=0x4
                no_new_privs=1
                seccomp_instructions=3
                rlimit 7 soft=1024 hard=4096
                rlimit 4 soft=0 hard=18446744073709551615
                masked=/s/c/rootfs/proc/kcore
                readonly=/s/c/rootfs/proc/sys
                """), out);
    }

    @Test
    void helperRejectsTruncatedPlanAndUnknownVersion() throws Exception {
        byte[] bytes = PlanWriter.write(plan());
        Path helper = HelperBinary.extract(stateDir).verifiedPath();
        for (byte[] bad : List.of(Arrays.copyOf(bytes, bytes.length - 3), withVersion(bytes, 2))) {
            Path in = stateDir.resolve("bad.bin");
            Files.write(in, bad);
            Process p = new ProcessBuilder(helper.toString(), "--dump-plan").redirectInput(in.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, p.waitFor(), out);
            assertTrue(out.startsWith("invalid plan: "), out);
        }
    }

    private static byte[] withVersion(byte[] plan, int version) {
        byte[] copy = plan.clone();
        copy[4] = (byte) version;
        return copy;
    }

    @Test
    void writerRefusesNulInStringsAndEmptyArgv() {
        HelperPlan p = plan();
        assertThrows(IllegalArgumentException.class, () -> PlanWriter.write(new HelperPlan(p.cloneFlags(), 0, p.mounts(), p.symlinks(),
                p.rootfs(), "a\0b", p.argv(), p.env(), p.cwd(), 0, 0, List.of(), false, p.logPath(), p.statusPath())));
        assertThrows(IllegalArgumentException.class, () -> new HelperPlan(p.cloneFlags(), 0, p.mounts(), p.symlinks(),
                p.rootfs(), null, List.of(), p.env(), p.cwd(), 0, 0, List.of(), false, p.logPath(), p.statusPath()));
    }

    @Test
    void extractedHelperIsCheckedByDigest() throws Exception {
        HelperBinary binary = HelperBinary.extract(stateDir);
        assertEquals(stateDir.resolve("bin/enviro-helper-" + binary.sha256()), binary.path());
        assertEquals("r-xr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(binary.path())));
        // a changed file is refused, and extracting again repairs it
        Files.setPosixFilePermissions(binary.path(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.write(binary.path(), new byte[] {1, 2, 3});
        IOException refused = assertThrows(IOException.class, binary::verifiedPath);
        assertTrue(refused.getMessage().contains("expected " + binary.sha256()), refused.getMessage());
        assertEquals(binary.path(), HelperBinary.extract(stateDir).verifiedPath());
    }
}

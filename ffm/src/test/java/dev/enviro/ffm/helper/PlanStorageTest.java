package dev.enviro.ffm.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.ffm.MountOptions;
import dev.enviro.ffm.Namespaces;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volumes, the read-only root, exec's join, init and log rotation: the Java writer against the C parser. */
class PlanStorageTest {

    @TempDir Path stateDir;

    private static HelperPlan plan(HelperPlan.Storage storage, HelperPlan.Join join, boolean init, HelperPlan.LogRotation rotation) {
        return new HelperPlan(Namespaces.CLONE_NEWUSER | Namespaces.CLONE_NEWNS, Namespaces.CLONE_NEWCGROUP, List.of(), List.of(),
                "/s/c/rootfs", "h", List.of("sh"), List.of(), "/", 0, 0, List.of(), true, "/s/c/ctr.log", "/s/c/exit.status",
                HelperPlan.Security.NONE, storage, join, init, rotation);
    }

    private String dump(byte[] plan) throws Exception {
        Path helper = HelperBinary.extract(stateDir).verifiedPath();
        Path in = stateDir.resolve("plan.bin");
        Files.write(in, plan);
        Process p = new ProcessBuilder(helper.toString(), "--dump-plan").redirectInput(in.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return p.exitValue() + "\n" + out;
    }

    @Test
    void helperParsesVolumesJoinInitAndRotation() throws Exception {
        HelperPlan.Storage storage = new HelperPlan.Storage(List.of(
                new HelperPlan.Volume(HelperPlan.Volume.Kind.BIND, "/srv/data", "/data/../x", MountOptions.MS_RDONLY | MountOptions.MS_NOSUID, ""),
                new HelperPlan.Volume(HelperPlan.Volume.Kind.TMPFS, "tmpfs", "/scratch", MountOptions.MS_NOEXEC, "size=1m,mode=1777")), true);
        String out = dump(PlanWriter.write(plan(storage, new HelperPlan.Join(4242, 987654321L,
                List.of("/sys/fs/cgroup/memory/enviro/c1/tasks", "/sys/fs/cgroup/pids/enviro/c1/tasks")), true, new HelperPlan.LogRotation(1 << 20, 3))));
        assertTrue(out.startsWith("0\n"), out);
        assertTrue(out.endsWith("""
                volume kind=bind source=/srv/data target=/data/../x flags=0x3 data=
                volume kind=tmpfs source=tmpfs target=/scratch flags=0x8 data=size=1m,mode=1777
                readonly_rootfs=1
                join pid=4242 start_time=987654321
                init=1
                cgroup_self=/sys/fs/cgroup/memory/enviro/c1/tasks
                cgroup_self=/sys/fs/cgroup/pids/enviro/c1/tasks
                log_rotate max_bytes=1048576 max_files=3
                """), out);
    }

    @Test
    void aPlanWithoutThemPrintsNoneOfThem() throws Exception {
        String out = dump(PlanWriter.write(plan(HelperPlan.Storage.NONE, null, false, null)));
        assertTrue(out.startsWith("0\n"), out);
        for (String absent : List.of("volume", "readonly_rootfs", "join", "init=", "log_rotate", "cgroup_self")) {
            assertTrue(!out.contains(absent), absent + " in\n" + out);
        }
    }

    @Test
    void helperParsesTheTerminal() throws Exception {
        String out = dump(PlanWriter.write(plan(HelperPlan.Storage.NONE, null, false, null)
                .withTerminal(new HelperPlan.Terminal(true, false, "/s/c/attach.sock"))));
        assertTrue(out.endsWith("terminal tty=1 stdin=0 attach=/s/c/attach.sock\n"), out);
        assertTrue(!dump(PlanWriter.write(plan(HelperPlan.Storage.NONE, null, false, null))).contains("terminal"));
        assertThrows(IllegalArgumentException.class, () -> new HelperPlan.Terminal(true, true, "attach.sock"));
    }

    @Test
    void theHelperRefusesARelativeVolumeTargetEvenIfJavaWereBypassed() throws Exception {
        byte[] good = PlanWriter.write(plan(new HelperPlan.Storage(List.of(
                new HelperPlan.Volume(HelperPlan.Volume.Kind.TMPFS, "tmpfs", "/abc", 0, "")), false), null, false, null));
        // the target string "/abc" is the last 4 bytes of the volume record: make it "xabc"
        String text = new String(good, StandardCharsets.ISO_8859_1);
        int at = text.lastIndexOf("/abc");
        good[at] = 'x';
        String out = dump(good);
        assertEquals("2", out.substring(0, out.indexOf('\n')), out);
        assertTrue(out.contains("malformed record"), out);
    }

    @Test
    void javaRefusesWhatTheHelperWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> new HelperPlan.Volume(HelperPlan.Volume.Kind.BIND, "rel", "/x", 0, ""));
        assertThrows(IllegalArgumentException.class, () -> new HelperPlan.Volume(HelperPlan.Volume.Kind.TMPFS, "", "x", 0, ""));
        assertThrows(IllegalArgumentException.class, () -> new HelperPlan.LogRotation(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new HelperPlan.Join(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new HelperPlan.Join(1, 1, List.of("memory/tasks")));
    }
}

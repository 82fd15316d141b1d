package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Issue 5: {@code enviro info}, and the copy snapshotter end to end through the helper. */
class InfoIT {

    @Test
    void infoReportsTheEnginesPartsAndOverlayByDefault() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            Cli.Result info = engine.cli("info");
            assertEquals(0, info.exitCode(), info::toString);
            String out = info.stdout();
            assertTrue(out.contains("Server Version: 0.1.0\n"), out);
            assertTrue(out.contains("State Directory: " + engine.stateDir + "\n"), out);
            assertTrue(out.contains("Snapshotter: overlay\n"), out);
            assertTrue(out.contains("Executor: native\n"), out);
            assertTrue(out.contains("Rootless: no\n"), out);
            assertTrue(out.contains("ID Map: uids 0-65535 -> 100000-165535; gids 0-65535 -> 100000-165535\n"), out);
            assertTrue(out.matches("(?s).*Cgroup Version: (v1|v2|hybrid[^\n]*)\n.*"), out);
            assertTrue(out.matches("(?s).*Cgroup Layout: cgroup v[12] [^\n]*enviro[^\n]*\n.*"), out);
            assertTrue(out.matches("(?s).*io_uring Rings: [1-9][0-9]*\n.*"), out);
            assertTrue(out.contains("Journal: h2 at "), out);
        }
    }

    @Test
    void theCopySnapshotterRunsContainersThroughTheHelper() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.stopDaemon();
            engine.env().put("ENVIRO_SNAPSHOTTER", "copy");
            engine.startDaemon();
            assertTrue(engine.cli("info").stdout().contains("Snapshotter: copy\n"), engine::daemonLog);
            engine.loadBusybox();

            Cli.Result run = engine.cli("run", "--rm", "localhost/busybox", "sh", "-c", "echo changed > /etc/motd && cat /etc/motd && id -u");
            assertEquals(0, run.exitCode(), () -> run + "\n" + engine.daemonLog());
            assertEquals("changed\n0\n", run.stdout());

            Cli.Result started = engine.cli("run", "-d", "localhost/busybox", "sleep", "60");
            assertEquals(0, started.exitCode(), () -> started + "\n" + engine.daemonLog());
            String id = started.stdout().strip();
            String pid = engine.cli("inspect", "--format", "{{.State.Pid}}", id).stdout().strip();
            String mountinfo = Files.readString(Path.of("/proc/" + pid + "/mountinfo"));
            String root = mountinfo.lines().filter(l -> l.split(" ")[4].equals("/")).findFirst().orElseThrow(() -> new AssertionError(mountinfo));
            assertFalse(root.contains(" - overlay "), "a copy, not an overlay: " + root);
            Path rootfs = engine.stateDir.resolve("containers/" + id + "/rootfs");
            assertTrue(root.split(" ")[3].endsWith("/containers/" + id + "/rootfs"), "bound from the container's own copy: " + root);
            assertTrue(Files.isRegularFile(rootfs.resolve("bin/busybox")), "the layers are copied into " + rootfs);
            assertEquals(100000, (Integer) Files.getAttribute(rootfs.resolve("bin/busybox"), "unix:uid"), "owned by the mapped root");
            assertFalse(Files.exists(engine.stateDir.resolve("snapshots/layers")) && Files.list(engine.stateDir.resolve("snapshots/layers")).findAny().isPresent(),
                    "no shared layer is unpacked");
            assertEquals(0, engine.cli("rm", "-f", id).exitCode());
            assertFalse(Files.exists(rootfs), "removing the container removes its copy");
        }
    }
}

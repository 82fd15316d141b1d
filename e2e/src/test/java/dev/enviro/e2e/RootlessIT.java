package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** Issue 2, must show 2: the same run works when the daemon runs as an unprivileged user. */
class RootlessIT {

    @Test
    void runWorksUnderAnUnprivilegedDaemon() throws Exception {
        try (UnprivilegedUser user = new UnprivilegedUser()) {
            Path dir = Files.createTempDirectory("enviro-rootless-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            user.own(dir);
            try (EngineFixture engine = new EngineFixture(dir, user.prefix())) {
                engine.loadBusybox();
                Cli.Result r = engine.cli("run", "--rm", "--hostname", "rootless", "localhost/busybox",
                        "sh", "-c", "echo $$; hostname; cat /proc/self/uid_map; id -u; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
                assertEquals(0, r.exitCode(), () -> r + "\n" + engine.daemonLog());
                String[] lines = r.stdout().split("\n");
                assertEquals("1", lines[0]);
                assertEquals("rootless", lines[1]);
                String[] map = lines[2].trim().split("\\s+");
                assertEquals("0", map[0]);
                assertEquals(String.valueOf(user.uid), map[1], "container root is the daemon's own user");
                assertEquals("0", lines[3]);
                assertEquals("lo", lines[4]);
                assertEquals(7, engine.cli("run", "--rm", "localhost/busybox", "sh", "-c", "exit 7").exitCode());
                assertTrue(daemonUid(engine) == user.uid, "the daemon must run as " + user.uid);
            }
        }
    }

    private static int daemonUid(EngineFixture engine) throws Exception {
        ProcessHandle jvm = engine.daemonProcess().descendants().reduce((a, b) -> b).orElse(engine.daemonProcess());
        for (String l : Files.readAllLines(Path.of("/proc/" + jvm.pid() + "/status"))) {
            if (l.startsWith("Uid:")) return Integer.parseInt(l.split("\\s+")[1]);
        }
        throw new AssertionError("no Uid line");
    }
}

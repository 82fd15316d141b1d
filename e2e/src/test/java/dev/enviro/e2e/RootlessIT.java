package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
                Cli.Result bridge = engine.cli("run", "--rm", "--network", "bridge", "localhost/busybox", "true");
                assertEquals(125, bridge.exitCode(), bridge::toString);
                assertTrue(bridge.stderr().contains("network bridge needs an engine running as root"), bridge::toString);
                String info = engine.cli("info").stdout();
                assertTrue(info.contains("uids 0 -> " + user.uid + ";") && info.contains("has no range in /etc/subuid"),
                        "info says containers have one id, and why:\n" + info);
            }
        }
    }

    /**
     * Issue 11, item 12: a user granted subordinate ranges gets them in its containers (the daemon runs as
     * root of a user namespace that newuidmap gave them): other users, chown inside, an image whose files
     * belong to several users, and removal of what those users made.
     */
    @Test
    void subordinateRangesGiveContainersTheirUsers() throws Exception {
        try (UnprivilegedUser user = new UnprivilegedUser()) {
            int start = user.grantRanges();
            Path dir = Files.createTempDirectory("enviro-rootless-ranges-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path owned = dir.resolve("owned.tar");
            ProcessBuilder build = new ProcessBuilder(Cli.repo().resolve("scripts/busybox-image.sh").toString(), owned.toString(), "localhost/owned:1")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            build.environment().put("EXTRA_OWNED", "home/app/=1000:1000:0700 home/app/key=1000:1000:0600 var/spool/=42:43:2775 usr/bin/lift=0:0:4755");
            assertEquals(0, build.start().waitFor(), "scripts/busybox-image.sh");
            user.own(dir);
            try (EngineFixture engine = new EngineFixture(dir, user.prefix())) {
                String info = engine.cli("info").stdout();
                assertTrue(info.contains("uids 0 -> " + user.uid + ", 1-65536 -> " + start + "-" + (start + 65535) + ";"), info);
                engine.loadBusybox();

                Cli.Result nobody = engine.cli("run", "--rm", "-u", "65534", "localhost/busybox", "id");
                assertEquals(0, nobody.exitCode(), () -> nobody + "\n" + engine.daemonLog());
                assertEquals("uid=65534(nobody) gid=65534(nogroup)", nobody.stdout().strip());

                Cli.Result chown = engine.cli("run", "--name", "chowner", "localhost/busybox", "sh", "-c",
                        "mkdir -p /home/u/d && echo hi > /home/u/d/f && chown -R 42:43 /home/u && chmod 700 /home/u /home/u/d"
                                + " && stat -c '%u %g' /home/u/d/f");
                assertEquals(0, chown.exitCode(), () -> chown + "\n" + engine.daemonLog());
                assertEquals("42 43", chown.stdout().strip());
                assertEquals(0, engine.cli("rm", "chowner").exitCode(), "what container user 42 made (mode 700) is removed too");
                try (var left = Files.list(dir.resolve("state/containers"))) {
                    assertEquals(0, left.count(), "nothing of the container stays");
                }

                // an image whose files belong to several users keeps their owners and modes (set-id bits too)
                assertEquals(0, engine.cli(120, "load", "-i", owned.toString()).exitCode());
                Cli.Result stat = engine.cli("run", "--rm", "localhost/owned:1", "stat", "-c", "%u:%g %a %n", "/home/app", "/home/app/key", "/var/spool", "/usr/bin/lift");
                assertEquals("1000:1000 700 /home/app\n1000:1000 600 /home/app/key\n42:43 2775 /var/spool\n0:0 4755 /usr/bin/lift", stat.stdout().strip(), stat::toString);
                assertEquals("home/app/key", engine.cli("run", "--rm", "-u", "1000", "localhost/owned:1", "cat", "/home/app/key").stdout().strip());
                Cli.Result other = engine.cli("run", "--rm", "-u", "1001", "localhost/owned:1", "cat", "/home/app/key");
                assertEquals(1, other.exitCode(), other::toString);
                assertTrue(other.stderr().contains("Permission denied"), other::toString);
                assertEquals(0, engine.cli("rmi", "localhost/owned:1").exitCode());
                try (var files = Files.walk(dir.resolve("state"))) {
                    List<Path> ranged = files.filter(f -> ownerIn(f, start)).toList();
                    assertEquals(List.of(), ranged, "what the range owned (layers, the container's files) is removed");
                }

                // from the host, the container's uid_map is the user's own id and its range
                assertEquals(0, engine.cli("run", "-d", "--name", "sleeper", "localhost/busybox", "sleep", "60").exitCode());
                String pid = engine.cli("inspect", "-f", "{{.State.Pid}}", "sleeper").stdout().strip();
                String map = Files.readString(Path.of("/proc", pid, "uid_map")).strip().replaceAll("\\s+", " ");
                assertEquals("0 " + user.uid + " 1 1 " + start + " 65536", map);
                assertEquals(0, engine.cli("rm", "-f", "sleeper").exitCode());
            }
        }
    }

    private static boolean ownerIn(Path file, int rangeStart) {
        try {
            int uid = (Integer) Files.getAttribute(file, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return uid >= rangeStart && uid - rangeStart < 65536;
        } catch (java.io.IOException gone) {
            return false;
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

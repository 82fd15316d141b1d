package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 5: pulls from a real registry (Debian's docker-registry, images pushed with skopeo) through the CLI. */
class PullIT {
    static EngineFixture engine;
    static LocalRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        engine = EngineFixture.root();
        registry = LocalRegistry.start(engine.dir);
        registry.push(BusyboxImage.archive(), "e2e/busybox:1.0");
        registry.push(BusyboxImage.archive(), "e2e/implicit:1.0");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (engine != null) engine.close();
        } finally {
            if (registry != null) registry.close();
        }
    }

    @Test
    void pullByTagAndByDigestThenRun() throws Exception {
        String ref = registry.host() + "/e2e/busybox:1.0";
        Cli.Result pulled = engine.cli("pull", ref);
        assertEquals(0, pulled.exitCode(), pulled::toString);
        assertTrue(pulled.stdout().contains("1.0: Pulling from " + registry.host() + "/e2e/busybox"), pulled::toString);
        assertTrue(pulled.stdout().contains(": Pull complete"), pulled::toString);
        Matcher digest = Pattern.compile("Status: Downloaded image " + Pattern.quote(ref) + " \\((sha256:[0-9a-f]{64})\\)").matcher(pulled.stdout());
        assertTrue(digest.find(), pulled::toString);

        Cli.Result run = engine.cli("run", "--rm", ref, "echo", "from-registry");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("from-registry\n", run.stdout());

        String byDigest = registry.host() + "/e2e/busybox@" + digest.group(1);
        Cli.Result again = engine.cli("pull", byDigest);
        assertEquals(0, again.exitCode(), again::toString);
        assertTrue(again.stdout().contains(": Already exists"), again::toString);
        Cli.Result runDigest = engine.cli("run", "--rm", byDigest, "echo", "by-digest");
        assertEquals("by-digest\n", runDigest.stdout(), runDigest::toString);
        assertTrue(engine.cli("images").stdout().contains(registry.host() + "/e2e/busybox"), "listed");
    }

    @Test
    void runPullsAMissingImageWithProgressOnStderr() throws Exception {
        Cli.Result run = engine.cli("run", "--rm", registry.host() + "/e2e/implicit:1.0", "echo", "pulled-and-ran");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("pulled-and-ran\n", run.stdout(), "stdout is the container's alone");
        assertTrue(run.stderr().contains("Unable to find image '" + registry.host() + "/e2e/implicit:1.0' locally"), run::toString);
        assertTrue(run.stderr().contains("Status: Downloaded image"), run::toString);
    }

    @Test
    void aMissingTagIsOneClearLine() throws Exception {
        Cli.Result r = engine.cli("pull", registry.host() + "/e2e/busybox:nope");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().strip().endsWith("not found in registry " + registry.host() + ": check the name and tag"), r::toString);
    }

    @Test
    void twoContainersOfOneImageShareTheLowerLayers() throws Exception {
        String ref = registry.host() + "/e2e/busybox:1.0";
        assertEquals(0, engine.cli("pull", ref).exitCode());
        List<String> lowers = new java.util.ArrayList<>();
        List<String> ids = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Cli.Result r = engine.cli("run", "-d", ref, "sleep", "60");
                assertEquals(0, r.exitCode(), r::toString);
                ids.add(r.stdout().strip());
                String pid = engine.cli("inspect", "--format", "{{.State.Pid}}", ids.getLast()).stdout().strip();
                String mountinfo = Files.readString(Path.of("/proc/" + pid + "/mountinfo"));
                String root = mountinfo.lines().filter(l -> l.split(" ")[4].equals("/") && l.contains(" - overlay ")).findFirst().orElseThrow(() -> new AssertionError(mountinfo));
                Matcher lower = Pattern.compile("lowerdir=([^,]+)").matcher(root);
                assertTrue(lower.find(), root);
                lowers.add(lower.group(1));
            }
            assertEquals(lowers.get(0), lowers.get(1), "one lower directory for both containers");
        } finally {
            for (String id : ids) engine.cli("rm", "-f", id);
        }
    }

    /** Lower directories of a running container's root overlay, top first, from its mountinfo. */
    private static List<String> lowerDirs(String id) throws Exception {
        String pid = engine.cli("inspect", "--format", "{{.State.Pid}}", id).stdout().strip();
        String mountinfo = Files.readString(Path.of("/proc/" + pid + "/mountinfo"));
        String root = mountinfo.lines().filter(l -> l.split(" ")[4].equals("/") && l.contains(" - overlay ")).findFirst().orElseThrow(() -> new AssertionError(mountinfo));
        Matcher lower = Pattern.compile("lowerdir=([^,]+)").matcher(root);
        assertTrue(lower.find(), root);
        return List.of(lower.group(1).split(":"));
    }

    @Test
    void imagesSharingABaseLayerShareItOnDiskAndUpperLayersWhiteOutLowerContent() throws Exception {
        Path a = LayeredImage.build(engine.dir.resolve("layered-a"), List.of(
                List.of("d var", "f var/keep kept", "d var/lib", "f var/lib/old old", "f etc/motd hello"),
                List.of("w var/.wh..wh..opq", "f var/new new", "w etc/.wh.group", "w etc/.wh.motd")));
        Path b = LayeredImage.build(engine.dir.resolve("layered-b"), List.of(List.of("f etc/b b")));
        registry.pushLayout(a, "e2e/layered-a:1");
        registry.pushLayout(b, "e2e/layered-b:1");
        String refA = registry.host() + "/e2e/layered-a:1", refB = registry.host() + "/e2e/layered-b:1";
        assertEquals(0, engine.cli("pull", refA).exitCode());
        assertEquals(0, engine.cli("pull", refB).exitCode());

        // (hostname, hosts and resolv.conf in /etc are the engine's, mounted over whatever the image has)
        Cli.Result seen = engine.cli("run", "--rm", refA, "sh", "-c", "ls /var; ls /etc | grep -vxE 'hostname|hosts|resolv.conf'; cat /etc/group || echo no-group");
        assertEquals(0, seen.exitCode(), seen::toString);
        assertEquals("new\npasswd\nno-group\n", seen.stdout(), "the opaque /var hides keep and lib; the whiteouts hide group and motd");
        assertTrue(seen.stderr().isEmpty() || seen.stderr().contains("No such file"), seen::toString);
        // the engine's files in /etc are mount points: unmounted and removed first (CAP_SYS_ADMIN for umount)
        Cli.Result removed = engine.cli("run", "--rm", "--cap-add", "SYS_ADMIN", refA, "sh", "-c",
                "rm -r /var && rm /etc/passwd && umount /etc/hosts /etc/hostname /etc/resolv.conf"
                        + " && rm /etc/hosts /etc/hostname /etc/resolv.conf && rmdir /etc && ls /");
        assertEquals(0, removed.exitCode(), "directories holding whiteouts can be removed in the container: " + removed);

        List<String> ids = new java.util.ArrayList<>();
        try {
            for (String ref : List.of(refA, refB)) {
                Cli.Result r = engine.cli("run", "-d", ref, "sleep", "60");
                assertEquals(0, r.exitCode(), r::toString);
                ids.add(r.stdout().strip());
            }
            List<String> lowersA = lowerDirs(ids.get(0)), lowersB = lowerDirs(ids.get(1));
            assertEquals(3, lowersA.size(), lowersA::toString);
            assertEquals(2, lowersB.size(), lowersB::toString);
            assertEquals(lowersA.getLast(), lowersB.getLast(), "the busybox layer is one directory");
            assertTrue(Files.isSameFile(Path.of(lowersA.getLast(), "bin/busybox"), Path.of(lowersB.getLast(), "bin/busybox")), "the same inode");
            assertNotEquals(lowersA.getFirst(), lowersB.getFirst());
        } finally {
            for (String id : ids) engine.cli("rm", "-f", id);
        }
    }
}

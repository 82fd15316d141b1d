package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Volumes, tmpfs and the read-only root through the CLI; issue 3 must show 3 (a symlink in the image or a
 * volume target cannot send a mount outside the container's root) and the workdir half of must show 2.
 */
class VolumesIT extends WithBusyboxEngine {

    static Path hostDir;

    @BeforeAll
    static void start() throws Exception {
        Cli.Result load = engine.cli(120, "load", "-i", symlinkImage().toString());
        assertEquals(0, load.exitCode(), load.toString());
        hostDir = engine.dir.resolve("vol");
        Files.createDirectories(hostDir);
        // container root is an unprivileged host id (100000): it may write here only if everyone may
        Files.setPosixFilePermissions(hostDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(hostDir.resolve("marker"), "from-the-host\n");
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), HostTraces.mountsUnder(engine.stateDir), "stray mounts");
        assertEquals(List.of(), HostTraces.mountsUnder(hostDir), "stray volume mounts on the host");
    }

    /** busybox plus /data -> / and /up -> ../../../../../../../../.. : an image built to redirect mounts. */
    static Path symlinkImage() throws IOException, InterruptedException {
        Path tar = Cli.repo().resolve("e2e/target/images/symlinks-oci.tar");
        Files.createDirectories(tar.getParent());
        ProcessBuilder pb = new ProcessBuilder(Cli.repo().resolve("scripts/busybox-image.sh").toString(), tar.toString(),
                "localhost/symlinks:latest").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("EXTRA_SYMLINKS", "data=/ up=../../../../../../../../..");
        Process p = pb.start();
        if (p.waitFor() != 0) throw new IllegalStateException("busybox-image.sh (symlinks) failed with " + p.exitValue());
        return tar;
    }

    private static Cli.Result run(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("run", "--rm"));
        argv.addAll(List.of(args));
        return engine.cli(argv.toArray(String[]::new));
    }

    @Test
    void aReadWriteVolumeIsSharedWithTheHost() throws Exception {
        Cli.Result r = run("-v", hostDir + ":/data", "localhost/busybox", "sh", "-c", "cat /data/marker && echo written > /data/rw");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("from-the-host\n", r.stdout());
        assertEquals("written\n", Files.readString(hostDir.resolve("rw")));
    }

    @Test
    void aReadOnlyVolumeRefusesWritesAndTheHostFileIsUnchanged() throws Exception {
        Cli.Result r = run("-v", hostDir + ":/data:ro", "localhost/busybox", "sh", "-c",
                "cat /data/marker; echo changed > /data/marker; echo rc=$?; grep ' /data ' /proc/self/mountinfo");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("rc=1"), r.toString());
        assertTrue(r.stderr().contains("Read-only file system"), r.toString());
        assertTrue(r.stdout().matches("(?s).* /data ro,nosuid,nodev.*"), r.toString());
        assertEquals("from-the-host\n", Files.readString(hostDir.resolve("marker")));
    }

    @Test
    void aSingleFileCanBeAVolume() throws Exception {
        Cli.Result r = run("-v", hostDir.resolve("marker") + ":/etc/marker:ro", "localhost/busybox", "cat", "/etc/marker");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("from-the-host\n", r.stdout());
    }

    @Test
    void tmpfsIsSizedAndNotExecutable() throws Exception {
        Cli.Result r = run("--tmpfs", "/scratch:size=1m", "localhost/busybox", "sh", "-c",
                "grep ' /scratch ' /proc/self/mountinfo; cp /bin/busybox /scratch/bb; /scratch/bb true; echo exec=$?;"
                        + " dd if=/dev/zero of=/scratch/fill bs=1k count=4096 2>/dev/null; echo dd=$?");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains(" /scratch rw,nosuid,nodev,noexec"), r.toString());
        assertTrue(r.stdout().contains("size=1024k"), r.toString());
        assertTrue(r.stdout().contains("exec=126"), r.toString());
        assertTrue(r.stdout().contains("dd=1"), "a 1m tmpfs cannot take 4m: " + r);
    }

    @Test
    void aReadOnlyRootLeavesDevProcTmpAndVolumesWritable() throws Exception {
        Cli.Result r = run("--read-only", "-v", hostDir + ":/data", "localhost/busybox", "sh", "-c",
                "touch /etc/x 2>/dev/null; echo root=$?; touch /tmp/x; echo tmp=$?; touch /dev/shm/x; echo shm=$?;"
                        + " echo ok > /data/from-ro-root; echo vol=$?; echo 1 > /proc/self/comm; echo proc=$?");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("root=1\ntmp=0\nshm=0\nvol=0\nproc=0\n", r.stdout(), r.toString());
        assertTrue(Files.exists(hostDir.resolve("from-ro-root")));
    }

    @Test
    void aMissingHostPathIsOneClearLine() throws Exception {
        Path missing = engine.dir.resolve("no-such-dir");
        Cli.Result r = run("-v", missing + ":/data", "localhost/busybox", "true");
        assertEquals(125, r.exitCode(), r.toString());
        assertEquals(1, r.stderr().strip().lines().count(), r.toString());
        assertTrue(r.stderr().contains("the host path " + missing + " does not exist: create it first"), r.toString());
        Cli.Result relative = run("-v", "data:/data", "localhost/busybox", "true");
        assertEquals(125, relative.exitCode(), relative.toString());
        assertTrue(relative.stderr().contains("must be absolute"), relative.toString());
    }

    /** Must show 3 (CVE-2021-30465 class): /data -> / in the image; the volume lands at the container's /x. */
    @Test
    void anImageSymlinkToSlashKeepsTheVolumeInsideTheRoot() throws Exception {
        String name = "enviro-escape-" + UUID.randomUUID();
        Path onHost = Path.of("/", name);
        assertFalse(Files.exists(onHost));
        try {
            Cli.Result r = run("-v", hostDir + ":/data/" + name, "localhost/symlinks", "sh", "-c",
                    "readlink /data; cat /" + name + "/marker; grep -c ' /" + name + " ' /proc/self/mountinfo");
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("/\nfrom-the-host\n1\n", r.stdout(), "the mount is the container's /" + name + ": " + r);
            assertFalse(Files.exists(onHost), "the host's / got " + onHost);
        } finally {
            Files.deleteIfExists(onHost);
        }
    }

    /** Must show 3: /up -> ../../../.. (more .. than the state directory is deep) and a target with .. of its own. */
    @Test
    void dotDotInAnImageSymlinkOrATargetStaysInsideTheRoot() throws Exception {
        String name = "enviro-escape-" + UUID.randomUUID();
        List<Path> hostCandidates = List.of(Path.of("/", name), engine.stateDir.resolve(name), engine.dir.resolve(name),
                engine.stateDir.resolve("containers").resolve(name));
        try {
            for (String target : List.of("/up/" + name, "/../../../../../../../" + name, "/up/../../" + name)) {
                Cli.Result r = run("-v", hostDir + ":" + target, "localhost/symlinks", "sh", "-c",
                        "cat /" + name + "/marker; grep -c ' /" + name + " ' /proc/self/mountinfo");
                assertEquals(0, r.exitCode(), target + ": " + r);
                assertEquals("from-the-host\n1\n", r.stdout(), target + ": " + r);
                for (Path p : hostCandidates) assertFalse(Files.exists(p), target + " reached the host: " + p);
            }
        } finally {
            for (Path p : hostCandidates) Files.deleteIfExists(p);
        }
    }

    /**
     * Must show 2 (CVE-2024-21626 class): no inherited fd is open when the workdir is entered, so
     * /proc/self/fd/N names nothing (or a non-directory) and the start fails instead of landing on a host directory.
     */
    @Test
    void aWorkdirThroughProcSelfFdCannotReachAHostDirectory() throws Exception {
        for (int fd = 3; fd <= 12; fd++) {
            Cli.Result r = run("-w", "/proc/self/fd/" + fd, "localhost/busybox", "pwd");
            assertEquals(125, r.exitCode(), "fd " + fd + ": " + r);
            assertTrue(r.stderr().contains("chdir /proc/self/fd/" + fd), r.toString());
            assertEquals("", r.stdout(), r.toString());
        }
    }
}

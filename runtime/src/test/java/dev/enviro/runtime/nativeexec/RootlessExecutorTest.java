package dev.enviro.runtime.nativeexec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.enviro.ffm.Processes;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The whole executor as an unprivileged user (nobody), in a JVM started with setpriv: a single-id map
 * (setgroups denied), no cgroups, the overlay mounted in the user namespace. The classpath is copied
 * to a world-readable directory because the build's own may sit under root's home.
 */
class RootlessExecutorTest {

    @Test
    void unprivilegedEngineRunsAContainerAsItsOwnUser() throws Exception {
        assumeTrue(Processes.getuid() == 0, "needs root to become nobody");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        Path base = Files.createTempDirectory("enviro-rootless-");
        Process jvm = null;
        try {
            List<String> classpath = new ArrayList<>();
            int i = 0;
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path source = Path.of(entry);
                if (!Files.exists(source)) continue;
                Path copy = base.resolve("cp").resolve(i++ + "-" + source.getFileName());
                copyTree(source, copy);
                classpath.add(copy.toString());
            }
            Path state = Files.createDirectories(base.resolve("state"));
            BusyboxRootfs.create(base.resolve("image"));
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.toList()) {
                    if (!Files.isSymbolicLink(p)) {
                        new ProcessBuilder("chown", "-h", "65534:65534", p.toString()).start().waitFor();
                    }
                }
            }
            Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                    java, "--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData", "-cp", String.join(File.pathSeparator, classpath),
                    RootlessMain.class.getName(), state.toString(), base.resolve("image").toString())
                    .redirectErrorStream(true);
            pb.environment().put("HOME", base.toString());
            jvm = pb.start();
            String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, jvm.exitValue(), out);
            assertTrue(out.contains("engine uid=65534"), out);
            assertTrue(out.contains("stdout F inside=0:0\n"), out);
            assertTrue(out.matches("(?s).*stdout F map= *0 +65534 +1\n.*"), out);
            assertTrue(out.contains("stdout F pid=1\n"), out);
            assertTrue(out.contains("exit=5\n"), out);
            assertTrue(!Files.exists(state.resolve("containers").resolve("f".repeat(64))), "cleanup left the container directory");
        } finally {
            if (jvm != null && jvm.isAlive()) {
                jvm.destroyForcibly();
                jvm.waitFor();
            }
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        if (Files.isRegularFile(source)) {
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.toList()) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}

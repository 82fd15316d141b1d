package dev.enviro.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What an engine may leave on the host: processes running its helper, mounts and cgroups under its state. */
final class HostTraces {

    /** Processes whose executable lives in {@code stateDir} (the extracted helper: monitors). */
    static List<Long> processesRunningFrom(Path stateDir) throws IOException {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                try {
                    Path exe = Files.readSymbolicLink(p.resolve("exe"));
                    if (exe.toString().startsWith(stateDir.toString())
                            || exe.toString().startsWith("/memfd:enviro-helper") && holdsFileUnder(p, stateDir)) {
                        found.add(Long.parseLong(n));
                    }
                } catch (IOException | UnsupportedOperationException ignored) {
                    // kernel threads and processes that exited meanwhile
                }
            }
        }
        return found;
    }

    /**
     * A monitor runs from a sealed memfd copy of the helper (docs/security.md), so its exe does not
     * name the state directory; its open log file under the state directory tells whose it is.
     */
    private static boolean holdsFileUnder(Path proc, Path stateDir) throws IOException {
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith(stateDir.toString())) return true;
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        }
        return false;
    }

    /** Host mounts whose mount point or source mentions {@code stateDir}. */
    static List<String> mountsUnder(Path stateDir) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(stateDir.toString())).toList();
    }

    /** Container cgroups (directories named by a 64-hex id) left below this process's v1 pids cgroup. */
    static List<Path> containerCgroups() throws IOException {
        List<Path> found = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length < 3 || f[1].isEmpty() || f[1].startsWith("name=")) continue;
            Path dir = Path.of("/sys/fs/cgroup", f[1].split(",")[0], f[2]);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.walk(dir, 3)) {
                s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).forEach(found::add);
            }
        }
        return found;
    }

    private HostTraces() {}
}

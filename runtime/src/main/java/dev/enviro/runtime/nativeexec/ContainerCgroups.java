package dev.enviro.runtime.nativeexec;

import dev.enviro.ffm.Files;
import dev.enviro.ffm.Processes;
import dev.enviro.ffm.SyscallException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One cgroup per container in the cgroup v1 {@code pids} and {@code memory} hierarchies, below the
 * engine's own cgroup: {@code <own>/<parent>/<id>}. Only a root engine can create them (v1 has no
 * delegation to unprivileged users); a rootless engine, or one whose cgroups are not writable, runs
 * containers in its own cgroup, which is skipped silently here. Limits are not set yet: the cgroup
 * gives accounting and a place to find every process of the container.
 */
final class ContainerCgroups {
    static final List<String> CONTROLLERS = List.of("pids", "memory");

    private final List<Path> parents;

    private ContainerCgroups(List<Path> parents) {
        this.parents = List.copyOf(parents);
    }

    /** The hierarchies this engine may use; none when rootless or read-only. */
    static ContainerCgroups detect(String parentName) {
        List<Path> parents = new ArrayList<>();
        if (Processes.getuid() == 0) {
            try {
                for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                    String[] f = line.split(":", 3);
                    if (f.length != 3) continue;
                    for (String controller : f[1].split(",")) {
                        if (!CONTROLLERS.contains(controller)) continue;
                        Path own = Path.of("/sys/fs/cgroup", controller).resolve(f[2].substring(1));
                        if (java.nio.file.Files.isWritable(own)) parents.add(own.resolve(parentName));
                    }
                }
            } catch (IOException e) {
                // no /proc/self/cgroup (not Linux, or hidepid): run without container cgroups
            }
        }
        return new ContainerCgroups(parents);
    }

    boolean isEmpty() { return parents.isEmpty(); }

    List<Path> paths(String containerId) {
        return parents.stream().map(p -> p.resolve(containerId)).toList();
    }

    /** Creates the container's cgroups and moves {@code pid} into them (before it runs anything). */
    void attach(String containerId, int pid) throws SyscallException, IOException {
        for (Path dir : paths(containerId)) {
            // The parent may vanish between createDirectories and mkdir (remove() prunes it when the
            // last container leaves): try again once.
            try {
                java.nio.file.Files.createDirectories(dir);
            } catch (java.nio.file.NoSuchFileException raced) {
                java.nio.file.Files.createDirectories(dir);
            }
            Files.writeOnce(dir.resolve("cgroup.procs"), Integer.toString(pid));
        }
    }

    /** Removes the container's cgroups; they must be empty (the container has exited). */
    void remove(String containerId) throws IOException {
        IOException failure = null;
        for (Path dir : paths(containerId)) {
            try {
                // rmdir, not a recursive delete: a cgroup directory's files cannot be deleted
                java.nio.file.Files.deleteIfExists(dir);
                pruneIfEmpty(dir.getParent());
            } catch (IOException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }

    /** The shared parent goes with the last container, so an engine that is not running leaves no cgroup. */
    private static void pruneIfEmpty(Path parent) {
        try {
            java.nio.file.Files.deleteIfExists(parent);
        } catch (IOException busy) {
            // another container still lives there (EBUSY/ENOTEMPTY): it will prune on its way out
        }
    }
}

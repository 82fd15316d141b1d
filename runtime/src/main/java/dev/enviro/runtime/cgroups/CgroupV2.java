package dev.enviro.runtime.cgroups;

import dev.enviro.ffm.SyscallException;
import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.Errno;
import dev.enviro.persistence.Resources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A container's cgroup on the unified hierarchy (cgroup v2): {@code <own>/<parent>/<id>}.
 *
 * <p>v2 lets a cgroup either hold processes or hand controllers to its children, not both ("no
 * internal processes"). The engine's own cgroup holds the engine, so before enabling controllers
 * for {@code <own>/<parent>} the engine's processes move to a leaf {@code <own>/engine} (what
 * systemd-delegated managers such as Podman and crun do with an init sub-cgroup).
 */
public final class CgroupV2 implements Cgroup {
    /** The controllers a container may be limited by, in the order the kernel lists them. */
    static final List<String> WANTED = List.of("cpuset", "cpu", "memory", "pids");
    static final String ENGINE_LEAF = "engine";
    private static final long SETTLE_NANOS = 5_000_000_000L;

    private final CgroupFiles files;
    private final Path dir;

    CgroupV2(CgroupFiles files, Path dir) {
        this.files = files;
        this.dir = dir;
    }

    public Path directory() { return dir; }

    @Override
    public void create() throws SyscallException {
        try {
            createLevels();
        } catch (SyscallException e) {
            // the shared parent was pruned by the last container leaving, between our two mkdirs
            if (e.errno() != Errno.ENOENT) throw e;
            createLevels();
        }
    }

    private void createLevels() throws SyscallException {
        Path parent = dir.getParent();
        Path own = parent.getParent();
        Set<String> wanted = new LinkedHashSet<>(WANTED);
        wanted.retainAll(controllers(own.resolve("cgroup.controllers")));
        enable(own, wanted);
        files.createDirectory(parent);
        enable(parent, wanted);
        files.createDirectory(dir);
    }

    private Set<String> controllers(Path file) throws SyscallException {
        String text = files.exists(file) ? files.read(file).strip() : "";
        return text.isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(text.split("\\s+")));
    }

    /** Enables {@code wanted} for {@code cgroup}'s children, evacuating its processes to a leaf if it holds any. */
    private void enable(Path cgroup, Set<String> wanted) throws SyscallException {
        Set<String> missing = new LinkedHashSet<>(wanted);
        missing.removeAll(controllers(cgroup.resolve("cgroup.subtree_control")));
        if (missing.isEmpty()) return;
        String change = String.join(" ", missing.stream().map(c -> "+" + c).toList());
        try {
            files.write(cgroup.resolve("cgroup.subtree_control"), change);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EBUSY) throw e;
            Path leaf = cgroup.resolve(ENGINE_LEAF);
            files.createDirectory(leaf);
            for (String pid : files.read(cgroup.resolve("cgroup.procs")).split("\\s+")) {
                if (pid.isBlank()) continue;
                try {
                    files.write(leaf.resolve("cgroup.procs"), pid);
                } catch (SyscallException gone) {
                    if (gone.errno() != Errno.ESRCH) throw gone;
                }
            }
            files.write(cgroup.resolve("cgroup.subtree_control"), change);
        }
    }

    @Override
    public void apply(Resources r) throws SyscallException {
        List<ControlFile> writes = new ArrayList<>();
        writes.addAll(MemoryController.v2(r));
        writes.addAll(CpuController.v2(r));
        writes.addAll(CpusetController.v2(r));
        writes.addAll(PidsController.v2(r));
        if (writes.isEmpty()) return;
        Set<String> enabled = controllers(dir.resolve("cgroup.controllers"));
        for (ControlFile f : writes) {
            if (f.controller() != null && !enabled.contains(f.controller())) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "cannot set " + f.name() + ": the " + f.controller()
                        + " controller is not delegated to " + dir.getParent().getParent()
                        + " (enable it in the parent's cgroup.subtree_control)");
            }
            files.write(dir.resolve(f.name()), f.value());
        }
    }

    @Override
    public void join(int pid) throws SyscallException {
        files.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
    }

    @Override
    public java.util.List<Path> selfJoinFiles() {
        return java.util.List.of();
    }

    @Override
    public void freeze(boolean frozen) throws SyscallException {
        ControlFile f = FreezerController.v2(frozen);
        files.write(dir.resolve(f.name()), f.value());
        long deadline = System.nanoTime() + SETTLE_NANOS;
        while (!FreezerController.v2Settled(files.read(dir.resolve("cgroup.events")), frozen)) {
            if (System.nanoTime() > deadline) throw new EnviroError(ErrorCode.INTERNAL, dir + "/cgroup.events did not settle after 5 s");
            CgroupV1.sleep();
        }
    }

    @Override
    public long oomKills() throws SyscallException {
        Path events = dir.resolve("memory.events");
        return files.exists(events) ? MemoryController.oomKills(files.read(events)) : 0;
    }

    @Override
    public CompletionStage<CgroupUsage> usage() {
        CompletionStage<Long> cpu = read("cpu.stat").thenApply(CpuController::v2UsageNanos);
        CompletionStage<Long> memory = read("memory.current").thenApply(t -> t.isBlank() ? 0L : Long.parseLong(t.strip()))
                .thenCombine(read("memory.stat"), (u, s) -> MemoryController.workingSet(u, s, true));
        CompletionStage<Long> memLimit = read("memory.max").thenApply(t -> t.isBlank() ? 0 : MemoryController.limit(t));
        CompletionStage<Long> pids = read("pids.current").thenApply(t -> t.isBlank() ? 0L : Long.parseLong(t.strip()));
        CompletionStage<Long> pidsLimit = read("pids.max").thenApply(t -> t.isBlank() ? 0 : PidsController.limit(t));
        return cpu.thenCombine(memory, (c, m) -> new long[] {c, m})
                .thenCombine(memLimit, (a, l) -> new long[] {a[0], a[1], l})
                .thenCombine(pids, (a, p) -> new long[] {a[0], a[1], a[2], p})
                .thenCombine(pidsLimit, (a, pl) -> new CgroupUsage(a[0], a[1], a[2], a[3], pl));
    }

    /** A controller that is not enabled has no file: read as empty, shown as no value. */
    private CompletionStage<String> read(String name) {
        Path file = dir.resolve(name);
        return files.exists(file) ? files.readAsync(file) : CompletableFuture.completedFuture("");
    }

    @Override
    public java.util.List<Integer> processes() throws SyscallException {
        return pids(files, dir.resolve("cgroup.procs"));
    }

    /** The pids listed in {@code procs} (a {@code cgroup.procs} file); none when it is gone. */
    static java.util.List<Integer> pids(CgroupFiles files, Path procs) throws SyscallException {
        if (!files.exists(procs)) return java.util.List.of();
        String text;
        try {
            text = files.read(procs);
        } catch (SyscallException e) {
            if (e.errno() == dev.enviro.ffm.Errno.ENOENT || e.errno() == dev.enviro.ffm.Errno.ENODEV) return java.util.List.of();
            throw e;
        }
        return java.util.Arrays.stream(text.split("\\s+")).filter(t -> !t.isBlank()).map(Integer::parseInt).toList();
    }

    @Override
    public void remove() throws SyscallException {
        files.removeDirectory(dir);
        pruneIfEmpty(files, dir.getParent());
    }

    /** The shared parent goes with the last container, so an engine that is not running leaves no cgroup. */
    static void pruneIfEmpty(CgroupFiles files, Path parent) {
        try {
            files.removeDirectory(parent);
        } catch (SyscallException busy) {
            // another container still lives there (EBUSY/ENOTEMPTY): it prunes on its way out
        }
    }
}

package dev.enviro.runtime.cgroups;

import dev.enviro.ffm.SyscallException;
import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.Errno;
import dev.enviro.persistence.Resources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A container's cgroup on cgroup v1: one directory per hierarchy ({@code memory}, {@code cpu},
 * {@code cpuacct}, {@code cpuset}, {@code pids}, {@code freezer}); co-mounted controllers
 * ({@code cpu,cpuacct}) share one directory.
 */
public final class CgroupV1 implements Cgroup {
    private static final long SETTLE_NANOS = 5_000_000_000L;

    private final CgroupFiles files;
    /** controller → the container's directory in that controller's hierarchy */
    private final Map<String, Path> dirs;

    CgroupV1(CgroupFiles files, Map<String, Path> dirs) {
        this.files = files;
        this.dirs = Map.copyOf(dirs);
    }

    /** Each directory once, in a stable order. */
    private Set<Path> distinctDirs() {
        return new LinkedHashSet<>(dirs.values().stream().sorted().toList());
    }

    @Override
    public void create() throws SyscallException {
        Path cpuset = dirs.get(CpusetController.NAME);
        for (Path dir : distinctDirs()) {
            try {
                createLevels(dir, dir.equals(cpuset));
            } catch (SyscallException e) {
                // the shared parent was pruned by the last container leaving, between our two mkdirs
                if (e.errno() != Errno.ENOENT) throw e;
                createLevels(dir, dir.equals(cpuset));
            }
        }
    }

    private void createLevels(Path dir, boolean cpuset) throws SyscallException {
        for (Path level : List.of(dir.getParent(), dir)) {
            files.createDirectory(level);
            if (cpuset) inheritCpuset(level);
        }
    }

    private void inheritCpuset(Path level) throws SyscallException {
        for (String name : CpusetController.V1_INHERITED) {
            if (files.read(level.resolve(name)).isBlank()) {
                files.write(level.resolve(name), files.read(level.getParent().resolve(name)).strip());
            }
        }
    }

    @Override
    public void apply(Resources r) throws SyscallException {
        Path memory = dirs.get(MemoryController.NAME);
        boolean swapAccounted = memory != null && files.exists(memory.resolve("memory.memsw.limit_in_bytes"));
        if (r.memorySwapBytes() != 0 && r.memorySwapBytes() != -1 && memory != null && !swapAccounted) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--memory-swap needs swap accounting, which this kernel has off"
                    + " (no memory.memsw.limit_in_bytes): boot with swapaccount=1 or drop --memory-swap");
        }
        writeMemory(MemoryController.v1(r, swapAccounted));
        List<ControlFile> rest = new ArrayList<>();
        rest.addAll(CpuController.v1(r));
        rest.addAll(CpusetController.v1(r));
        rest.addAll(PidsController.v1(r));
        for (ControlFile f : rest) write(f);
    }

    /**
     * memory ≤ memory+swap at every moment: raising both past the current memory+swap needs the
     * second file first, lowering needs the first first. Try in order; on EINVAL, the other way round.
     */
    private void writeMemory(List<ControlFile> memory) throws SyscallException {
        if (memory.isEmpty()) return;
        try {
            for (ControlFile f : memory) write(f);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EINVAL || memory.size() < 2) throw e;
            for (ControlFile f : memory.reversed()) write(f);
        }
    }

    private void write(ControlFile f) throws SyscallException {
        Path dir = dirs.get(f.controller());
        if (dir == null) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "cannot set " + f.name() + ": the engine has no cgroup v1 "
                    + f.controller() + " hierarchy it may write (is it mounted, and is the engine root?)");
        }
        files.write(dir.resolve(f.name()), f.value());
    }

    @Override
    public void join(int pid) throws SyscallException {
        for (Path dir : distinctDirs()) files.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
    }

    @Override
    public List<Path> selfJoinFiles() {
        return distinctDirs().stream().map(dir -> dir.resolve("tasks")).toList();
    }

    @Override
    public void freeze(boolean frozen) throws SyscallException {
        ControlFile f = FreezerController.v1(frozen);
        write(f);
        Path state = dirs.get(FreezerController.NAME).resolve(f.name());
        long deadline = System.nanoTime() + SETTLE_NANOS;
        // FREEZING until every task has reached the refrigerator; a task in uninterruptible sleep can delay it
        while (!FreezerController.v1Settled(files.read(state), frozen)) {
            if (System.nanoTime() > deadline) {
                throw new EnviroError(ErrorCode.INTERNAL, state + " still reads " + files.read(state).strip() + " after 5 s");
            }
            files.write(state.getParent().resolve(f.name()), f.value());
            sleep();
        }
    }

    static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public long oomKills() throws SyscallException {
        Path memory = dirs.get(MemoryController.NAME);
        return memory == null ? 0 : MemoryController.oomKills(files.read(memory.resolve("memory.oom_control")));
    }

    @Override
    public CompletionStage<CgroupUsage> usage() {
        CompletionStage<Long> cpu = readLong("cpuacct", "cpuacct.usage");
        CompletionStage<Long> memUsage = readLong(MemoryController.NAME, "memory.usage_in_bytes");
        CompletionStage<String> memStat = read(MemoryController.NAME, "memory.stat");
        CompletionStage<Long> memLimit = read(MemoryController.NAME, "memory.limit_in_bytes")
                .thenApply(t -> t.isBlank() ? 0 : MemoryController.limit(t));
        CompletionStage<Long> pids = readLong(PidsController.NAME, "pids.current");
        CompletionStage<Long> pidsLimit = read(PidsController.NAME, "pids.max").thenApply(t -> t.isBlank() ? 0 : PidsController.limit(t));
        CompletionStage<Long> workingSet = memUsage.thenCombine(memStat, (u, s) -> MemoryController.workingSet(u, s, false));
        return cpu.thenCombine(workingSet, (c, m) -> new long[] {c, m})
                .thenCombine(memLimit, (a, l) -> new long[] {a[0], a[1], l})
                .thenCombine(pids, (a, p) -> new long[] {a[0], a[1], a[2], p})
                .thenCombine(pidsLimit, (a, pl) -> new CgroupUsage(a[0], a[1], a[2], a[3], pl));
    }

    private CompletionStage<String> read(String controller, String name) {
        Path dir = dirs.get(controller);
        return dir == null ? CompletableFuture.completedFuture("") : files.readAsync(dir.resolve(name));
    }

    private CompletionStage<Long> readLong(String controller, String name) {
        return read(controller, name).thenApply(t -> t.isBlank() ? 0L : Long.parseLong(t.strip()));
    }

    @Override
    public java.util.List<Integer> processes() throws SyscallException {
        // every hierarchy holds the same processes: one is enough
        for (Path dir : distinctDirs()) return CgroupV2.pids(files, dir.resolve("cgroup.procs"));
        return java.util.List.of();
    }

    @Override
    public void remove() throws SyscallException {
        SyscallException failure = null;
        for (Path dir : distinctDirs()) {
            try {
                files.removeDirectory(dir);
                CgroupV2.pruneIfEmpty(files, dir.getParent());
            } catch (SyscallException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }

    /** The container's directory per controller (for tests and for {@code inspect}). */
    public Map<String, Path> directories() { return dirs; }
}

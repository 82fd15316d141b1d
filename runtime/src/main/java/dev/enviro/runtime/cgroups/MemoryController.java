package dev.enviro.runtime.cgroups;

import dev.enviro.persistence.Resources;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --memory} and {@code --memory-swap}. Docker's and Podman's rule for swap: unset with a
 * memory limit means as much swap as memory (memory+swap = twice the limit); {@code -1} means
 * unlimited swap. v1 limits memory+swap together ({@code memory.memsw.limit_in_bytes}, present only
 * when the kernel accounts swap: {@code swapaccount=1}); v2 limits swap alone ({@code memory.swap.max}).
 */
public final class MemoryController {
    static final String NAME = "memory";
    /** What v1 reads back for "no limit": the largest page-aligned long. */
    static final long V1_UNLIMITED = 0x7FFFFFFFFFFFF000L;

    private MemoryController() {}

    /** memory+swap in bytes, {@code -1} unlimited, {@code 0} none (no memory limit). */
    static long memoryPlusSwap(Resources r) {
        if (r.memoryBytes() == 0) return 0;
        if (r.memorySwapBytes() == -1) return -1;
        // docker's default swap equals the memory; past half of a long that is no limit at all (not an overflow)
        if (r.memorySwapBytes() != 0) return r.memorySwapBytes();
        return r.memoryBytes() > Long.MAX_VALUE / 2 ? -1 : 2 * r.memoryBytes();
    }

    /**
     * The v1 writes, memory first. When a raise goes past the current memory+swap limit the kernel
     * refuses the first write (EINVAL): {@link CgroupV1} then writes these in reverse order.
     */
    public static List<ControlFile> v1(Resources r, boolean swapAccounted) {
        List<ControlFile> files = new ArrayList<>();
        if (r.memoryBytes() == 0) return files;
        files.add(new ControlFile(NAME, "memory.limit_in_bytes", Long.toString(r.memoryBytes())));
        if (swapAccounted) files.add(new ControlFile(NAME, "memory.memsw.limit_in_bytes", Long.toString(memoryPlusSwap(r))));
        return files;
    }

    public static List<ControlFile> v2(Resources r) {
        List<ControlFile> files = new ArrayList<>();
        if (r.memoryBytes() == 0) return files;
        files.add(new ControlFile(NAME, "memory.max", Long.toString(r.memoryBytes())));
        long total = memoryPlusSwap(r);
        files.add(new ControlFile(NAME, "memory.swap.max", total == -1 ? "max" : Long.toString(total - r.memoryBytes())));
        return files;
    }

    /** The {@code oom_kill} line of v1's {@code memory.oom_control} or v2's {@code memory.events}; 0 when absent. */
    public static long oomKills(String text) {
        return KeyedValues.get(text, "oom_kill", 0);
    }

    /** A limit as read back; 0 for "none" ({@code max} on v2, {@link #V1_UNLIMITED} or more on v1). */
    static long limit(String text) {
        String t = text.strip();
        if (t.equals("max")) return 0;
        long v = Long.parseLong(t);
        return v >= V1_UNLIMITED ? 0 : v;
    }

    /**
     * Usage as {@code docker stats} shows it: the charge minus the inactive page cache, which the kernel
     * reclaims before it would OOM ({@code total_inactive_file} on v1, {@code inactive_file} on v2).
     */
    static long workingSet(long usage, String memoryStat, boolean v2) {
        long inactive = KeyedValues.get(memoryStat, v2 ? "inactive_file" : "total_inactive_file", 0);
        return inactive < usage ? usage - inactive : usage;
    }
}

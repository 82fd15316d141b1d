package dev.enviro.runtime.cgroups;

import dev.enviro.persistence.Resources;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --cpus} (a CFS quota per {@value Resources#CPU_PERIOD_MICROS} µs period) and {@code --cpu-shares}.
 * v2 has no shares but a weight (1..10000, default 100); the conversion is the one crun and runc apply
 * (crun's man page, "CPU controller"): {@code weight = 1 + (shares - 2) × 9999 / 262142}, integer
 * arithmetic, mapping the shares range 2..262144 onto 1..10000 linearly (so 1024 shares is weight 39).
 */
public final class CpuController {
    static final String NAME = "cpu";

    private CpuController() {}

    public static long sharesToWeight(long shares) {
        if (shares == 0) return 0;
        long clamped = Math.min(262_144, Math.max(2, shares));
        return 1 + ((clamped - 2) * 9999) / 262_142;
    }

    public static List<ControlFile> v1(Resources r) {
        List<ControlFile> files = new ArrayList<>();
        if (r.nanoCpus() != 0) {
            files.add(new ControlFile(NAME, "cpu.cfs_period_us", Long.toString(Resources.CPU_PERIOD_MICROS)));
            files.add(new ControlFile(NAME, "cpu.cfs_quota_us", Long.toString(r.cpuQuotaMicros())));
        }
        if (r.cpuShares() != 0) files.add(new ControlFile(NAME, "cpu.shares", Long.toString(r.cpuShares())));
        return files;
    }

    public static List<ControlFile> v2(Resources r) {
        List<ControlFile> files = new ArrayList<>();
        if (r.nanoCpus() != 0) {
            files.add(new ControlFile(NAME, "cpu.max", r.cpuQuotaMicros() + " " + Resources.CPU_PERIOD_MICROS));
        }
        if (r.cpuShares() != 0) files.add(new ControlFile(NAME, "cpu.weight", Long.toString(sharesToWeight(r.cpuShares()))));
        return files;
    }

    /** CPU time used, in nanoseconds, from v2's {@code cpu.stat} ({@code usage_usec}). */
    static long v2UsageNanos(String cpuStat) {
        return KeyedValues.get(cpuStat, "usage_usec", 0) * 1000;
    }
}

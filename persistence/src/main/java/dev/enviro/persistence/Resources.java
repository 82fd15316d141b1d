package dev.enviro.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A container's resource limits, in Docker's units so that a Docker user's numbers mean the same here,
 * and the rules for them (parsing Docker's spellings, what is valid): one place for the CLI, the API
 * and the engine. {@code 0} (and {@code null}) means "not set": the container gets no limit of that kind.
 * The journal records them as they are (fields only).
 *
 * @param memoryBytes     hard memory limit ({@code --memory}); at least {@link #MIN_MEMORY}
 * @param memorySwapBytes memory plus swap ({@code --memory-swap}); {@code -1}: unlimited swap; unset with a
 *                        memory limit: twice the memory limit, as Docker and Podman do
 * @param nanoCpus        CPU time per wall-clock second in billionths of a CPU ({@code --cpus 1.5} = 1.5e9)
 * @param cpuShares       relative CPU weight ({@code --cpu-shares}, 2..262144, 1024 the default)
 * @param cpusetCpus      the CPUs allowed, in the kernel's list syntax ({@code 0-2,4}); null: all of the engine's
 * @param pidsLimit       the most tasks (processes and threads) at once; {@code -1}: unlimited
 * @param oomScoreAdj     written to {@code /proc/<pid>/oom_score_adj} (-1000..1000); null: the engine's own value
 */
public record Resources(
        long memoryBytes,
        long memorySwapBytes,
        long nanoCpus,
        long cpuShares,
        String cpusetCpus,
        long pidsLimit,
        Integer oomScoreAdj) {

    public static final Resources NONE = new Resources(0, 0, 0, 0, null, 0, null);
    /** Docker's floor: below it a container cannot even start its runtime's init. */
    public static final long MIN_MEMORY = 6L * 1024 * 1024;
    /** The CFS period Docker and Podman use for {@code --cpus}; quota = cpus × period. */
    public static final long CPU_PERIOD_MICROS = 100_000;

    private static final Pattern BYTES = Pattern.compile("([0-9]+)([bkmg]?)b?", Pattern.CASE_INSENSITIVE);
    private static final Pattern CPUS = Pattern.compile("[0-9]+(\\.[0-9]+)?|\\.[0-9]+");
    private static final Pattern CPU_LIST = Pattern.compile("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*");

    public Resources {
        cpusetCpus = cpusetCpus == null || cpusetCpus.isBlank() ? null : cpusetCpus.strip();
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() { return equals(NONE); }

    /** Null (an event written before limits existed) reads as {@link #NONE}. */
    public static Resources orNone(Resources limits) {
        return limits == null ? NONE : limits;
    }

    /** Whether any cgroup limit is set ({@link #oomScoreAdj} is not a cgroup setting). */
    public boolean limitsCgroups() {
        return memoryBytes != 0 || memorySwapBytes != 0 || nanoCpus != 0 || cpuShares != 0 || cpusetCpus != null || pidsLimit != 0;
    }

    /** The CFS quota for {@link #CPU_PERIOD_MICROS}; 0 when {@code --cpus} is unset. */
    public long cpuQuotaMicros() {
        return nanoCpus == 0 ? 0 : Math.max(1000, nanoCpus * CPU_PERIOD_MICROS / 1_000_000_000L);
    }

    /** These limits with every value {@code changes} sets replacing this one's ({@code enviro update}). */
    public Resources updatedBy(Resources changes) {
        return new Resources(
                changes.memoryBytes != 0 ? changes.memoryBytes : memoryBytes,
                changes.memorySwapBytes != 0 ? changes.memorySwapBytes : memorySwapBytes,
                changes.nanoCpus != 0 ? changes.nanoCpus : nanoCpus,
                changes.cpuShares != 0 ? changes.cpuShares : cpuShares,
                changes.cpusetCpus != null ? changes.cpusetCpus : cpusetCpus,
                changes.pidsLimit != 0 ? changes.pidsLimit : pidsLimit,
                changes.oomScoreAdj != null ? changes.oomScoreAdj : oomScoreAdj);
    }

    /**
     * The problems with these values, one line each, naming the flag ("--memory 4096: below the minimum
     * of 6MiB"); empty when valid. {@code cpus} is the number of CPUs on the host.
     */
    public List<String> problems(int cpus) {
        List<String> problems = new ArrayList<>();
        if (memoryBytes != 0 && memoryBytes < MIN_MEMORY) {
            problems.add("--memory " + memoryBytes + ": below the minimum of 6MiB (6m)");
        }
        if (memorySwapBytes != 0 && memorySwapBytes != -1) {
            if (memoryBytes == 0) problems.add("--memory-swap needs --memory: it limits memory plus swap");
            else if (memorySwapBytes < memoryBytes) problems.add("--memory-swap " + memorySwapBytes
                    + ": must be at least --memory " + memoryBytes + " (it counts memory plus swap), or -1 for unlimited swap");
        }
        if (memorySwapBytes < -1) problems.add("--memory-swap " + memorySwapBytes + ": use a size or -1 for unlimited");
        if (nanoCpus < 0 || nanoCpus > (long) cpus * 1_000_000_000L || (nanoCpus > 0 && nanoCpus < 10_000_000L)) {
            problems.add("--cpus " + formatCpus(nanoCpus) + ": the range on this host is 0.01 to " + cpus);
        }
        if (cpuShares != 0 && (cpuShares < 2 || cpuShares > 262_144)) {
            problems.add("--cpu-shares " + cpuShares + ": use 2 to 262144 (1024 is the default weight)");
        }
        if (cpusetCpus != null && !CPU_LIST.matcher(cpusetCpus).matches()) {
            problems.add("--cpuset-cpus " + dev.enviro.errors.Echo.of(cpusetCpus) + ": expected a CPU list such as 0-2,4");
        } else if (cpusetCpus != null) {
            for (String part : cpusetCpus.split(",")) {
                String[] ends = part.split("-");
                long first = parseCpu(ends[0]), last = parseCpu(ends[ends.length - 1]);
                if (first > last || last >= cpus) {
                    problems.add("--cpuset-cpus " + dev.enviro.errors.Echo.of(cpusetCpus) + ": " + part + " is not among this host's CPUs 0-" + (cpus - 1));
                    break;
                }
            }
        }
        if (pidsLimit < -1) problems.add("--pids-limit " + pidsLimit + ": use a positive number, or -1 for unlimited");
        if (oomScoreAdj != null && (oomScoreAdj < -1000 || oomScoreAdj > 1000)) {
            problems.add("--oom-score-adj " + oomScoreAdj + ": use -1000 to 1000");
        }
        return problems;
    }

    private static long parseCpu(String text) {
        return text.length() > 9 ? Long.MAX_VALUE : Long.parseLong(text);
    }

    /**
     * A size as Docker writes it: a number with an optional unit {@code b}, {@code k}, {@code m}, {@code g}
     * (powers of 1024, case-insensitive, an optional trailing {@code b}: {@code 512m}, {@code 1GB}).
     *
     * @throws IllegalArgumentException naming {@code flag} and the value
     */
    public static long parseBytes(String flag, String text) {
        var m = BYTES.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size for " + flag + ": '" + text + "': expected a number with an optional unit b, k, m or g (e.g. 512m)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n > (Long.MAX_VALUE >> shift)) throw new NumberFormatException();
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size for " + flag + ": '" + text + "' is too large");
        }
    }

    /** {@code --cpus}: a decimal number of CPUs ({@code 1.5}, {@code .5}), as billionths of a CPU. */
    public static long parseCpus(String text) {
        String t = text.strip();
        if (!CPUS.matcher(t).matches()) {
            throw new IllegalArgumentException("invalid value for --cpus: '" + text + "': expected a number of CPUs such as 1.5");
        }
        java.math.BigDecimal cpus = new java.math.BigDecimal(t);
        java.math.BigDecimal nanos = cpus.movePointRight(9);
        if (nanos.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0 || nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("invalid value for --cpus: '" + text + "': use at most 9 decimals");
        }
        return nanos.longValueExact();
    }

    public static String formatCpus(long nanoCpus) {
        return java.math.BigDecimal.valueOf(nanoCpus).movePointLeft(9).stripTrailingZeros().toPlainString();
    }
}

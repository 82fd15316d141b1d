package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.v1.Resources;
import picocli.CommandLine.Option;

/**
 * The resource flags of {@code run} and {@code update}, in Docker's spelling and units. Values are
 * parsed here, so a typo is one line naming the flag ({@code invalid size for --memory: '12q': ...})
 * before any call; ranges (which depend on the host) are the engine's to check.
 */
final class ResourceOptions {

    @Option(names = {"-m", "--memory"}, paramLabel = "BYTES", description = "Memory limit (e.g. 512m, 1g).") String memory;
    @Option(names = "--memory-swap", paramLabel = "BYTES",
            description = "Memory plus swap; -1 for unlimited swap (default: twice --memory).") String memorySwap;
    @Option(names = "--cpus", paramLabel = "N", description = "CPUs the container may use (e.g. 1.5).") String cpus;
    @Option(names = "--cpu-shares", paramLabel = "N", description = "Relative CPU weight (default 1024).") String cpuShares;
    @Option(names = "--cpuset-cpus", paramLabel = "LIST", description = "CPUs allowed (e.g. 0-2,4).") String cpusetCpus;
    @Option(names = "--pids-limit", paramLabel = "N", description = "Most processes and threads at once; -1 for unlimited.") String pidsLimit;

    /** {@code run} only: written to the container's /proc/<pid>/oom_score_adj before it starts. */
    static final class OomScore {
        @Option(names = "--oom-score-adj", paramLabel = "N", description = "The container's OOM score adjustment (-1000..1000).") String oomScoreAdj;
    }

    boolean isEmpty() {
        return memory == null && memorySwap == null && cpus == null && cpuShares == null && cpusetCpus == null && pidsLimit == null;
    }

    Resources toMessage(OomScore oom) {
        Resources.Builder b = Resources.newBuilder();
        try {
            if (memory != null) b.setMemoryBytes(dev.enviro.persistence.Resources.parseBytes("--memory", memory));
            if (memorySwap != null) {
                b.setMemorySwapBytes(memorySwap.strip().equals("-1") ? -1 : dev.enviro.persistence.Resources.parseBytes("--memory-swap", memorySwap));
            }
            if (cpus != null) b.setNanoCpus(dev.enviro.persistence.Resources.parseCpus(cpus));
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        if (cpuShares != null) b.setCpuShares(integer("--cpu-shares", cpuShares));
        if (cpusetCpus != null) b.setCpusetCpus(cpusetCpus);
        if (pidsLimit != null) {
            long limit = integer("--pids-limit", pidsLimit);
            // Docker reads 0 as unlimited too; on the wire 0 means "unset", so unlimited travels as -1
            b.setPidsLimit(limit <= 0 ? -1 : limit);
        }
        if (oom != null && oom.oomScoreAdj != null) b.setOomScoreAdj((int) integer("--oom-score-adj", oom.oomScoreAdj));
        return b.build();
    }

    private static long integer(String flag, String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid value for " + flag + ": '" + text + "': expected a whole number");
        }
    }
}

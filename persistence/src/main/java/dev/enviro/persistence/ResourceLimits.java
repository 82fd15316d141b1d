package dev.enviro.persistence;

/**
 * A container's resource limits as the journal records them: plain values in Docker's units, 0 (or
 * null) for "not set". Journals written before limits existed replay with {@code null} in their
 * place, which reads as {@link #NONE}.
 *
 * @param memoryBytes     {@code --memory}
 * @param memorySwapBytes {@code --memory-swap}: memory plus swap, -1 unlimited
 * @param nanoCpus        {@code --cpus} × 10⁹
 * @param cpuShares       {@code --cpu-shares}
 * @param cpusetCpus      {@code --cpuset-cpus}, null when unset
 * @param pidsLimit       {@code --pids-limit}, -1 unlimited
 * @param oomScoreAdj     {@code --oom-score-adj}, null when unset
 */
public record ResourceLimits(
        long memoryBytes,
        long memorySwapBytes,
        long nanoCpus,
        long cpuShares,
        String cpusetCpus,
        long pidsLimit,
        Integer oomScoreAdj) {

    public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0, 0, null, 0, null);

    public static ResourceLimits orNone(ResourceLimits limits) {
        return limits == null ? NONE : limits;
    }
}

package dev.enviro.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * The wall times one variant took, in nanoseconds. Medians and nearest-rank percentiles rather than
 * means: a run of container starts has a long right tail (page cache, scheduler, writeback) that a
 * mean lets a single outlier dominate.
 */
public final class Latencies {

    private final long[] sorted;

    private Latencies(long[] sorted) {
        this.sorted = sorted;
    }

    public static Latencies of(Collection<Long> nanos) {
        long[] values = nanos.stream().mapToLong(Long::longValue).toArray();
        for (long v : values) {
            if (v < 0) throw new IllegalArgumentException("a wall time cannot be negative: " + v);
        }
        Arrays.sort(values);
        return new Latencies(values);
    }

    public int count() {
        return sorted.length;
    }

    /** The middle sample; for an even count, the mean of the two middle samples. */
    public long medianNanos() {
        requireSamples();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : sorted[n / 2 - 1] + (sorted[n / 2] - sorted[n / 2 - 1]) / 2;
    }

    /**
     * The nearest-rank percentile: the smallest sample with at least {@code percent}% of the samples
     * at or below it. Always an observed value, never an interpolation between two.
     */
    public long percentileNanos(double percent) {
        if (!(percent > 0 && percent <= 100)) throw new IllegalArgumentException("a percentile lies in (0, 100]: " + percent);
        requireSamples();
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    private void requireSamples() {
        if (sorted.length == 0) throw new IllegalStateException("no samples were recorded");
    }
}

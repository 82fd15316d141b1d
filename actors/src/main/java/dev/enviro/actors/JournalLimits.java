package dev.enviro.actors;

import dev.enviro.persistence.ResourceLimits;
import dev.enviro.runtime.Resources;

/** Limits between the journal's plain record and the runtime's: the journal never holds runtime types. */
final class JournalLimits {
    private JournalLimits() {}

    static ResourceLimits of(Resources r) {
        return new ResourceLimits(r.memoryBytes(), r.memorySwapBytes(), r.nanoCpus(), r.cpuShares(), r.cpusetCpus(),
                r.pidsLimit(), r.oomScoreAdj());
    }

    static Resources resources(ResourceLimits l) {
        ResourceLimits r = ResourceLimits.orNone(l);
        return new Resources(r.memoryBytes(), r.memorySwapBytes(), r.nanoCpus(), r.cpuShares(), r.cpusetCpus(),
                r.pidsLimit(), r.oomScoreAdj());
    }
}

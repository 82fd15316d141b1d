package dev.enviro.ffm;

import java.util.ArrayList;
import java.util.List;

/**
 * The five capability sets of a process, as bit masks over {@link Capability#bit()}. The C helper sets
 * them exactly: bounding by PR_CAPBSET_DROP, effective/permitted/inheritable by capset(2), ambient by
 * PR_CAP_AMBIENT (cleared, then raised one by one).
 */
public record CapabilitySets(long bounding, long effective, long permitted, long inheritable, long ambient) {

    public CapabilitySets {
        // the kernel refuses these combinations; refusing them here names the mistake
        if ((effective & ~permitted) != 0) throw new IllegalArgumentException("effective capabilities outside the permitted set");
        if ((permitted & ~bounding) != 0 && permitted != 0) throw new IllegalArgumentException("permitted capabilities outside the bounding set");
        if ((ambient & ~(permitted & inheritable)) != 0) throw new IllegalArgumentException("ambient capabilities must be permitted and inheritable");
    }

    public static long mask(Iterable<Capability> caps) {
        long m = 0;
        for (Capability c : caps) m |= c.bit();
        return m;
    }

    public static List<Capability> list(long mask) {
        List<Capability> caps = new ArrayList<>();
        for (Capability c : Capability.values()) if ((mask & c.bit()) != 0) caps.add(c);
        return caps;
    }
}

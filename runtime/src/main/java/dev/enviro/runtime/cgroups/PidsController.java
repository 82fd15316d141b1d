package dev.enviro.runtime.cgroups;

import dev.enviro.persistence.Resources;
import java.util.List;

/** {@code --pids-limit}: the same file on v1 and v2; {@code -1} writes {@code max}. */
public final class PidsController {
    static final String NAME = "pids";

    private PidsController() {}

    public static List<ControlFile> v1(Resources r) {
        if (r.pidsLimit() == 0) return List.of();
        return List.of(new ControlFile(NAME, "pids.max", r.pidsLimit() == -1 ? "max" : Long.toString(r.pidsLimit())));
    }

    public static List<ControlFile> v2(Resources r) {
        return v1(r);
    }

    /** {@code pids.max} read back; 0 for {@code max}. */
    static long limit(String text) {
        String t = text.strip();
        return t.equals("max") ? 0 : Long.parseLong(t);
    }
}

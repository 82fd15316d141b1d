package dev.enviro.runtime.cgroups;

/**
 * {@code pause}/{@code unpause}. v1: the freezer hierarchy's {@code freezer.state} ({@code FROZEN},
 * {@code THAWED}; it reads {@code FREEZING} until every task has stopped). v2: the core file
 * {@code cgroup.freeze} ({@code 1}/{@code 0}; {@code cgroup.events} says {@code frozen 1} once done).
 */
public final class FreezerController {
    static final String NAME = "freezer";

    private FreezerController() {}

    public static ControlFile v1(boolean frozen) {
        return new ControlFile(NAME, "freezer.state", frozen ? "FROZEN" : "THAWED");
    }

    public static ControlFile v2(boolean frozen) {
        return new ControlFile(null, "cgroup.freeze", frozen ? "1" : "0");
    }

    static boolean v1Settled(String state, boolean frozen) {
        return state.strip().equals(frozen ? "FROZEN" : "THAWED");
    }

    static boolean v2Settled(String events, boolean frozen) {
        return KeyedValues.get(events, "frozen", frozen ? 0 : 1) == (frozen ? 1 : 0);
    }
}

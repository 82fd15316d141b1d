package dev.enviro.actors;

/**
 * A test hook for crash-recovery tests: with {@code -Denviro.test.haltAfter=<step>} the engine halts
 * (as a SIGKILL would, no shutdown hooks, exit 137) right after reaching that step of a start:
 * {@code created} (Created journaled), {@code prepared} (rootfs prepared, Prepared journaled),
 * {@code helper-spawned} (the container exec'd, Started not yet journaled), {@code started}
 * (Started journaled). Off unless the property is set.
 */
final class CrashPoint {

    static final String PROPERTY = "enviro.test.haltAfter";
    private static final String HALT_AFTER = System.getProperty(PROPERTY);

    /**
     * With {@code -Denviro.test.throwOnSignal=<n>}, a running container's actor throws when asked to send
     * signal n: a supervision test (the actor is restarted from its journal; the container must not be
     * lost, duplicated or orphaned). Off unless set.
     */
    static final String THROW_PROPERTY = "enviro.test.throwOnSignal";
    private static final Integer THROW_ON_SIGNAL = Integer.getInteger(THROW_PROPERTY);

    private CrashPoint() {}

    static boolean throwsOnSignal(int signal) {
        return THROW_ON_SIGNAL != null && THROW_ON_SIGNAL == signal;
    }

    static void reached(String step) {
        if (step.equals(HALT_AFTER)) {
            System.err.println("enviro: " + PROPERTY + "=" + step + ": halting");
            Runtime.getRuntime().halt(137);
        }
    }
}

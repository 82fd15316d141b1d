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

    private CrashPoint() {}

    static void reached(String step) {
        if (step.equals(HALT_AFTER)) {
            System.err.println("enviro: " + PROPERTY + "=" + step + ": halting");
            Runtime.getRuntime().halt(137);
        }
    }
}

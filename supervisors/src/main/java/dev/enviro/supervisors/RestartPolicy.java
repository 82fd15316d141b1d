package dev.enviro.supervisors;

import java.time.Duration;

/**
 * When a container that exited is started again, with Docker's semantics:
 * <ul>
 *   <li>{@code no}: never;</li>
 *   <li>{@code on-failure[:N]}: after a non-zero exit, at most N times (unbounded without N);</li>
 *   <li>{@code always}: after any exit, unless a user stopped it; on engine start even then;</li>
 *   <li>{@code unless-stopped}: as {@code always}, but a user's stop also holds across engine starts.</li>
 * </ul>
 * Delays grow exponentially ({@link #delay}): 100 ms, doubling, capped at one minute; a run that
 * lasted at least {@link #STABLE_RUN} resets them to 100 ms (Docker does the same).
 */
public record RestartPolicy(Mode mode, int maxRetries) {

    public enum Mode { NO, ON_FAILURE, ALWAYS, UNLESS_STOPPED }

    public static final RestartPolicy NO = new RestartPolicy(Mode.NO, 0);
    public static final Duration INITIAL_DELAY = Duration.ofMillis(100);
    public static final Duration MAX_DELAY = Duration.ofMinutes(1);
    public static final Duration STABLE_RUN = Duration.ofSeconds(10);

    public RestartPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("the maximum retry count must not be negative: " + maxRetries);
        }
        if (maxRetries > 0 && mode != Mode.ON_FAILURE) {
            throw new IllegalArgumentException("only on-failure takes a maximum retry count");
        }
    }

    /** Parses what a user writes after {@code --restart}; null or empty is {@code no}. */
    public static RestartPolicy parse(String text) {
        if (text == null || text.isBlank() || text.equals("no")) {
            return NO;
        }
        String[] parts = text.split(":", 2);
        Mode mode = switch (parts[0]) {
            case "on-failure" -> Mode.ON_FAILURE;
            case "always" -> Mode.ALWAYS;
            case "unless-stopped" -> Mode.UNLESS_STOPPED;
            default -> throw new IllegalArgumentException("invalid restart policy '" + text
                    + "': use no, on-failure[:N], always or unless-stopped");
        };
        if (parts.length == 1) {
            return new RestartPolicy(mode, 0);
        }
        if (mode != Mode.ON_FAILURE) {
            throw new IllegalArgumentException("invalid restart policy '" + text + "': only on-failure takes a count");
        }
        try {
            return new RestartPolicy(mode, Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid restart policy '" + text + "': the count must be a number");
        }
    }

    /**
     * After an exit the engine saw: restart? {@code restartsSoFar} counts restarts since the user's last
     * start; {@code stoppedByUser}: a stop or kill preceded this exit.
     */
    public boolean restartsAfterExit(int exitCode, boolean stoppedByUser, int restartsSoFar) {
        return switch (mode) {
            case NO -> false;
            case ON_FAILURE -> !stoppedByUser && exitCode != 0 && (maxRetries == 0 || restartsSoFar < maxRetries);
            case ALWAYS, UNLESS_STOPPED -> !stoppedByUser;
        };
    }

    /** At engine start, for a container that had been started before and is not running now. */
    public boolean startsWithEngine(boolean stoppedByUser) {
        return mode == Mode.ALWAYS || (mode == Mode.UNLESS_STOPPED && !stoppedByUser);
    }

    /** The delay before the next restart, given the previous one (0: none yet) and how long the last run lasted. */
    public static Duration delay(Duration previous, Duration lastRun) {
        if (previous.isZero() || lastRun.compareTo(STABLE_RUN) >= 0) {
            return INITIAL_DELAY;
        }
        Duration doubled = previous.multipliedBy(2);
        return doubled.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : doubled;
    }

    @Override
    public String toString() {
        return switch (mode) {
            case NO -> "no";
            case ON_FAILURE -> maxRetries == 0 ? "on-failure" : "on-failure:" + maxRetries;
            case ALWAYS -> "always";
            case UNLESS_STOPPED -> "unless-stopped";
        };
    }
}

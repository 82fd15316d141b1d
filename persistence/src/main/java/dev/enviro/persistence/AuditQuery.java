package dev.enviro.persistence;

import java.time.Instant;
import java.util.Set;

/**
 * Which events {@link AuditLog#events} serves. Null bounds and empty sets mean "any".
 *
 * @param since       events at or after this time
 * @param until       events at or before this time; with {@code follow}, the stream also ends then
 * @param subjects    container ids or image references (exact)
 * @param types       event types ({@code Exited}) or topics ({@code /tasks/exit})
 * @param follow      keep streaming new events as they are journaled
 * @param afterOffset start after this journal offset (0: from the beginning)
 */
public record AuditQuery(Instant since, Instant until, Set<String> subjects, Set<String> types, boolean follow,
                         long afterOffset) {

    public AuditQuery {
        subjects = subjects == null ? Set.of() : Set.copyOf(subjects);
        types = types == null ? Set.of() : Set.copyOf(types);
        if (since != null && until != null && until.isBefore(since)) {
            throw new IllegalArgumentException("until (" + until + ") is before since (" + since + ")");
        }
    }

    public static AuditQuery all() {
        return new AuditQuery(null, null, Set.of(), Set.of(), false, 0);
    }

    /** Pure: does {@code event} pass this query's filters (time, subject, type)? */
    public boolean matches(LifecycleEvent event) {
        if (since != null && event.timestamp().isBefore(since)) {
            return false;
        }
        if (until != null && event.timestamp().isAfter(until)) {
            return false;
        }
        if (!subjects.isEmpty() && !subjects.contains(event.subject())) {
            return false;
        }
        return types.isEmpty() || types.contains(event.type()) || types.contains(event.topic());
    }
}

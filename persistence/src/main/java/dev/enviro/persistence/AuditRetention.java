package dev.enviro.persistence;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends the audit trail of removed containers once the retention has passed: their events (and, by the
 * schema's cascade, their tags) and snapshots are deleted from the journal's tables. A container's id
 * is never reused, so nothing will write to its persistence id again; whole ids are deleted, which
 * Pekko's {@code deleteMessages} cannot do (it keeps the highest sequence number and leaves snapshots).
 *
 * <p>The age is the journal's own {@code write_timestamp} of the {@code Removed} event, found by its
 * serializer manifest (the event's class name), so the purge needs no deserialization and works the
 * same on H2 and PostgreSQL (quoted lower-case names are the same identifiers in both).
 */
public final class AuditRetention {

    /** The Jackson serializer's manifest of {@link ContainerEvent.Removed}: its class name. */
    static final String REMOVED_MANIFEST = ContainerEvent.Removed.class.getName();
    static final String CONTAINER_PREFIX = "container|";

    private AuditRetention() {}

    /**
     * Deletes the history of every container removed before {@code removedBefore}.
     *
     * @return the persistence ids whose history was deleted
     */
    public static List<String> purge(JournalSettings settings, Instant removedBefore) throws EnviroError {
        try (Connection connection = JournalProbe.connect(settings)) {
            List<String> expired = new ArrayList<>();
            try (PreparedStatement find = connection.prepareStatement("SELECT DISTINCT \"persistence_id\" FROM \"event_journal\" "
                    + "WHERE \"event_ser_manifest\" = ? AND \"write_timestamp\" < ? AND \"persistence_id\" LIKE ?")) {
                find.setString(1, REMOVED_MANIFEST);
                find.setLong(2, removedBefore.toEpochMilli());
                find.setString(3, CONTAINER_PREFIX + "%");
                try (ResultSet rs = find.executeQuery()) {
                    while (rs.next()) {
                        expired.add(rs.getString(1));
                    }
                }
            }
            connection.setAutoCommit(false);
            try (PreparedStatement events = connection.prepareStatement("DELETE FROM \"event_journal\" WHERE \"persistence_id\" = ?");
                 PreparedStatement snapshots = connection.prepareStatement("DELETE FROM \"snapshot\" WHERE \"persistence_id\" = ?")) {
                // One transaction per container: a purge interrupted half-way leaves whole histories, never half of one.
                for (String id : expired) {
                    events.setString(1, id);
                    events.executeUpdate();
                    snapshots.setString(1, id);
                    snapshots.executeUpdate();
                    connection.commit();
                }
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
            return expired;
        } catch (SQLException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot delete the audit history of removed containers from the journal at "
                    + settings.location() + ": " + JournalProbe.oneLine(e) + ": the next purge retries", e);
        }
    }
}

package dev.enviro.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * The journal plugin's own connection pool (one per journal: an H2 file must not be opened by two), for
 * what the engine does beside the plugin: the audit log's reads, a probe, and the renewal that lets an
 * embedded H2 journal come back after a full disk. H2 closes its database for good when a write fails
 * (MVStore's panic: "The database has been closed"), and the pool would hand out those dead connections
 * forever; new connections open the database anew, replaying its last complete chunk.
 */
public final class JournalPool {

    private final ActorSystem<?> system;

    public JournalPool(ActorSystem<?> system) {
        this.system = system;
    }

    private HikariCPJdbcDataSource source() {
        var database = ((SlickExtensionImpl) SlickExtension.get(system.classicSystem()))
                .database(system.classicSystem().settings().config().getConfig("jdbc-read-journal")).database();
        return (HikariCPJdbcDataSource) database.source();
    }

    /** A connection of the pool; the caller closes it (it returns to the pool). */
    public Connection connection() throws SQLException {
        return source().createConnection();
    }

    /** Empty when a pooled connection answers now; else why not, in one line. */
    public Optional<String> unanswered() {
        // a statement, not isValid(): H2's connections to a database it closed after a failed write still say they are valid
        try (Connection connection = connection(); var statement = connection.createStatement()) {
            statement.setQueryTimeout(JournalProbe.TIMEOUT_SECONDS);
            statement.execute("SELECT 1");
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(JournalProbe.oneLine(e));
        }
    }

    /**
     * Retires every connection the pool holds (those in use when they return): the next ones are new,
     * and a closed H2 database is opened again by them. Only where the disk has room again: H2 writes
     * when it opens and closes a database, and a write that fails may leave the file needing recovery.
     */
    public void renew() {
        source().ds().getHikariPoolMXBean().softEvictConnections();
    }
}

package dev.enviro.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;

/**
 * The Pekko configuration of the engine's journal: pekko-persistence-jdbc on an embedded H2 file
 * database in {@code <stateDir>/journal/}. Journal, snapshot store, read journal and durable state
 * share one connection pool (one H2 file must not be opened by competing pools).
 *
 * <p>PostgreSQL ({@link JournalSettings.Backend#POSTGRES}) is the same shape with another profile, URL,
 * pool and schema ({@code schema/postgres/postgres-create-schema.sql}).
 */
public final class JournalConfig {

    /** The name under {@code pekko-persistence-jdbc.shared-databases} every plugin uses. */
    static final String SHARED_DB = "enviro";
    static final String USER = "sa";
    static final String PASSWORD = "";

    private JournalConfig() {}

    /** The directory the H2 files live in ({@code journal/} in docs/contracts.md). */
    public static Path directory(Path stateDir) {
        return stateDir.toAbsolutePath().normalize().resolve("journal");
    }

    /**
     * The JDBC URL of the journal. H2 2.x wants an absolute file path; {@code DB_CLOSE_ON_EXIT=FALSE}
     * leaves closing to Pekko (the pool is closed when the ActorSystem terminates), not to H2's own
     * shutdown hook, which could close the database under a still-persisting actor. {@code WRITE_DELAY=0}:
     * H2 otherwise flushes commits to the file up to a second later, and an engine killed in that second
     * loses events it has already acted on (found by the kill -9 tests: a journaled Started vanished).
     */
    public static String h2Url(Path stateDir) {
        String file = directory(stateDir).resolve("enviro").toString();
        if (file.indexOf(';') >= 0) {
            throw new IllegalArgumentException("state directory " + stateDir
                    + " contains ';', which an H2 URL cannot hold: choose another --state-dir");
        }
        return "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    /** The configuration for an H2 file journal; put it in front of the application's own config. */
    public static Config h2(Path stateDir) {
        return of(JournalSettings.h2(stateDir));
    }

    /** The configuration for {@code settings}' journal; put it in front of the application's own config. */
    public static Config of(JournalSettings settings) {
        String db = "pekko-persistence-jdbc.shared-databases." + SHARED_DB;
        String pool = switch (settings.backend()) {
            case H2 -> """
                    profile = "slick.jdbc.H2Profile$"
                    db {
                      driver = "org.h2.Driver"
                      # H2 serializes writes to one file anyway; a few connections are plenty.
                      numThreads = 4
                      maxConnections = 4
                      minConnections = 1
                    }
                    """;
            case POSTGRES -> """
                    profile = "slick.jdbc.PostgresProfile$"
                    db {
                      driver = "org.postgresql.Driver"
                      numThreads = 8
                      maxConnections = 8
                      minConnections = 1
                      # A server that is down must fail a write in seconds, not the plugin's 3 minutes:
                      # the write fails, the actor restarts with back-off, the caller gets an answer.
                      connectionTimeout = 2000
                      validationTimeout = 1000
                    }
                    """;
        };
        return ConfigFactory.parseString("""
                pekko.persistence {
                  journal.plugin = "jdbc-journal"
                  snapshot-store.plugin = "jdbc-snapshot-store"
                  state.plugin = "jdbc-durable-state-store"
                }
                pekko-persistence-jdbc.shared-databases.%1$s {
                %2$s
                }
                jdbc-journal.use-shared-db = "%1$s"
                jdbc-snapshot-store.use-shared-db = "%1$s"
                jdbc-read-journal.use-shared-db = "%1$s"
                # How often a followed event stream polls the journal for new events.
                jdbc-read-journal.refresh-interval = 50ms
                # How often the read journal learns the journal's highest ordering: an event query waits
                # until it has caught up with the events written before it (the default, 1s, made
                # `enviro events --until now` take up to a second after any container change).
                jdbc-read-journal.journal-sequence-retrieval.query-delay = 50ms
                jdbc-durable-state-store.use-shared-db = "%1$s"
                # While the journal is down, writes fail fast (open breaker) instead of queueing on the pool;
                # a trial write every reset-timeout lets the engine notice by itself that it is back.
                jdbc-journal.circuit-breaker { max-failures = 5, call-timeout = 5s, reset-timeout = 2s }
                jdbc-snapshot-store.circuit-breaker { max-failures = 5, call-timeout = 5s, reset-timeout = 2s }
                """.formatted(SHARED_DB, pool))
                .withValue(db + ".db.url", ConfigValueFactory.fromAnyRef(settings.url()))
                .withValue(db + ".db.user", ConfigValueFactory.fromAnyRef(settings.user()))
                .withValue(db + ".db.password", ConfigValueFactory.fromAnyRef(settings.password()));
    }
}

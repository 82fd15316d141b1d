package dev.enviro.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * Is the journal reachable right now? One short-lived connection with a short timeout, so the engine
 * can tell a client "the journal is unavailable" at once instead of letting its call time out while
 * the actors' writes fail and they back off.
 */
public final class JournalProbe {

    /** Seconds a probe (and the schema set-up) may wait for the server. */
    static final int TIMEOUT_SECONDS = 2;

    private JournalProbe() {}

    /** Empty when the journal answers; else why not, in one line. */
    public static Optional<String> unreachable(JournalSettings settings) {
        try (Connection connection = connect(settings)) {
            return connection.isValid(TIMEOUT_SECONDS) ? Optional.empty() : Optional.of("the server did not answer");
        } catch (SQLException e) {
            return Optional.of(oneLine(e));
        }
    }

    static Connection connect(JournalSettings settings) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        properties.setProperty("password", settings.password());
        if (settings.backend() == JournalSettings.Backend.POSTGRES) {
            properties.setProperty("connectTimeout", Integer.toString(TIMEOUT_SECONDS));
            properties.setProperty("loginTimeout", Integer.toString(TIMEOUT_SECONDS));
            properties.setProperty("socketTimeout", Integer.toString(TIMEOUT_SECONDS * 5));
        }
        return DriverManager.getConnection(settings.url(), properties);
    }

    /** The driver's message without its stack of causes or line breaks. */
    static String oneLine(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}

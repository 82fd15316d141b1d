package dev.enviro.persistence;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.typesafe.config.Config;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Which journal the engine writes to: the embedded H2 file in the state directory (default), or a
 * PostgreSQL server. Read from the configuration's {@code enviro.journal} block (reference.conf of
 * this module: {@code backend}, {@code url}, {@code user}, {@code password}; each also settable by
 * an {@code ENVIRO_JOURNAL*} environment variable or a {@code -Denviro.journal.*} property).
 *
 * @param backend  H2 or POSTGRES
 * @param stateDir the engine's state directory (the H2 file lives in {@code journal/})
 * @param url      the JDBC URL: computed for H2, given for PostgreSQL
 * @param user     database user
 * @param password database password (never logged, never in an error)
 */
public record JournalSettings(Backend backend, Path stateDir, String url, String user, String password) {

    public enum Backend { H2, POSTGRES }

    public JournalSettings {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(url, "url");
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /** The embedded journal of {@code stateDir}. */
    public static JournalSettings h2(Path stateDir) {
        return new JournalSettings(Backend.H2, stateDir, JournalConfig.h2Url(stateDir), JournalConfig.USER,
                JournalConfig.PASSWORD);
    }

    /** A PostgreSQL journal at {@code url} ({@code jdbc:postgresql://host:port/db}). */
    public static JournalSettings postgres(Path stateDir, String url, String user, String password) {
        return new JournalSettings(Backend.POSTGRES, stateDir, url, user, password);
    }

    /** From the {@code enviro.journal} block of {@code config}; one-line errors name the setting to fix. */
    public static JournalSettings from(Config config, Path stateDir) throws EnviroError {
        Config journal = config.getConfig("enviro.journal");
        String backend = journal.getString("backend").strip().toLowerCase(Locale.ROOT);
        return switch (backend) {
            case "h2", "" -> h2(stateDir);
            case "postgres", "postgresql" -> {
                String url = journal.getString("url").strip();
                if (!url.startsWith("jdbc:postgresql:")) {
                    throw new EnviroError(ErrorCode.INTERNAL, "the PostgreSQL journal needs a URL like jdbc:postgresql://HOST:PORT/DB, got \""
                            + url + "\": set --journal-url, ENVIRO_JOURNAL_URL or enviro.journal.url");
                }
                yield postgres(stateDir, url, journal.getString("user"), journal.getString("password"));
            }
            default -> throw new EnviroError(ErrorCode.INTERNAL, "unknown journal back-end \"" + backend
                    + "\": choose h2 or postgres (--journal, ENVIRO_JOURNAL or enviro.journal.backend)");
        };
    }

    /** Where the journal is, for messages: the H2 directory, or the server without credentials. */
    public String location() {
        if (backend == Backend.H2) {
            return JournalConfig.directory(stateDir).toString();
        }
        String rest = url.substring("jdbc:".length());
        try {
            URI uri = URI.create(rest);
            // Parameters (which may carry a password) are left out.
            return "postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getPath();
        } catch (IllegalArgumentException e) {
            int query = rest.indexOf('?');
            return query < 0 ? rest : rest.substring(0, query);
        }
    }
}

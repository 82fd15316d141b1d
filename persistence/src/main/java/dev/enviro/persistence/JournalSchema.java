package dev.enviro.persistence;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Creates the journal's tables on first start, from the DDL that pekko-persistence-jdbc ships
 * ({@code schema/h2/h2-create-schema.sql} in its jar), so the tables always match the plugin's
 * version. Applying it again is a no-op: every statement is made {@code IF NOT EXISTS}.
 */
public final class JournalSchema {

    static final String H2_DDL = "schema/h2/h2-create-schema.sql";
    static final String POSTGRES_DDL = "schema/postgres/postgres-create-schema.sql";
    /** Serializes engines that set up one PostgreSQL journal at the same time (CREATE ... IF NOT EXISTS races). */
    private static final long POSTGRES_SCHEMA_LOCK = 0x656e7669726fL;
    /** H2's ErrorCode.DATABASE_ALREADY_OPEN_1: another process holds the file lock. */
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;

    /** The shipped script creates one index without IF NOT EXISTS; a second start would fail on it. */
    private static final Pattern CREATE_WITHOUT_GUARD =
            Pattern.compile("^CREATE (UNIQUE )?(INDEX|TABLE|SEQUENCE) (CONCURRENTLY )?(?!IF NOT EXISTS)", Pattern.CASE_INSENSITIVE);

    private JournalSchema() {}

    /** The tables of {@code settings}' journal, created if missing (H2: and its directory). */
    public static void ensure(JournalSettings settings) throws EnviroError {
        switch (settings.backend()) {
            case H2 -> ensureH2(settings.stateDir());
            case POSTGRES -> ensurePostgres(settings);
        }
    }

    /**
     * Applies the shipped PostgreSQL DDL, guarded, under an advisory lock so that two engines starting on
     * one server do not race on the same {@code CREATE}. Autocommit: {@code CREATE INDEX CONCURRENTLY}
     * refuses to run in a transaction.
     */
    static void ensurePostgres(JournalSettings settings) throws EnviroError {
        try (Connection connection = JournalProbe.connect(settings);
             Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + POSTGRES_SCHEMA_LOCK + ")");
            try {
                for (String ddl : statements(POSTGRES_DDL)) {
                    statement.execute(ddl);
                }
            } finally {
                statement.execute("SELECT pg_advisory_unlock(" + POSTGRES_SCHEMA_LOCK + ")");
            }
        } catch (SQLException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot set up the journal at " + settings.location() + ": "
                    + JournalProbe.oneLine(e) + ": check that the server runs and the user may create tables", e);
        }
    }

    /** Creates {@code <stateDir>/journal/} (0700: the journal is the audit log) and the tables in it. */
    public static void ensureH2(Path stateDir) throws EnviroError {
        Path dir = JournalConfig.directory(stateDir);
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot create the journal directory " + dir + ": " + e.getMessage()
                    + ": check that the state directory is writable", e);
        }
        String url = JournalConfig.h2Url(stateDir);
        try (Connection connection = DriverManager.getConnection(url, JournalConfig.USER, JournalConfig.PASSWORD);
             Statement statement = connection.createStatement()) {
            for (String ddl : statements(H2_DDL)) {
                statement.execute(ddl);
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
                throw new EnviroError(ErrorCode.INTERNAL, "the journal in " + dir
                        + " is locked by another process: stop the other engine using this state directory", e);
            }
            throw new EnviroError(ErrorCode.INTERNAL, "cannot create the journal schema in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The script's statements, each guarded by IF NOT EXISTS. */
    static List<String> statements(String resource) throws EnviroError {
        String script;
        try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new EnviroError(ErrorCode.INTERNAL, "the journal DDL " + resource
                        + " is missing from the classpath: pekko-persistence-jdbc is not on it");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot read the journal DDL " + resource + ": " + e.getMessage(), e);
        }
        List<String> statements = new ArrayList<>();
        for (String raw : script.split(";")) {
            String sql = raw.strip();
            if (sql.isEmpty()) {
                continue;
            }
            statements.add(CREATE_WITHOUT_GUARD.matcher(sql).replaceFirst("CREATE $1$2 $3IF NOT EXISTS "));
        }
        return statements;
    }
}

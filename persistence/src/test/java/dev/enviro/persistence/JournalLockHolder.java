package dev.enviro.persistence;

import java.sql.Connection;
import java.sql.DriverManager;

/** Run in a separate JVM by {@link JournalSchemaTest}: holds the journal open, as a second engine would, until stdin closes. */
public final class JournalLockHolder {
    public static void main(String[] args) throws Exception {
        try (Connection ignored = DriverManager.getConnection(args[0], JournalConfig.USER, JournalConfig.PASSWORD)) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to close our stdin (or to end us)
            }
        }
    }
}

package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.persistence.PostgresCluster;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, must show 5: the PostgreSQL journal through the CLI, on a private server this class starts
 * ({@code enviro daemon --journal postgres --journal-url ...}): the full lifecycle reads back after a
 * restart as on H2, and while the server is stopped state changes fail with one line and start
 * nothing, and the same daemon takes work again once the server is back.
 */
class PostgresJournalIT {

    private static PostgresCluster postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresCluster.create();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) postgres.close();
    }

    private static EngineFixture engineOnPostgres() throws Exception {
        return EngineFixture.root("--journal", "postgres", "--journal-url", postgres.newDatabase());
    }

    @Test
    void aFullLifecycleReadsBackInOrderAfterARestart() throws Exception {
        try (EngineFixture engine = engineOnPostgres()) {
            LifecycleIT.fullLifecycleReadsBackAfterARestart(engine);
            assertTrue(engine.daemonLog().contains("POSTGRES journal at postgresql://127.0.0.1:" + postgres.port()),
                    engine::daemonLog);
        }
    }

    @Test
    void whileTheJournalIsDownRunFailsInOneLineAndTheSameDaemonRecovers() throws Exception {
        try (EngineFixture engine = engineOnPostgres()) {
            engine.loadBusybox();
            Cli.Result before = engine.cli("run", "-d", "--name", "before", "localhost/busybox", "sleep", "1000");
            assertEquals(0, before.exitCode(), before::toString);

            postgres.stop();
            try {
                Thread.sleep(1200); // past the engine's probe interval
                Cli.Result down = engine.cli("run", "--name", "during", "localhost/busybox", "echo", "hello");
                assertTrue(down.exitCode() != 0, down::toString);
                String line = down.stderr().lines().findFirst().orElse("");
                assertTrue(line.startsWith("Error: the journal at postgresql://127.0.0.1:" + postgres.port() + "/")
                        && line.contains(" is unavailable: "), down::toString);
                assertTrue(down.stderr().contains("the engine retries by itself"), down::toString);
                assertEquals(1, down.stderr().lines().count(), down::toString);
                assertTrue(!down.stdout().contains("hello"), "nothing ran: " + down);
                // Reads are served from the actors.
                Cli.Result ps = engine.cli("ps", "-a");
                assertEquals(0, ps.exitCode(), ps::toString);
                assertTrue(ps.stdout().contains("before") && !ps.stdout().contains("during"), ps::toString);
            } finally {
                postgres.restart();
            }

            // The same daemon, not restarted, takes work again by itself.
            Cli.Result after = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            do {
                if (after != null) Thread.sleep(500);
                after = engine.cli("run", "--rm", "--name", "after", "localhost/busybox", "echo", "back");
            } while (after.exitCode() != 0 && System.nanoTime() < deadline);
            assertEquals(0, after.exitCode(), after + "\n" + engine.daemonLog());
            assertEquals("back", after.stdout().strip());
            Cli.Result ps = engine.cli("ps", "-a");
            assertTrue(ps.stdout().contains("before") && !ps.stdout().contains("during"), "the refused run left no container: " + ps);
        }
    }
}

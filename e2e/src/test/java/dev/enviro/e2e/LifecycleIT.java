package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, must show 1: a full lifecycle's events, in order and with their content, read back through
 * {@code enviro events} and {@code inspect --history} after an engine restart and after removal.
 */
class LifecycleIT {

    static List<String> topics(String eventsOutput) {
        return eventsOutput.lines().map(l -> l.split(" ")[1]).toList();
    }

    @Test
    void aFullLifecycleReadsBackInOrderAfterARestart() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            fullLifecycleReadsBackAfterARestart(engine);
        }
    }

    /** The case itself, for every journal back-end ({@link PostgresJournalIT} runs it on PostgreSQL). */
    static void fullLifecycleReadsBackAfterARestart(EngineFixture engine) throws Exception {
        {
            engine.loadBusybox();
            // As pid 1 the shell has no default SIGTERM action: it traps it, so the stop ends it with SIGTERM's code.
            Cli.Result run = engine.cli("run", "-d", "--name", "life", "localhost/busybox", "sh", "-c",
                    "trap 'exit 143' TERM; while true; do sleep 0.1; done");
            assertEquals(0, run.exitCode(), run::toString);
            String id = run.stdout().strip();
            Cli.Result stop = engine.cli("stop", "-t", "1", "life");
            assertEquals(0, stop.exitCode(), stop::toString);
            assertEquals(0, engine.cli("rm", "life").exitCode());

            engine.stopDaemon();
            engine.startDaemon();

            // Removed containers are named by their full id; the journal still has them.
            Cli.Result events = engine.cli("events", "--filter", "container=" + id);
            assertEquals(0, events.exitCode(), events::toString);
            assertEquals(List.of("/containers/create", "/tasks/create", "/tasks/start", "/tasks/stop", "/tasks/exit",
                    "/containers/delete"), topics(events.stdout()), events.stdout());
            List<String> lines = events.stdout().lines().toList();
            assertTrue(lines.get(0).contains("name=life") && lines.get(0).contains("image=localhost/busybox"), lines.get(0));
            assertTrue(lines.get(3).contains("signal=15"), lines.get(3));
            assertTrue(lines.get(4).contains("exitCode=143"), lines.get(4));
            assertTrue(lines.stream().allMatch(l -> l.contains(" " + id + " ") && l.contains("node=")), events.stdout());
            // The stop call caused Stopped and Exited: one correlation id; the run's start caused Prepared and Started.
            assertEquals(correlation(lines.get(3)), correlation(lines.get(4)));
            assertEquals(correlation(lines.get(1)), correlation(lines.get(2)));
            assertTrue(!correlation(lines.get(1)).equals(correlation(lines.get(3))));

            Cli.Result history = engine.cli("inspect", "--history", id);
            assertEquals(0, history.exitCode(), history::toString);
            assertEquals(events.stdout(), history.stdout());

            Cli.Result exits = engine.cli("events", "--filter", "container=" + id, "--filter", "type=Exited");
            assertEquals(List.of("/tasks/exit"), topics(exits.stdout()), exits.stdout());
            Cli.Result future = engine.cli("events", "--since", Instant.now().plusSeconds(60).toString());
            assertEquals("", future.stdout(), future::toString);
        }
    }

    @Test
    void followStreamsNewEventsUntilItsEnd() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            // history before the follow: as docker's, a follow without --since starts from now
            assertEquals(5, engine.cli("run", "--name", "before", "localhost/busybox", "sh", "-c", "exit 5").exitCode());
            // Ends by itself at --until: no process to clean up.
            String until = Instant.now().plusSeconds(12).toString();
            java.util.concurrent.CompletableFuture<Cli.Result> follower = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return engine.cli(40, "events", "--follow", "--until", until, "--filter", "type=/tasks/exit");
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            java.util.concurrent.CompletableFuture<Cli.Result> withHistory = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return engine.cli(40, "events", "--follow", "--since", "10m", "--until", until, "--filter", "type=/tasks/exit");
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Thread.sleep(3000);
            Cli.Result seven = engine.cli("run", "--name", "f", "localhost/busybox", "sh", "-c", "exit 7");
            assertEquals(7, seven.exitCode(), seven::toString);
            Cli.Result follow = follower.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0, follow.exitCode(), follow::toString);
            assertEquals(List.of("/tasks/exit"), topics(follow.stdout()), follow::toString);
            assertTrue(follow.stdout().contains("exitCode=7"), follow::toString);
            assertFalse(follow.stdout().contains("exitCode=5"), "no history without --since: " + follow);
            Cli.Result both = withHistory.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(List.of("/tasks/exit", "/tasks/exit"), topics(both.stdout()), "the history, then what came: " + both);
            assertTrue(both.stdout().lines().findFirst().orElseThrow().contains("exitCode=5"), both::toString);
        }
    }

    private static String correlation(String line) {
        int at = line.indexOf("correlation=") + "correlation=".length();
        return line.substring(at, line.indexOf(',', at));
    }
}

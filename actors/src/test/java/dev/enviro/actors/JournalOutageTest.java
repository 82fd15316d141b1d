package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.enviro.images.ImageStore;
import dev.enviro.persistence.PostgresCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL journal goes away under a running engine and comes back: state-changing calls fail
 * with one line naming the journal, nothing is started that the journal did not record, and the same
 * engine accepts work again by itself once the server is back.
 */
class JournalOutageTest {

    private static PostgresCluster postgres;

    @TempDir
    Path stateDir;

    private final ScriptedExecutor executor = new ScriptedExecutor();
    private Engine engine;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresCluster.create();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) postgres.close();
    }

    @AfterEach
    void shutdown() throws Exception {
        if (engine != null) engine.shutdown().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private void startEngine(Duration probeInterval) throws Exception {
        Path tar = java.nio.file.Files.createTempFile("busybox-oci", ".tar");
        try {
            Process p = new ProcessBuilder("../scripts/busybox-image.sh", tar.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertEquals(0, p.waitFor());
            ImageStore store = ImageStore.open(stateDir);
            store.load(tar);
            Config config = ConfigFactory.parseMap(Map.of(
                            "enviro.journal.backend", "postgres",
                            "enviro.journal.url", postgres.newDatabase(),
                            "enviro.journal.user", PostgresCluster.USER,
                            "enviro.engine.journal-probe-interval", probeInterval.toMillis() + "ms",
                            "enviro.engine.ask-timeout", "5s"))
                    .withFallback(ConfigFactory.parseResources("engine-test.conf")).withFallback(ConfigFactory.load());
            engine = EngineSystem.start(new EngineSettings(stateDir, executor, store, "test"), config);
        } finally {
            java.nio.file.Files.deleteIfExists(tar);
        }
    }

    private static ContainerDefinition request(String name) {
        return new ContainerDefinition(name, "localhost/busybox", null, List.of("sleep", "1000"), List.of(), null, null, null, false, null, null, null, null);
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static EnviroError failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
        return assertInstanceOf(EnviroError.class, e.getCause());
    }

    private void assertJournalUnavailable(EnviroError e) {
        assertEquals(ErrorCode.UNAVAILABLE, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith("the journal at postgresql://127.0.0.1:" + postgres.port() + "/"), e.getMessage());
        assertTrue(e.getMessage().contains(" is unavailable: ") && e.getMessage().contains("; the engine retries by itself"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    /** Recovers without a restart of the engine: polls the same engine until a create is accepted. */
    private ContainerView createOnceBack(String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return await(engine.create(request(name)));
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(250);
            }
        }
    }

    @Test
    void whileTheJournalIsDownChangesFailAtOnceAndTheEngineRecoversByItself() throws Exception {
        startEngine(Duration.ofSeconds(1));
        ContainerView web = await(engine.create(request("web")));
        await(engine.start("web"));

        postgres.stop();
        try {
            Thread.sleep(1100); // past the probe interval: the gate asks the server again
            long t0 = System.nanoTime();
            assertJournalUnavailable(failure(engine.create(request("db"))));
            assertJournalUnavailable(failure(engine.stop("web", Duration.ofSeconds(1))));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "refused at once, not by a timeout");
            // Reads need no journal: the actors hold their state.
            assertEquals(ContainerView.State.RUNNING, await(engine.inspect("web")).state());
        } finally {
            postgres.restart();
        }

        ContainerView db = createOnceBack("db");
        await(engine.start("db"));
        List<ContainerView> all = await(engine.list(true));
        assertEquals(List.of("db", "web"), all.stream().map(ContainerView::name).toList(), "each once, nothing else");
        assertEquals(Set.of(web.id(), db.id()), executor.alive, "only journaled containers ever ran");
    }

    /**
     * The journal goes away after the gate last saw it (a probe interval longer than the test): the write
     * itself fails, the registry is restarted with back-off by its supervisor, the caller is told the journal
     * is unavailable, and once the server is back the restarted registry recovers and accepts work.
     */
    @Test
    void aWriteThatFailsIsReportedAsTheJournalAndTheBackedOffActorsRecover() throws Exception {
        startEngine(Duration.ofHours(1));
        ContainerView web = await(engine.create(request("web")));
        await(engine.start("web"));

        postgres.stop();
        try {
            assertJournalUnavailable(failure(engine.create(request("db"))));
        } finally {
            postgres.restart();
        }

        ContainerView db = createOnceBack("db");
        Set<String> names = await(engine.list(true)).stream().map(ContainerView::name).collect(Collectors.toSet());
        assertEquals(Set.of("web", "db"), names, "the failed create left nothing behind");
        assertEquals(ContainerView.State.RUNNING, await(engine.inspect(web.id())).state(), "web was re-adopted");
        assertEquals(ContainerView.State.CREATED, await(engine.inspect(db.id())).state());
        assertEquals(Set.of(web.id()), executor.alive);
    }
}

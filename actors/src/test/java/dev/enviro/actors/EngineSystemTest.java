package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.enviro.images.ImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine as the API layer uses it, on the real H2 file journal in a temporary state directory:
 * what one engine recorded, the next engine on the same directory knows. {@link PostgresEngineSystemTest}
 * runs every case again on a PostgreSQL journal.
 */
class EngineSystemTest {

    /** The {@code enviro.journal} settings the engine is started with; H2 (the default) here. */
    com.typesafe.config.Config journal() throws Exception {
        return ConfigFactory.empty();
    }

    @TempDir
    Path stateDir;

    private final ScriptedExecutor executor = new ScriptedExecutor();
    private Engine engine;

    /** A real image in a real store: the engine refuses to create a container from an image it cannot resolve. */
    private static Path busybox;

    private ImageStore storeWithBusybox() throws Exception {
        synchronized (EngineSystemTest.class) {
            if (busybox == null) {
                Path tar = java.nio.file.Files.createTempFile("busybox-oci", ".tar");
                tar.toFile().deleteOnExit();
                Process p = new ProcessBuilder("../scripts/busybox-image.sh", tar.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor() != 0) throw new IllegalStateException("scripts/busybox-image.sh failed");
                busybox = tar;
            }
        }
        ImageStore store = ImageStore.open(stateDir);
        if (store.list().isEmpty()) store.load(busybox);
        return store;
    }

    private Engine startEngine() throws Exception {
        engine = EngineSystem.start(new EngineSettings(stateDir, executor, storeWithBusybox(), "test"),
                overrides.withFallback(journalConfig()).withFallback(ConfigFactory.parseResources("engine-test.conf")).withFallback(ConfigFactory.load()));
        return engine;
    }

    private com.typesafe.config.Config journalConfig;
    /** Settings a test changes (retention, snapshots), in front of everything else. */
    private com.typesafe.config.Config overrides = ConfigFactory.empty();

    /** Chosen once per test: a restarted engine must find the same journal. */
    private com.typesafe.config.Config journalConfig() throws Exception {
        if (journalConfig == null) {
            journalConfig = journal();
        }
        return journalConfig;
    }

    private void restartEngine() throws Exception {
        await(engine.shutdown());
        startEngine();
    }

    @AfterEach
    void shutdown() throws Exception {
        if (engine != null) {
            await(engine.shutdown());
        }
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static EnviroError failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
        return assertInstanceOf(EnviroError.class, e.getCause());
    }

    private static ContainerDefinition request(String name, boolean autoRemove) {
        return new ContainerDefinition(name, "localhost/busybox", null, List.of("sh", "-c", "exit 3"), List.of(), null, null, null, autoRemove, null, null, null, null);
    }

    @Test
    void aRemovedContainersHistoryStaysUntilTheAuditRetentionPassesThenIsDeleted() throws Exception {
        Duration retention = Duration.ofSeconds(3);
        overrides = ConfigFactory.parseMap(java.util.Map.of("enviro.audit.retention", "3s",
                "enviro.audit.purge-interval", "200ms", "enviro.snapshots.every", 2));
        startEngine();
        ContainerView gone = await(engine.create(request("gone", false)));
        await(engine.start("gone"));
        CompletionStage<ContainerView> exit = engine.awaitExit("gone");
        executor.exit(gone.id(), 3);
        await(exit);
        ContainerView kept = await(engine.create(request("kept", false)));
        java.time.Instant beforeRemove = java.time.Instant.now();
        await(engine.remove("gone", false));

        // Created, Prepared, Started, Exited, Removed: still queryable while the retention runs.
        assertEquals(5, await(engine.history(gone.id())).size());
        assertTrue(java.time.Instant.now().isBefore(beforeRemove.plus(retention)), "checked within the retention");
        assertEquals(2, snapshotRows(gone.id()), "snapshots after events 2 and 4 (every = 2)");

        assertTrue(awaitTrue(() -> {
                    try {
                        await(engine.history(gone.id()));
                        return false;
                    } catch (ExecutionException e) {
                        return e.getCause() instanceof EnviroError x && x.is(ErrorCode.NOT_FOUND);
                    }
                }),
                "the history is deleted once the retention has passed");
        assertFalse(java.time.Instant.now().isBefore(beforeRemove.plus(retention)), "not before the retention passed");
        assertEquals(0, snapshotRows(gone.id()), "its snapshots went with it");
        assertEquals(1, await(engine.history(kept.id())).size(), "a container not removed keeps its history");
        assertEquals(0, await(engine.events(new dev.enviro.persistence.AuditQuery(null, null,
                java.util.Set.of(gone.id()), java.util.Set.of(), false, 0))).count(), "nor is it in the event log");
    }

    private int snapshotRows(String containerId) throws Exception {
        dev.enviro.persistence.JournalSettings journal = dev.enviro.persistence.JournalSettings.from(
                journalConfig().withFallback(ConfigFactory.load()), stateDir);
        try (var c = java.sql.DriverManager.getConnection(journal.url(), journal.user(), journal.password());
             var q = c.prepareStatement("SELECT COUNT(*) FROM \"snapshot\" WHERE \"persistence_id\" = ?")) {
            q.setString(1, ContainerActor.persistenceId(containerId).id());
            try (var rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void containersAndTheirExitCodesSurviveAnEngineRestart() throws Exception {
        startEngine();
        assertEquals(journalConfig().isEmpty(), Files.exists(stateDir.resolve("journal/enviro.mv.db")),
                "the journal is an H2 file in journal/, unless PostgreSQL was chosen");
        ContainerView web = await(engine.create(request("web", false)));
        await(engine.start("web"));
        CompletionStage<ContainerView> exit = engine.awaitExit(web.id());
        executor.exit(web.id(), 3);
        assertEquals(3, await(exit).exitCode());
        ContainerView db = await(engine.create(request("db", false)));

        restartEngine();

        List<ContainerView> all = await(engine.list(true));
        assertEquals(List.of("db", "web"), all.stream().map(ContainerView::name).toList(), "newest first");
        assertEquals(ContainerView.State.CREATED, all.get(0).state());
        assertEquals(ContainerView.State.EXITED, all.get(1).state());
        assertEquals(3, all.get(1).exitCode());
        assertEquals(List.of(), await(engine.list(false)), "nothing runs");
        assertEquals(db.id(), await(engine.inspect(db.id().substring(0, 8))).id());
        assertEquals(web.createdAt(), await(engine.inspect("web")).createdAt());
    }

    @Test
    void aRunningContainerIsReadoptedByTheNextEngineWithoutBeingAskedFor() throws Exception {
        startEngine();
        ContainerView web = await(engine.create(request("web", false)));
        int pid = await(engine.start(web.id())).pid();

        restartEngine();

        // The registry wakes every known container at start: adoption happens before any request.
        assertTrue(awaitTrue(() -> executor.adopted.contains(web.id())), "re-adopted at engine start");
        ContainerView running = await(engine.list(false)).getFirst();
        assertEquals(ContainerView.State.RUNNING, running.state());
        assertEquals(pid, running.pid());
        CompletionStage<ContainerView> exit = engine.awaitExit("web");
        executor.exit(web.id(), 0);
        assertEquals(0, await(exit).exitCode());
    }

    @Test
    void anExitWhileNoEngineRanIsRecordedByTheNextOne() throws Exception {
        startEngine();
        ContainerView web = await(engine.create(request("web", false)));
        await(engine.start("web"));
        await(engine.shutdown());
        executor.exit(web.id(), 9);

        startEngine();

        assertEquals(9, await(engine.awaitExit("web")).exitCode());
    }

    @Test
    void namesAreUniqueUntilRemovedAndRemovalSurvivesARestart() throws Exception {
        startEngine();
        ContainerView first = await(engine.create(request("web", false)));

        EnviroError duplicate = failure(engine.create(request("web", false)));
        assertEquals(ErrorCode.ALREADY_EXISTS, duplicate.code());
        assertEquals("container name \"web\" is already in use by " + first.id().substring(0, 12)
                + ": remove it or choose another name", duplicate.getMessage());

        assertEquals(ContainerView.State.REMOVED, await(engine.remove("web", false)).state());
        assertEquals(List.of(first.id()), executor.cleanedUp);
        assertEquals(ErrorCode.NOT_FOUND, failure(engine.inspect("web")).code());
        ContainerView second = await(engine.create(request("web", false)));

        restartEngine();

        List<ContainerView> all = await(engine.list(true));
        assertEquals(List.of(second.id()), all.stream().map(ContainerView::id).toList());
    }

    @Test
    void autoRemovedContainersDisappearAfterTheirExit() throws Exception {
        startEngine();
        ContainerView tmp = await(engine.create(request(null, true)));
        assertTrue(tmp.name().matches("[a-z]+_[a-z]+\\d*"), "a generated name: " + tmp.name());
        CompletionStage<ContainerView> exit = engine.awaitExit(tmp.id());
        await(engine.start(tmp.id()));
        executor.exit(tmp.id(), 0);
        assertEquals(0, await(exit).exitCode());

        assertTrue(awaitTrue(() -> await(engine.list(true)).isEmpty()), "removed after exit");
        assertEquals(List.of(tmp.id()), executor.cleanedUp);
    }

    @Test
    void aStartFailureReachesTheCallerWithItsCode() throws Exception {
        startEngine();
        await(engine.create(request("web", false)));
        executor.failExecute = new EnviroError(
                ErrorCode.COMMAND_NOT_FOUND,
                "exec: \"nope\": executable file not found in $PATH");

        EnviroError e = failure(engine.start("web"));

        assertEquals(ErrorCode.COMMAND_NOT_FOUND, e.code());
        assertEquals(127, e.exitCode());
        assertEquals(127, await(engine.inspect("web")).exitCode());
    }

    @Test
    void stopAnswersWithTheExitAndUnknownContainersAreNotFound() throws Exception {
        startEngine();
        await(engine.create(request("web", false)));
        await(engine.start("web"));

        ContainerView stopped = await(engine.stop("web", Duration.ofSeconds(5)));

        assertEquals(143, stopped.exitCode());
        assertEquals(Path.of("/state/containers", stopped.id(), "ctr.log"), await(engine.logPath("web")));
        EnviroError missing = failure(engine.stop("nope", Duration.ofSeconds(1)));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertEquals("no such container: nope", missing.getMessage());
    }

    @Test
    void imageCallsAreAnsweredFromTheStoreAndFailAsEngineExceptions() throws Exception {
        startEngine();
        assertEquals(List.of("localhost/busybox:latest"), await(engine.listImages()).getFirst().names());
        EnviroError e = failure(engine.loadImage(stateDir.resolve("no-such-archive.tar")));
        assertFalse(e.getMessage().isBlank());
        EnviroError unknown = failure(engine.create(new ContainerDefinition(null, "localhost/nope", null, List.of("true"), List.of(), null, null, null, false, null, null, null, null)));
        assertEquals(ErrorCode.NOT_FOUND, unknown.code());
        assertEquals(List.of(), await(engine.list(true)), "an unknown image creates nothing");
    }

    @Test
    void imageLoadsAndRemovalsAreJournaledWithTheCallersCorrelationId() throws Exception {
        startEngine();
        String imageId = await(engine.listImages()).getFirst().id();
        ScopedValue.where(Correlation.ID, "load-call").call(() -> await(engine.loadImage(busybox)));
        ScopedValue.where(Correlation.ID, "rmi-call").call(() -> await(engine.removeImage("localhost/busybox", false)));

        List<dev.enviro.persistence.LifecycleEvent> events = await(engine.events(new dev.enviro.persistence.AuditQuery(
                null, null, java.util.Set.of(), java.util.Set.of("Loaded", "Removed"), false, 0)))
                .map(dev.enviro.persistence.AuditRecord::event).toList();
        assertEquals(List.of("Loaded", "Removed", "Removed"), events.stream().map(e -> e.type()).toList(), events.toString());
        assertEquals(List.of("localhost/busybox:latest", "localhost/busybox:latest", imageId),
                events.stream().map(e -> e.subject()).toList(), "the name untagged, then the image deleted");
        assertEquals(List.of("load-call", "rmi-call", "rmi-call"),
                events.stream().map(e -> e.origin().correlationId()).toList());
        assertEquals("/images/load", events.getFirst().topic());
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static boolean awaitTrue(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (check.holds()) {
                return true;
            }
            Thread.sleep(20);
        }
        return check.holds();
    }
}

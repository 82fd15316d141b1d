package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.enviro.images.ImageStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Services on the real H2 journal with the scripted executor: replicas kept running, healed, scaled, removed. */
class ServiceTest {

    @TempDir
    Path stateDir;

    private final ScriptedExecutor executor = new ScriptedExecutor();
    private Engine engine;

    private void startEngine() throws Exception {
        Path tar = java.nio.file.Files.createTempFile("busybox-oci", ".tar");
        try {
            Process p = new ProcessBuilder("../scripts/busybox-image.sh", tar.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertEquals(0, p.waitFor());
            ImageStore store = ImageStore.open(stateDir);
            if (store.list().isEmpty()) store.load(tar);
            engine = EngineSystem.start(new EngineSettings(stateDir, executor, store, "test"),
                    ConfigFactory.parseMap(Map.of("enviro.engine.service-reconcile-interval", "200ms"))
                            .withFallback(ConfigFactory.parseResources("engine-test.conf")).withFallback(ConfigFactory.load()));
        } finally {
            java.nio.file.Files.deleteIfExists(tar);
        }
    }

    @AfterEach
    void shutdown() throws Exception {
        if (engine != null) await(engine.shutdown());
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private List<String> running() throws Exception {
        return await(engine.list(false)).stream().map(ContainerView::name).sorted().toList();
    }

    private void awaitRunning(List<String> names) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        // a scale-down stops a replica, then removes it: both must have happened
        while ((!running().equals(names) || await(engine.list(true)).size() != names.size()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(names, running());
        assertEquals(names.size(), await(engine.list(true)).size(), "no exited or leftover replicas: " + await(engine.list(true)));
    }

    @Test
    void aServiceKeepsItsReplicasRunningThroughExitsScalingAndAnEngineRestart() throws Exception {
        startEngine();
        ServiceView web = await(engine.createService("web", "localhost/busybox", List.of("sleep", "1000"), 3));
        assertEquals(3, web.replicas());
        awaitRunning(List.of("web.1", "web.2", "web.3"));

        String second = await(engine.inspect("web.2")).id();
        executor.exit(second, 137);
        long t0 = System.nanoTime();
        awaitRunning(List.of("web.1", "web.2", "web.3"));
        assertNotEquals(second, await(engine.inspect("web.2")).id(), "a new container replaced the exited one");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));

        await(engine.scaleService("web", 5));
        awaitRunning(List.of("web.1", "web.2", "web.3", "web.4", "web.5"));
        await(engine.scaleService("web", 1));
        awaitRunning(List.of("web.1"));

        String first = await(engine.inspect("web.1")).id();
        await(engine.shutdown());
        startEngine();
        assertEquals(List.of("web"), await(engine.listServices()).stream().map(ServiceView::name).toList());
        assertEquals(1, await(engine.listServices()).getFirst().replicas());
        awaitRunning(List.of("web.1"));
        assertEquals(first, await(engine.inspect("web.1")).id(), "the running replica was re-adopted, not replaced");

        await(engine.removeService("web"));
        assertEquals(List.of(), await(engine.list(true)));
        assertEquals(List.of(), await(engine.listServices()));
        ExecutionException gone = assertThrows(ExecutionException.class, () -> await(engine.scaleService("web", 2)));
        assertEquals(ErrorCode.NOT_FOUND, assertInstanceOf(EnviroError.class, gone.getCause()).code());
    }

    @Test
    void namesAreCheckedAndUnique() throws Exception {
        startEngine();
        await(engine.createService("api", "localhost/busybox", List.of("sleep", "1000"), 0));
        ExecutionException twice = assertThrows(ExecutionException.class,
                () -> await(engine.createService("api", "localhost/busybox", List.of(), 1)));
        assertEquals(ErrorCode.ALREADY_EXISTS, assertInstanceOf(EnviroError.class, twice.getCause()).code());
        ExecutionException dotted = assertThrows(ExecutionException.class,
                () -> await(engine.createService("a.b", "localhost/busybox", List.of(), 1)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertInstanceOf(EnviroError.class, dotted.getCause()).code());
        ExecutionException noImage = assertThrows(ExecutionException.class,
                () -> await(engine.createService("x", "localhost/nope", List.of(), 1)));
        assertEquals(ErrorCode.NOT_FOUND, assertInstanceOf(EnviroError.class, noImage.getCause()).code());
        assertEquals(List.of("api"), await(engine.listServices()).stream().map(ServiceView::name).toList());
    }
}

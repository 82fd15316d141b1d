package dev.enviro.actors;

import dev.enviro.persistence.ContainerDefinition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.enviro.persistence.ContainerEvent;
import dev.enviro.runtime.ContainerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Restart policies, stop semantics, correlation ids and interrupted-start recovery of the container actor. */
class RestartPolicyActorTest {

    private static final ActorTestKit testKit = ActorTestKit.create("restart-policy-test",
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseResources("engine-test.conf")));

    private ScriptedExecutor executor;
    private String id;
    private EventSourcedBehaviorTestKit<ContainerActor.Command, ContainerEvent, ContainerState> container;

    @BeforeEach
    void spawn() {
        executor = new ScriptedExecutor();
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        id = HexFormat.of().formatHex(bytes);
        TestProbe<EngineRegistry.ContainerRemoved> registry = testKit.createTestProbe();
        container = EventSourcedBehaviorTestKit.create(testKit.system(),
                ContainerActor.create(id, executor, registry.ref(), "node-a"),
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyCommands(false).withVerifyState(false));
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private void create(String policy) {
        container.<StatusReply<ContainerView>>runCommand(replyTo -> new ContainerActor.Correlated("call-create",
                new ContainerActor.Create("web", new ContainerDefinition("web", "localhost/busybox", null, List.of("false"), null, null, null, null, false, policy, null, null, null), replyTo))).reply().getValue();
    }

    private void start() {
        container.<StatusReply<ContainerView>>runCommand(replyTo -> new ContainerActor.Correlated("call-start",
                new ContainerActor.Start(replyTo))).reply().getValue();
    }

    private List<ContainerEvent> journal() {
        return container.persistenceTestKit().persistedInStorage(ContainerActor.persistenceId(id).id()).stream()
                .map(ContainerEvent.class::cast).toList();
    }

    private <T extends ContainerEvent> List<T> events(Class<T> type) {
        return journal().stream().filter(type::isInstance).map(type::cast).toList();
    }

    private void awaitRunningWithRestarts(int count) {
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            ContainerState.Running r = assertInstanceOf(ContainerState.Running.class, container.getState());
            assertEquals(count, r.restarts().count());
            return r;
        });
    }

    @Test
    void onFailureRetriesExactlyItsCountWithGrowingDelaysThenStaysExited() {
        create("on-failure:2");
        start();
        executor.exit(id, 1);
        awaitRunningWithRestarts(1);
        executor.exit(id, 1);
        awaitRunningWithRestarts(2);
        executor.exit(id, 1);
        testKit.createTestProbe().awaitAssert(() -> {
            assertEquals(3, events(ContainerEvent.Exited.class).size());
            return null;
        });
        testKit.createTestProbe().expectNoMessage(Duration.ofMillis(500));

        ContainerState.Exited exited = assertInstanceOf(ContainerState.Exited.class, container.getState());
        assertEquals(2, exited.restarts().count());
        assertEquals(2, ContainerState.view(exited).restartCount());
        List<ContainerEvent.RestartScheduled> scheduled = events(ContainerEvent.RestartScheduled.class);
        assertEquals(List.of(1, 2), scheduled.stream().map(ContainerEvent.RestartScheduled::attempt).toList());
        assertEquals(List.of(100L, 200L), scheduled.stream().map(ContainerEvent.RestartScheduled::delayMillis).toList());
        assertEquals(2, events(ContainerEvent.Restarted.class).size());
        assertEquals(3, events(ContainerEvent.Started.class).size());
        // The order of one restart: exit and its schedule in one write, then Restarted, Prepared, Started.
        List<Class<?>> order = journal().stream().<Class<?>>map(Object::getClass).toList();
        int first = order.indexOf(ContainerEvent.RestartScheduled.class);
        assertEquals(List.of(ContainerEvent.Exited.class, ContainerEvent.RestartScheduled.class, ContainerEvent.Restarted.class,
                ContainerEvent.Prepared.class, ContainerEvent.Started.class), order.subList(first - 1, first + 4));
    }

    @Test
    void aSuccessfulExitIsNotAFailure() {
        create("on-failure");
        start();
        executor.exit(id, 0);
        testKit.createTestProbe().awaitAssert(() -> assertInstanceOf(ContainerState.Exited.class, container.getState()));
        testKit.createTestProbe().expectNoMessage(Duration.ofMillis(300));
        assertEquals(List.of(), events(ContainerEvent.RestartScheduled.class));
    }

    @Test
    void stopRecordsStoppedFirstAndAlwaysDoesNotRestartAfterIt() {
        create("always");
        start();
        container.<StatusReply<ContainerView>>runCommand(replyTo -> new ContainerActor.Correlated("call-stop",
                new ContainerActor.Stop(Duration.ofSeconds(5), replyTo)));
        testKit.createTestProbe().awaitAssert(() -> assertInstanceOf(ContainerState.Exited.class, container.getState()));
        testKit.createTestProbe().expectNoMessage(Duration.ofMillis(300));
        assertEquals(List.of(), events(ContainerEvent.RestartScheduled.class));
        ContainerEvent.Stopped stopped = events(ContainerEvent.Stopped.class).getFirst();
        assertEquals("call-stop", stopped.origin().correlationId());
        assertEquals("call-stop", events(ContainerEvent.Exited.class).getFirst().origin().correlationId());
    }

    @Test
    void eventsCarryTheNodeAndTheCallThatCausedThem() {
        create("no");
        start();
        executor.exit(id, 3);
        testKit.createTestProbe().awaitAssert(() -> assertInstanceOf(ContainerState.Exited.class, container.getState()));
        List<ContainerEvent> all = journal();
        assertTrue(all.stream().allMatch(e -> "node-a".equals(e.origin().node())), all::toString);
        assertEquals("call-create", all.get(0).origin().correlationId());
        // Prepared, Started and the exit of the process it started belong to the start call.
        assertEquals(List.of("call-start", "call-start", "call-start"),
                all.subList(1, 4).stream().map(e -> e.origin().correlationId()).toList());
    }

    @Test
    void aStartInterruptedByAnEngineCrashIsEndedAndCleanedUpOnRecovery() {
        create("no");
        // The engine died after spawning the container but before journaling Started.
        executor.unrecorded.put(id, new ContainerProcess(id, 4321, 1L, 4320, 2L, Path.of("/x/ctr.log"), Path.of("/x/exit.status")));
        container.restart();
        testKit.createTestProbe().awaitAssert(() -> {
            assertEquals(1, events(ContainerEvent.StartFailed.class).size());
            return null;
        });
        assertEquals(List.of(id + ":9"), executor.signals);
        assertEquals(List.of(id), executor.cleanedUp);
        ContainerState.Created created = assertInstanceOf(ContainerState.Created.class, container.getState());
        assertTrue(created.error().contains("interrupted"), created.error());
        // It can be started again.
        start();
        assertInstanceOf(ContainerState.Running.class, container.getState());
    }

    @Test
    void aRestartPendingWhenTheEngineStoppedFiresAfterRecovery() {
        create("on-failure:1");
        start();
        executor.exit(id, 1);
        awaitRunningWithRestarts(1);
        // The second run exits while the "engine" is away: recovery records it; the policy is exhausted.
        executor.exit(id, 2);
        testKit.createTestProbe().awaitAssert(() -> assertInstanceOf(ContainerState.Exited.class, container.getState()));
        container.restart();
        testKit.createTestProbe().expectNoMessage(Duration.ofMillis(300));
        assertEquals(1, events(ContainerEvent.Restarted.class).size());
    }
}

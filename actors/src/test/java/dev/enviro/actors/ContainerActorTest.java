package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.enviro.persistence.ContainerEvent;
import dev.enviro.runtime.ExitStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The container actor's decisions, against the in-memory journal and a {@link ScriptedExecutor}. */
class ContainerActorTest {

    private static final ActorTestKit testKit = ActorTestKit.create("container-actor-test",
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseResources("engine-test.conf")));

    private ScriptedExecutor executor;
    private TestProbe<EngineRegistry.ContainerRemoved> registry;
    private String id;
    private EventSourcedBehaviorTestKit<ContainerActor.Command, ContainerEvent, ContainerState> container;

    @BeforeEach
    void spawn() {
        executor = new ScriptedExecutor();
        registry = testKit.createTestProbe();
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        id = HexFormat.of().formatHex(bytes);
        container = EventSourcedBehaviorTestKit.create(testKit.system(),
                ContainerActor.create(id, executor, registry.ref()),
                // Events must survive the real serializer; commands carry ActorRefs and never leave the JVM.
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyCommands(false).withVerifyState(false));
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private ContainerView create(boolean autoRemove) {
        var result = container.<StatusReply<ContainerView>>runCommand(replyTo -> new ContainerActor.Create("web",
                new ContainerDefinition("web", "localhost/busybox", null, List.of("sleep", "1000"), List.of("A=1"), null, null, null, autoRemove, null, null, null, null), replyTo));
        return result.reply().getValue();
    }

    private ContainerView start() {
        var result = container.<StatusReply<ContainerView>>runCommand(ContainerActor.Start::new);
        return result.reply().getValue();
    }

    private EnviroError startError() {
        var reply = container.<StatusReply<ContainerView>>runCommand(ContainerActor.Start::new).reply();
        assertTrue(reply.isError(), "start should fail: " + reply);
        return assertInstanceOf(EnviroError.class, reply.getError());
    }

    private List<Object> journal() {
        return container.persistenceTestKit().persistedInStorage(ContainerActor.persistenceId(id).id());
    }

    private <T> T awaitState(Class<T> type) {
        return testKit.createTestProbe().awaitAssert(() -> assertInstanceOf(type, container.getState()));
    }

    @Test
    void createPersistsTheRequestAndAnswersWithTheCreatedView() {
        var result = container.<StatusReply<ContainerView>>runCommand(replyTo -> new ContainerActor.Create("web",
                new ContainerDefinition("web", "localhost/busybox", null, List.of("echo", "hi"), null, null, null, null, false, null, null, null, null), replyTo));

        ContainerEvent.Created created = result.eventOfType(ContainerEvent.Created.class);
        assertEquals(id, created.containerId());
        assertEquals("scripted", created.executor());
        assertNull(created.definition().entrypoint(), "no entrypoint override: the image's is used");
        ContainerView view = result.reply().getValue();
        assertEquals(ContainerView.State.CREATED, view.state());
        assertEquals(List.of("echo", "hi"), view.argv());
        assertEquals("web", view.name());
    }

    @Test
    void startPersistsPreparedThenStartedBeforeAnswering() {
        create(false);
        var result = container.<StatusReply<ContainerView>>runCommand(ContainerActor.Start::new);

        assertEquals(List.of(ContainerEvent.Prepared.class, ContainerEvent.Started.class),
                result.events().stream().map(Object::getClass).toList());
        ContainerView view = result.reply().getValue();
        assertEquals(ContainerView.State.RUNNING, view.state());
        assertTrue(view.pid() > 0);
        assertEquals("sha256:" + "d".repeat(64), view.imageDigest());
        assertEquals("/state/containers/" + id + "/ctr.log", view.logPath());
        assertInstanceOf(ContainerState.Running.class, result.state());
    }

    @Test
    void anExitIsPersistedAndAnswersEveryWaiter() {
        create(false);
        start();
        TestProbe<StatusReply<ContainerView>> first = testKit.createTestProbe();
        TestProbe<StatusReply<ContainerView>> second = testKit.createTestProbe();
        container.runCommand(new ContainerActor.AwaitExit(first.ref()));
        container.runCommand(new ContainerActor.AwaitExit(second.ref()));
        first.expectNoMessage(Duration.ofMillis(100));

        executor.exit(id, 3);

        for (TestProbe<StatusReply<ContainerView>> waiter : List.of(first, second)) {
            ContainerView view = waiter.receiveMessage().getValue();
            assertEquals(ContainerView.State.EXITED, view.state());
            assertEquals(3, view.exitCode());
        }
        assertInstanceOf(ContainerEvent.Exited.class, journal().getLast());
        // An exited container answers at once.
        assertEquals(3, container.<StatusReply<ContainerView>>runCommand(ContainerActor.AwaitExit::new)
                .reply().getValue().exitCode());
    }

    @Test
    void aMissingExecutableEndsTheContainerWithExitCode127AsAShellWould() {
        create(false);
        executor.failExecute = new EnviroError(ErrorCode.COMMAND_NOT_FOUND,
                "exec: \"nope\": executable file not found in $PATH");

        EnviroError error = startError();

        assertEquals(ErrorCode.COMMAND_NOT_FOUND, error.code());
        assertEquals(127, error.exitCode());
        assertTrue(error.getMessage().contains("executable file not found"), error.getMessage());
        List<Object> events = journal();
        ContainerEvent.StartFailed failed = assertInstanceOf(ContainerEvent.StartFailed.class, events.get(events.size() - 2));
        assertEquals(127, failed.exitCode());
        assertEquals(127, assertInstanceOf(ContainerEvent.Exited.class, events.getLast()).exitCode());
        ContainerView view = container.<StatusReply<ContainerView>>runCommand(ContainerActor.Get::new).reply().getValue();
        assertEquals(ContainerView.State.EXITED, view.state());
        assertEquals(127, view.exitCode());
    }

    @Test
    void aMissingImageLeavesTheContainerCreatedWithTheError() {
        create(false);
        executor.failPrepare = new EnviroError(ErrorCode.NOT_FOUND,
                "image localhost/busybox not found: load it with 'enviro load -i FILE'");

        EnviroError error = startError();

        assertEquals(ErrorCode.NOT_FOUND, error.code());
        assertEquals(125, error.exitCode());
        assertEquals(125, assertInstanceOf(ContainerEvent.StartFailed.class, journal().getLast()).exitCode());
        ContainerView view = container.<StatusReply<ContainerView>>runCommand(ContainerActor.Get::new).reply().getValue();
        assertEquals(ContainerView.State.CREATED, view.state());
        assertTrue(view.error().contains("load it with"), view.error());

        // Once the image is there, the same container starts.
        executor.failPrepare = null;
        assertEquals(ContainerView.State.RUNNING, start().state());
    }

    @Test
    void stopSendsSigtermAndAnswersWhenTheProcessHasExited() {
        create(false);
        start();
        TestProbe<StatusReply<ContainerView>> stopper = testKit.createTestProbe();
        container.runCommand(new ContainerActor.Stop(Duration.ofSeconds(30), stopper.ref()));

        ContainerView view = stopper.receiveMessage().getValue();
        assertEquals(143, view.exitCode());
        assertEquals(List.of(id + ":15"), executor.signals);
    }

    @Test
    void stopSendsSigkillWhenTheGracePeriodEnds() {
        create(false);
        start();
        executor.ignoreSigterm = true;
        TestProbe<StatusReply<ContainerView>> stopper = testKit.createTestProbe();
        container.runCommand(new ContainerActor.Stop(Duration.ofMillis(300), stopper.ref()));

        stopper.expectNoMessage(Duration.ofMillis(150));
        ContainerView view = stopper.receiveMessage(Duration.ofSeconds(3)).getValue();
        assertEquals(137, view.exitCode());
        assertEquals(List.of(id + ":15", id + ":9"), executor.signals);
    }

    @Test
    void aStopDuringStartIsAppliedOnceTheContainerRuns() {
        create(false);
        executor.executeGate = new CompletableFuture<>();
        TestProbe<StatusReply<ContainerView>> starter = testKit.createTestProbe();
        TestProbe<StatusReply<ContainerView>> stopper = testKit.createTestProbe();
        container.runCommand(new ContainerActor.Start(starter.ref()));
        container.runCommand(new ContainerActor.Stop(Duration.ofSeconds(30), stopper.ref()));
        stopper.expectNoMessage(Duration.ofMillis(100));

        executor.executeGate.complete(null);

        assertEquals(ContainerView.State.RUNNING, starter.receiveMessage().getValue().state());
        assertEquals(143, stopper.receiveMessage().getValue().exitCode());
    }

    @Test
    void killRefusesAContainerThatIsNotRunning() {
        create(false);
        var reply = container.<StatusReply<ContainerView>>runCommand(replyTo -> new ContainerActor.Kill(9, replyTo)).reply();
        assertEquals(ErrorCode.CONFLICT, assertInstanceOf(EnviroError.class, reply.getError()).code());
    }

    @Test
    void removingARunningContainerNeedsForce() {
        create(false);
        start();
        var reply = container.<StatusReply<ContainerView>>runCommand(replyTo -> new ContainerActor.Remove(false, replyTo)).reply();
        EnviroError error = assertInstanceOf(EnviroError.class, reply.getError());
        assertEquals(ErrorCode.CONFLICT, error.code());
        assertTrue(error.getMessage().contains("--force"), error.getMessage());
        assertTrue(executor.signals.isEmpty());
    }

    @Test
    void forcedRemoveKillsRecordsTheExitCleansUpAndHandsTheRemoversToTheRegistry() {
        create(false);
        start();
        TestProbe<StatusReply<ContainerView>> remover = testKit.createTestProbe();
        container.runCommand(new ContainerActor.Remove(true, remover.ref()));

        EngineRegistry.ContainerRemoved removed = registry.receiveMessage();
        assertEquals(id, removed.containerId());
        assertEquals(List.of(remover.ref()), removed.removers());
        assertEquals(ContainerView.State.REMOVED, removed.view().state());
        assertEquals(137, removed.view().exitCode());
        assertEquals(List.of(id), executor.cleanedUp);
        List<Object> events = journal();
        assertInstanceOf(ContainerEvent.Exited.class, events.get(events.size() - 2));
        assertInstanceOf(ContainerEvent.Removed.class, events.getLast());
        // Until it retires, the actor answers requests that were routed to it before the registry forgot it.
        var late = container.<StatusReply<ContainerView>>runCommand(replyTo -> new ContainerActor.Kill(9, replyTo)).reply();
        assertEquals(ErrorCode.NOT_FOUND, assertInstanceOf(EnviroError.class, late.getError()).code());
        assertEquals(ContainerView.State.REMOVED,
                container.<StatusReply<ContainerView>>runCommand(ContainerActor.Get::new).reply().getValue().state());
    }

    @Test
    void aFailedCleanupKeepsTheContainerAndSaysSo() {
        create(false);
        executor.failCleanup = new EnviroError(ErrorCode.INTERNAL, "rmdir /state/x: EBUSY");
        var reply = container.<StatusReply<ContainerView>>runCommand(replyTo -> new ContainerActor.Remove(false, replyTo)).reply();
        EnviroError error = assertInstanceOf(EnviroError.class, reply.getError());
        assertTrue(error.getMessage().contains("EBUSY"), error.getMessage());
        assertInstanceOf(ContainerState.Created.class, container.getState());
        registry.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void autoRemoveRemovesTheContainerAfterItExits() {
        create(true);
        start();
        executor.exit(id, 0);

        EngineRegistry.ContainerRemoved removed = registry.receiveMessage();
        assertTrue(removed.removers().isEmpty());
        assertEquals(0, removed.view().exitCode());
        assertEquals(List.of(id), executor.cleanedUp);
        assertEquals(List.of(ContainerEvent.Created.class, ContainerEvent.Prepared.class, ContainerEvent.Started.class,
                        ContainerEvent.Exited.class, ContainerEvent.Removed.class),
                journal().stream().map(Object::getClass).toList());
    }

    @Test
    void aRestartedActorReadoptsItsRunningProcessAndStillSeesItsExit() {
        create(false);
        int pid = start().pid();

        var restarted = container.restart();

        ContainerState.Running running = assertInstanceOf(ContainerState.Running.class, restarted.state());
        assertEquals(pid, running.started().pid());
        TestProbe<StatusReply<ContainerView>> waiter = testKit.createTestProbe();
        container.runCommand(new ContainerActor.AwaitExit(waiter.ref()));
        executor.exit(id, 7);
        assertEquals(7, waiter.receiveMessage().getValue().exitCode());
        assertEquals(1, journal().stream().filter(ContainerEvent.Started.class::isInstance).count(),
                "adoption does not start anything");
    }

    @Test
    void anExitThatHappenedWhileTheActorWasDownIsRecordedOnRecovery() {
        create(false);
        start();
        executor.alive.remove(id);
        executor.recordedExits.put(id, new ExitStatus(5, 0, Instant.parse("2025-01-01T00:00:00Z"), false));

        container.restart();

        ContainerState.Exited exited = awaitState(ContainerState.Exited.class);
        assertEquals(5, exited.exit().exitCode());
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), exited.exit().finishedAt());
    }

    @Test
    void aVanishedProcessWithoutARecordedStatusExitsWithMinusOne() {
        create(false);
        start();
        executor.alive.remove(id);

        container.restart();

        assertEquals(-1, awaitState(ContainerState.Exited.class).exit().exitCode());
    }

    @Test
    void anExitedContainerCanBeStartedAgain() {
        create(false);
        start();
        executor.exit(id, 1);
        awaitState(ContainerState.Exited.class);

        ContainerView again = start();

        assertEquals(ContainerView.State.RUNNING, again.state());
        assertNull(again.exitCode());
    }

    @Test
    void pauseAndUnpauseAreJournaledAfterTheFreezerTookThemAndShownInTheView() {
        create(false);
        start();
        ContainerView paused = container.<StatusReply<ContainerView>>runCommand(r -> new ContainerActor.Pause(true, r))
                .reply().getValue();
        assertTrue(paused.paused());
        assertEquals(List.of(id + ":true"), executor.freezes);
        assertInstanceOf(ContainerEvent.Paused.class, journal().getLast());
        int events = journal().size();
        container.<StatusReply<ContainerView>>runCommand(r -> new ContainerActor.Pause(true, r));
        assertEquals(events, journal().size(), "pausing a paused container records nothing new");

        ContainerView thawed = container.<StatusReply<ContainerView>>runCommand(r -> new ContainerActor.Pause(false, r))
                .reply().getValue();
        assertTrue(!thawed.paused());
        assertInstanceOf(ContainerEvent.Unpaused.class, journal().getLast());
    }

    @Test
    void stoppingAPausedContainerUnpausesItSoThatItCanEnd() {
        create(false);
        start();
        container.<StatusReply<ContainerView>>runCommand(r -> new ContainerActor.Pause(true, r));
        ContainerView stopped = container.<StatusReply<ContainerView>>runCommand(
                r -> new ContainerActor.Stop(Duration.ofSeconds(10), r)).reply().getValue();
        assertEquals(ContainerView.State.EXITED, stopped.state());
        assertEquals(List.of(id + ":true", id + ":false"), executor.freezes, "thawed after the signal");
        List<Object> events = journal();
        assertEquals(List.of(ContainerEvent.Paused.class, ContainerEvent.Stopped.class, ContainerEvent.Unpaused.class,
                ContainerEvent.Exited.class), events.subList(events.size() - 4, events.size()).stream()
                .map(Object::getClass).toList());
    }

    @Test
    void anExecIsJournaledWhenItRunsAndWhenItEnds() throws Exception {
        create(false);
        start();
        CompletableFuture<ExecSession> session = new CompletableFuture<>();
        container.<StatusReply<ContainerView>>runCommand(r -> new ContainerActor.Exec(
                new dev.enviro.runtime.ExecSpec("e1", List.of("ls", "/"), List.of(), null, null), session, r));
        ExecSession running = session.get(5, java.util.concurrent.TimeUnit.SECONDS);
        ContainerEvent.ExecStarted started = assertInstanceOf(ContainerEvent.ExecStarted.class, journal().getLast(),
                "recorded before the caller saw it run");
        assertEquals(List.of("ls", "/"), started.argv());

        executor.exit(id + ":e1", 7);
        ContainerEvent.ExecExited exited = testKit.createTestProbe().awaitAssert(
                () -> assertInstanceOf(ContainerEvent.ExecExited.class, journal().getLast()));
        assertEquals("e1", exited.execId());
        assertEquals(7, exited.exitCode());
        assertEquals(running.pid(), exited.pid());
        assertInstanceOf(ContainerState.Running.class, container.getState(), "an exec's end is not the container's");
    }

    @Test
    void anExecThatCannotStartIsJournaledAsEndedWithItsErrorsExitCode() throws Exception {
        create(false);
        start();
        executor.failExec = new EnviroError(ErrorCode.COMMAND_NOT_FOUND, "nope: executable file not found");
        CompletableFuture<ExecSession> session = new CompletableFuture<>();
        container.<StatusReply<ContainerView>>runCommand(r -> new ContainerActor.Exec(
                new dev.enviro.runtime.ExecSpec("e2", List.of("nope"), List.of(), null, null), session, r));
        java.util.concurrent.ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> session.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(ErrorCode.COMMAND_NOT_FOUND, ((EnviroError) failed.getCause()).code());
        List<Object> events = journal();
        ContainerEvent.ExecExited exited = assertInstanceOf(ContainerEvent.ExecExited.class, events.getLast(),
                "recorded before the caller saw it fail");
        assertEquals(127, exited.exitCode());
        assertEquals(0, exited.pid());
        assertEquals("e2", assertInstanceOf(ContainerEvent.ExecStarted.class, events.get(events.size() - 2)).execId());
    }
}

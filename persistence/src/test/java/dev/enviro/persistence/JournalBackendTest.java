package dev.enviro.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal configuration against each back-end, for real: an H2 file, and a private PostgreSQL
 * server started for this class. Events survive an ActorSystem's end, in CBOR, and read back by tag and id.
 */
class JournalBackendTest {

    @TempDir
    Path stateDir;

    private static PostgresCluster postgres;

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    /** The back-ends every journal test runs against. */
    static Stream<String> backends() {
        return Stream.of("h2", "postgres");
    }

    private JournalSettings settings(String backend) throws Exception {
        if (backend.equals("h2")) {
            return JournalSettings.h2(stateDir);
        }
        synchronized (JournalBackendTest.class) {
            if (postgres == null) {
                postgres = PostgresCluster.create();
            }
        }
        return JournalSettings.postgres(stateDir, postgres.newDatabase(), PostgresCluster.USER, "");
    }

    /** A recorder entity: persists what it is told, answers with everything it has replayed and persisted. */
    sealed interface Cmd {}

    record Append(ContainerEvent event, ActorRef<List<ContainerEvent>> replyTo) implements Cmd {}

    record Read(ActorRef<List<ContainerEvent>> replyTo) implements Cmd {}

    static Behavior<Cmd> recorder(String id) {
        return new EventSourcedBehavior<Cmd, ContainerEvent, List<ContainerEvent>>(PersistenceId.of("container", id, "|")) {
            @Override
            public List<ContainerEvent> emptyState() {
                return List.of();
            }

            @Override
            public CommandHandler<Cmd, ContainerEvent, List<ContainerEvent>> commandHandler() {
                return (state, cmd) -> switch (cmd) {
                    case Append a -> Effect().persist(a.event()).thenRun(s -> a.replyTo().tell(s));
                    case Read r -> Effect().none().thenRun(s -> r.replyTo().tell(s));
                };
            }

            @Override
            public Set<String> tagsFor(ContainerEvent event) {
                return EventTags.of(event);
            }

            @Override
            public EventHandler<List<ContainerEvent>, ContainerEvent> eventHandler() {
                return (state, event) -> {
                    List<ContainerEvent> next = new ArrayList<>(state);
                    next.add(event);
                    return List.copyOf(next);
                };
            }
        };
    }

    @ParameterizedTest
    @MethodSource("backends")
    void eventsAreCborAndSurviveANewActorSystemOnTheSameJournal(String backend) throws Exception {
        JournalSettings settings = settings(backend);
        JournalSchema.ensure(settings);
        JournalSchema.ensure(settings); // a second engine start changes nothing
        Instant t = Instant.parse("2025-01-02T03:04:05.123456789Z");
        String id = "a".repeat(64);
        Origin origin = new Origin("node-1", "call-1");
        List<ContainerEvent> written = List.of(
                new ContainerEvent.Created(id, new ContainerDefinition("web", "localhost/busybox", null, List.of("sh", "-c", "exit 3"),
                        List.of("A=1"), null, null, null, true, "on-failure:3", null, null, null), "native", t, origin),
                new ContainerEvent.Prepared(id, "sha256:" + "b".repeat(64), List.of("sh", "-c", "exit 3"), "/s/ctr.log", t, origin),
                new ContainerEvent.Started(id, 4242, 99L, 4241, 98L, "/s/ctr.log", "/s/exit.status", t, origin),
                new ContainerEvent.Exited(id, 3, 0, false, t, t, origin),
                new ContainerEvent.RestartScheduled(id, 1, 100, t, origin),
                new ContainerEvent.Restarted(id, 1, t, origin),
                new ContainerEvent.Stopped(id, 15, t, origin),
                new ContainerEvent.Removed(id, t, origin));

        ActorTestKit first = ActorTestKit.create("journal1", config(settings));
        try {
            Serialization serialization = SerializationExtension.get(first.system().classicSystem());
            assertInstanceOf(JacksonCborSerializer.class, serialization.findSerializerFor(written.getFirst()));
            TestProbe<List<ContainerEvent>> probe = first.createTestProbe();
            ActorRef<Cmd> recorder = first.spawn(recorder(id));
            for (ContainerEvent event : written) {
                recorder.tell(new Append(event, probe.ref()));
                probe.receiveMessage();
            }
        } finally {
            first.shutdownTestKit();
        }

        ActorTestKit second = ActorTestKit.create("journal2", config(settings));
        try {
            TestProbe<List<ContainerEvent>> probe = second.createTestProbe();
            second.spawn(recorder(id)).tell(new Read(probe.ref()));
            assertEquals(written, probe.receiveMessage());
            // The same events through Persistence Query: by tag (the event stream) and by id (history).
            // pages of 3 rows: the 8 events span three, and every read below crosses pages
            AuditLog audit = new AuditLog(second.system(), settings, 3);
            List<AuditRecord> all = audit.current(AuditQuery.all()).toList();
            assertEquals(written, all.stream().map(AuditRecord::event).toList());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), all.stream().map(AuditRecord::offset).toList());
            List<AuditRecord> exits = audit.current(new AuditQuery(null, null, Set.of(id), Set.of("/tasks/exit"), false, 0)).toList();
            assertEquals(List.of(written.get(3)), exits.stream().map(AuditRecord::event).toList());
            // by time: the events' own timestamps (t), whenever they were written
            assertEquals(written.size(), audit.current(new AuditQuery(t, t, Set.of(), Set.of(), false, 0)).count());
            assertEquals(List.of(), audit.current(new AuditQuery(Instant.now().plusSeconds(3600), null, Set.of(), Set.of(), false, 0)).toList());
            List<AuditRecord> resumed = audit.current(new AuditQuery(null, null, Set.of(), Set.of(), false, 6)).toList();
            assertEquals(written.subList(6, 8), resumed.stream().map(AuditRecord::event).toList());
            List<AuditRecord> history = audit.history("container|" + id)
                    .runWith(Sink.seq(), second.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(written, history.stream().map(AuditRecord::event).toList());
        } finally {
            second.shutdownTestKit();
        }
    }

    private static com.typesafe.config.Config config(JournalSettings settings) {
        return JournalConfig.of(settings).withFallback(ConfigFactory.parseResources("journal-test.conf")).withFallback(ConfigFactory.load());
    }
}

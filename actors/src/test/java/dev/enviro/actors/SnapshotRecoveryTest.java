package dev.enviro.actors;

import dev.enviro.persistence.ContainerDefinition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.enviro.persistence.ContainerEvent;
import dev.enviro.persistence.JournalConfig;
import dev.enviro.persistence.JournalSchema;
import dev.enviro.persistence.Origin;
import dev.enviro.persistence.RegistryEvent;
import dev.enviro.persistence.ServiceEvent;
import dev.enviro.persistence.Resources;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots on the real H2 journal: a container actor recovered from its snapshot is in exactly the
 * state that replaying its whole journal gives, and the registry's and a service's states survive the
 * snapshot serializer unchanged.
 */
class SnapshotRecoveryTest {

    private static final int EVERY = 10;

    @TempDir
    Path stateDir;

    private ActorTestKit testKit;
    private final ScriptedExecutor executor = new ScriptedExecutor();
    private String id;

    @BeforeEach
    void start() throws Exception {
        JournalSchema.ensureH2(stateDir);
        Config config = ConfigFactory.parseMap(Map.of("enviro.snapshots.every", EVERY, "enviro.snapshots.keep", 2))
                .withFallback(JournalConfig.h2(stateDir))
                .withFallback(ConfigFactory.parseResources("engine-test.conf"))
                .withFallback(ConfigFactory.load());
        testKit = ActorTestKit.create("snapshot-test", config);
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        id = HexFormat.of().formatHex(bytes);
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    private ActorRef<ContainerActor.Command> spawn() {
        TestProbe<EngineRegistry.ContainerRemoved> registry = testKit.createTestProbe();
        return testKit.spawn(ContainerActor.create(id, executor, registry.ref()));
    }

    private ContainerView ask(ActorRef<ContainerActor.Command> actor,
                              java.util.function.Function<ActorRef<StatusReply<ContainerView>>, ContainerActor.Command> command) {
        TestProbe<StatusReply<ContainerView>> probe = testKit.createTestProbe();
        actor.tell(command.apply(probe.ref()));
        StatusReply<ContainerView> reply = probe.receiveMessage(Duration.ofSeconds(10));
        assertTrue(reply.isSuccess(), () -> "command failed: " + reply.getError());
        return reply.getValue();
    }

    private List<ContainerEvent> journal() {
        JdbcReadJournal read = PersistenceQuery.get(Adapter.toClassic(testKit.system()))
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        return read.currentEventsByPersistenceId(ContainerActor.persistenceId(id).id(), 0, Long.MAX_VALUE)
                .map(envelope -> (ContainerEvent) envelope.event())
                .runWith(Sink.seq(), testKit.system())
                .toCompletableFuture().join();
    }

    private record StoredSnapshot(long sequenceNr, Object state) {}

    /** The snapshots in the store, oldest first, deserialized as the plugin would. */
    private List<StoredSnapshot> snapshots() throws Exception {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
        List<StoredSnapshot> found = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(JournalConfig.h2Url(stateDir), "sa", "");
             PreparedStatement q = c.prepareStatement("SELECT \"sequence_number\", \"snapshot_payload\", "
                     + "\"snapshot_ser_id\", \"snapshot_ser_manifest\" FROM \"snapshot\" WHERE \"persistence_id\" = ? "
                     + "ORDER BY \"sequence_number\"")) {
            q.setString(1, ContainerActor.persistenceId(id).id());
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    found.add(new StoredSnapshot(rs.getLong(1),
                            serialization.deserialize(rs.getBytes(2), rs.getInt(3), rs.getString(4)).get()));
                }
            }
        }
        return found;
    }

    private static ContainerState fold(ContainerState from, List<ContainerEvent> events) {
        ContainerState state = from;
        for (ContainerEvent e : events) {
            state = ContainerState.apply(state, e);
        }
        return state;
    }

    @Test
    void recoveryFromASnapshotGivesTheStateThatReplayingEveryEventGives() throws Exception {
        ActorRef<ContainerActor.Command> actor = spawn();
        ask(actor, r -> new ContainerActor.Create("snap", new ContainerDefinition("snap", "localhost/busybox", null, List.of("sleep", "1000"), List.of(), null, null, null, false, null, null, null, null), r));
        ask(actor, ContainerActor.Start::new);
        ask(actor, r -> new ContainerActor.Pause(true, r));
        for (int i = 1; i <= 2 * EVERY + 3; i++) {
            long pids = 100 + i;
            ask(actor, r -> new ContainerActor.Update(new Resources(0, 0, 0, 0, null, pids, null), r));
        }
        ContainerView live = ask(actor, ContainerActor.Get::new);
        assertTrue(live.paused(), "paused before the snapshot was taken, and recorded");
        testKit.stop(actor);

        List<ContainerEvent> events = journal();
        assertEquals(2 + 1 + 1 + 2 * EVERY + 3, events.size(), "Created, Prepared, Started, Paused, the updates: " + events);
        List<StoredSnapshot> snapshots = snapshots();
        assertEquals(List.of((long) EVERY, 2L * EVERY), snapshots.stream().map(StoredSnapshot::sequenceNr).toList(),
                "a snapshot every " + EVERY + " events, the last 2 kept");

        ContainerState replayed = fold(new ContainerState.Empty(), events);
        StoredSnapshot latest = snapshots.getLast();
        ContainerState running = assertInstanceOf(ContainerState.Running.class, latest.state());
        assertEquals(fold(new ContainerState.Empty(), events.subList(0, (int) latest.sequenceNr())), running,
                "the snapshot is the state after its sequence number, through CBOR and back");
        assertEquals(replayed, fold(running, events.subList((int) latest.sequenceNr(), events.size())),
                "snapshot + the events after it = every event replayed");

        // The actor itself, recovered from that snapshot, answers with the replayed state (and adopts the process).
        ContainerView recovered = ask(spawn(), ContainerActor.Get::new);
        assertEquals(ContainerState.view(replayed), recovered);
        assertTrue(recovered.paused(), "a frozen container stays paused across recovery");
        assertEquals(100 + 2 * EVERY + 3, recovered.resources().pidsLimit());
    }

    @Test
    void registryAndServiceStatesSurviveTheSnapshotSerializer() {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
        RegistryState registry = RegistryState.empty()
                .apply(new RegistryEvent.Registered(id, "web", Instant.parse("2026-01-02T03:04:05.123456789Z")))
                .apply(new RegistryEvent.ServiceRegistered("api", Instant.EPOCH));
        assertEquals(registry, roundTrip(serialization, registry));
        ServiceActor.State service = ServiceActor.State.NONE.apply(new ServiceEvent.Created("api", "localhost/busybox",
                List.of("sleep", "1"), 3, Instant.EPOCH, Origin.UNKNOWN));
        assertEquals(service, roundTrip(serialization, service));
        assertEquals(Set.of("api"), ((RegistryState) roundTrip(serialization, registry)).services());

        // The terminal state keeps a view (with its Resources): a removed container's snapshot reads back too.
        ContainerEvent.Created created = new ContainerEvent.Created(id, new ContainerDefinition("web", "localhost/busybox", null,
                List.of("true"), List.of(), null, null, null, false, "on-failure:3",
                new dev.enviro.persistence.Resources(64L << 20, 0, 0, 0, null, 10, null), null, null), "scripted", Instant.EPOCH, Origin.UNKNOWN);
        ContainerState removed = ContainerState.apply(new ContainerState.Created(created, null, "no such image"),
                new ContainerEvent.Removed(id, Instant.EPOCH, Origin.UNKNOWN));
        assertInstanceOf(ContainerState.Removed.class, removed);
        assertEquals(removed, roundTrip(serialization, removed));
    }

    private static Object roundTrip(Serialization serialization, Object value) {
        byte[] bytes = serialization.serialize(value).get();
        var serializer = serialization.findSerializerFor(value);
        String manifest = org.apache.pekko.serialization.Serializers.manifestFor(serializer, value);
        return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    }
}

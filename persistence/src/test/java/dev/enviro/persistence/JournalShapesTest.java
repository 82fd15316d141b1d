package dev.enviro.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Journals outlive the code that wrote them: events as earlier code serialized them (bytes kept in
 * {@code src/test/resources/journal-shapes/}, written by that code) must read back as the same facts.
 */
class JournalShapesTest {

    static ActorSystem<Void> system;
    static Serialization serialization;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "journal-shapes");
        serialization = SerializationExtension.get(system.classicSystem());
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    /** {@code serializer-id manifest base64} per line, # comments. */
    private static List<Object> read(String resource) throws IOException {
        try (InputStream in = JournalShapesTest.class.getResourceAsStream("/journal-shapes/" + resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> {
                        String[] f = l.split(" ");
                        return serialization.deserialize(Base64.getDecoder().decode(f[2]), Integer.parseInt(f[0]), f[1]).get();
                    }).toList();
        }
    }

    @Test
    void createdEventsWrittenBeforeContainerDefinitionReadAsTheSameDefinition() throws IOException {
        List<Object> events = read("created-flat.txt");
        assertEquals(new ContainerEvent.Created("a".repeat(64), new ContainerDefinition("web", "localhost/busybox",
                        List.of("/bin/sh", "-c"), List.of("echo", "hi"), List.of("A=1"), "/tmp", "1000:1000", "box", true, "on-failure:3",
                        new Resources(64L << 20, 128L << 20, 1_500_000_000L, 512, "0-1", 100, 10),
                        new SecurityOptions(List.of("NET_ADMIN"), List.of("ALL"), false, List.of("no-new-privileges=false"), List.of("nofile=1024:2048")),
                        new RunOptions(List.of("/srv:/data:ro"), List.of("/scratch:size=64m"), true, List.of("max-size=10m"), true, true, true)),
                        "native", Instant.parse("2026-12-07T12:00:00Z"), new Origin("node-1", "corr-1")),
                events.get(0));
        // the oldest shape: no limits, flags or origin at all
        assertEquals(new ContainerEvent.Created("b".repeat(64), ContainerDefinition.of("old", "localhost/busybox", List.of()),
                "native", Instant.parse("2026-11-01T00:00:00Z"), null), events.get(1));
    }

    @Test
    void execEventsWrittenWithThePidOnTheStartReadAsTheSameFacts() throws IOException {
        List<Object> events = read("exec-pid-on-start.txt");
        Origin origin = new Origin("node-1", "corr-2");
        assertEquals(new ContainerEvent.ExecStarted("a".repeat(64), "e1", List.of("sh", "-c", "exit 3"), 4242,
                Instant.parse("2026-12-07T21:00:00Z"), origin), events.get(0));
        assertEquals(new ContainerEvent.ExecExited("a".repeat(64), "e1", 3, 0, Instant.parse("2026-12-07T21:00:01Z"), origin),
                events.get(1), "no pid on the exit then");
    }

    @Test
    void createdEventsWrittenNowReadBack() {
        ContainerEvent.Created now = new ContainerEvent.Created("c".repeat(64),
                ContainerDefinition.of("new", "localhost/busybox", List.of("true")).withResources(new Resources(8L << 20, 0, 0, 0, null, 0, null)),
                "native", Instant.parse("2026-12-07T13:00:00Z"), new Origin("n", "c"));
        byte[] bytes = serialization.serialize(now).get();
        var serializer = serialization.findSerializerFor(now);
        assertEquals(now, serialization.deserialize(bytes, serializer.identifier(),
                org.apache.pekko.serialization.Serializers.manifestFor(serializer, now)).get());
    }
}

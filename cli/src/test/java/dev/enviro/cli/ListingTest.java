package dev.enviro.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.grpc.Timestamps;
import dev.enviro.grpc.v1.Container;
import dev.enviro.grpc.v1.Image;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How ps and images word things, at a fixed "now". */
class ListingTest {

    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    @Test
    void durationsAsDockerWordsThem() {
        assertEquals("Less than a second", HumanTime.of(Duration.ofMillis(300)));
        assertEquals("3 seconds", HumanTime.of(Duration.ofSeconds(3)));
        assertEquals("About a minute", HumanTime.of(Duration.ofSeconds(90)));
        assertEquals("2 minutes", HumanTime.of(Duration.ofMinutes(2)));
        assertEquals("About an hour", HumanTime.of(Duration.ofMinutes(61)));
        assertEquals("5 hours", HumanTime.of(Duration.ofHours(5)));
        assertEquals("3 days", HumanTime.of(Duration.ofDays(3)));
        assertEquals("3 weeks", HumanTime.of(Duration.ofDays(21)));
        assertEquals("4 months", HumanTime.of(Duration.ofDays(125)));
        assertEquals("3 years", HumanTime.of(Duration.ofDays(365 * 3)));
    }

    @Test
    void psStatusColumn() {
        Container running = Container.newBuilder().setState(Container.State.RUNNING)
                .setStartedAt(Timestamps.timestamp(NOW.minusSeconds(3))).build();
        Container exited = Container.newBuilder().setState(Container.State.EXITED).setExitCode(7)
                .setFinishedAt(Timestamps.timestamp(NOW.minusSeconds(120))).build();
        Container created = Container.newBuilder().setState(Container.State.CREATED).build();
        assertEquals("Up 3 seconds", PsCommand.status(running, NOW));
        assertEquals("Exited (7) 2 minutes ago", PsCommand.status(exited, NOW));
        assertEquals("Created", PsCommand.status(created, NOW));
    }

    @Test
    void psTable() {
        Container c = Container.newBuilder().setId("0123456789abcdef0123").setName("web").setImage("localhost/busybox")
                .addAllArgv(List.of("sh", "-c", "echo hello world; sleep 100")).setState(Container.State.RUNNING)
                .setCreatedAt(Timestamps.timestamp(NOW.minusSeconds(5))).setStartedAt(Timestamps.timestamp(NOW.minusSeconds(4)))
                .build();
        Container published = c.toBuilder().setId("fedcba9876543210").setName("api").addPorts("0.0.0.0:8080->80/tcp")
                .addPorts("127.0.0.1:5353->53/udp").build();
        assertEquals("""
                CONTAINER ID   IMAGE               COMMAND                  CREATED         STATUS         PORTS                                          NAMES
                0123456789ab   localhost/busybox   "sh -c echo hello wo…"   5 seconds ago   Up 4 seconds                                                  web
                fedcba987654   localhost/busybox   "sh -c echo hello wo…"   5 seconds ago   Up 4 seconds   0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp   api
                """, print(PsCommand.table(List.of(c, published), NOW)));
    }

    @Test
    void portListsEachPublishedPortAsDockerDoes() {
        List<String> published = List.of("0.0.0.0:8080->80/tcp", "127.0.0.1:5353->53/udp");
        assertEquals(List.of("80/tcp -> 0.0.0.0:8080", "53/udp -> 127.0.0.1:5353"), PortCommand.lines(published, null));
        assertEquals(List.of("0.0.0.0:8080"), PortCommand.lines(published, "80"));
        assertEquals(List.of("127.0.0.1:5353"), PortCommand.lines(published, "53/udp"));
        assertEquals(List.of(), PortCommand.lines(published, "53"));
    }

    @Test
    void imagesTable() {
        Image busybox = Image.newBuilder().setId("sha256:" + "ab".repeat(32)).addNames("localhost:5000/busybox:1.36")
                .addNames("busybox").setSize(4_261_000).setCreated(Timestamps.timestamp(NOW.minus(Duration.ofDays(3)))).build();
        assertEquals("""
                REPOSITORY               TAG      IMAGE ID       CREATED      SIZE
                localhost:5000/busybox   1.36     abababababab   3 days ago   4.26MB
                busybox                  <none>   abababababab   3 days ago   4.26MB
                """, print(ImagesCommand.table(List.of(busybox), NOW)));
        assertEquals("999B", ImagesCommand.size(999));
        assertEquals("1kB", ImagesCommand.size(1000));
        assertEquals("12.3MB", ImagesCommand.size(12_345_678));
    }

    static String print(Table table) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        table.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

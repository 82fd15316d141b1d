package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;

import dev.enviro.grpc.EngineAddress;

import dev.enviro.grpc.EnviroClient;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.daemon.RecordingEngine.Line;
import dev.enviro.daemon.RecordingEngine.Program;
import dev.enviro.grpc.v1.Container;
import dev.enviro.grpc.v1.ContainerSpec;
import dev.enviro.grpc.v1.LogChunk;
import dev.enviro.grpc.v1.RunEvent;
import dev.enviro.images.ImageSummary;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The API over a real unix socket, against a {@link RecordingEngine}: messages, errors, streams. */
@Timeout(30)
class EnviroServiceTest {

    @TempDir Path dir;
    RecordingEngine engine;
    EnviroDaemon daemon;
    EnviroClient client;

    @BeforeEach
    void serve() throws Exception {
        engine = new RecordingEngine(dir.resolve("logs"));
        daemon = EnviroDaemon.serve(engine, LogSource.criFiles(), new EngineAddress(dir.resolve("run/enviro.sock")), dir.resolve("spool"));
        client = EnviroClient.connect(daemon.address());
    }

    @AfterEach
    void close() {
        if (client != null) client.close();
        if (daemon != null) daemon.close();
    }

    static ContainerSpec spec(String image, String... command) {
        return ContainerSpec.newBuilder().setImage(image).addAllCommand(List.of(command)).build();
    }

    @Test
    void socketIsPrivateToTheEngineUser() throws Exception {
        Path socket = dir.resolve("run/enviro.sock");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
    }

    @Test
    void createMapsTheSpecAndTheAnswer() {
        Container c = client.create(ContainerSpec.newBuilder().setImage("localhost/busybox").setName("web")
                .addCommand("echo").addCommand("hi").addEnv("A=1").setWorkdir("/srv").setUser("1000")
                .setHostname("box").setOverrideEntrypoint(true).build());
        var request = engine.lastCreate;
        assertEquals("web", request.name());
        assertEquals(List.of(), request.entrypoint(), "an overridden, empty entrypoint clears the image's");
        assertEquals(List.of("echo", "hi"), request.command());
        assertEquals(List.of("A=1"), request.env());
        assertEquals("/srv", request.workdir());
        assertEquals("1000", request.user());
        assertEquals("box", request.hostname());
        assertEquals("web", c.getName());
        assertEquals(Container.State.CREATED, c.getState());
        assertEquals(List.of("echo", "hi"), c.getArgvList());
        assertTrue(c.hasCreatedAt());
        assertFalse(c.hasStartedAt(), "no start time before the start");
        assertFalse(c.hasExitCode());
    }

    @Test
    void unsetFieldsMeanTheImageDefaults() {
        client.create(spec("localhost/busybox"));
        var request = engine.lastCreate;
        assertNull(request.name());
        assertNull(request.entrypoint());
        assertEquals(List.of(), request.command(), "no command: the image's Cmd");
        assertNull(request.workdir());
        assertNull(request.user());
    }

    @Test
    void everyErrorCodeReachesTheClientWithItsMessageAndExitCode() {
        for (ErrorCode code : ErrorCode.values()) {
            if (code == ErrorCode.UNREACHABLE) continue; // said by clients only
            engine.failNext(new EnviroError(code, "container x: " + code));
            EnviroError e = assertThrows(EnviroError.class, () -> client.inspect("x"));
            assertEquals(code, e.code());
            assertEquals("container x: " + code, e.getMessage());
            assertEquals(code.exitCode(), e.exitCode());
        }
    }

    @Test
    void notFoundNamesTheContainer() {
        EnviroError e = assertThrows(EnviroError.class, () -> client.inspect("nope"));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertEquals("no such container: nope", e.getMessage());
    }

    @Test
    void unexpectedFailuresAreInternalOnOneLine() {
        engine.failNext(new IllegalStateException("boom\nsecond line"));
        EnviroError e = assertThrows(EnviroError.class, () -> client.list(true));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("internal error in List: IllegalStateException: boom (see the engine's log)", e.getMessage());
    }

    @Test
    void emptyReferenceIsInvalid() {
        EnviroError e = assertThrows(EnviroError.class, () -> client.stop("", null));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(engine.calls().stream().noneMatch(c -> c.startsWith("stop")));
    }

    @Test
    void stopUsesTheGraceOrTheDefault() {
        CompletableFuture<Void> forever = new CompletableFuture<>();
        engine.program("img", Program.runsUntil(forever));
        Container a = client.create(spec("img"));
        client.start(a.getId());
        assertEquals(143, client.stop(a.getName(), 3).getExitCode());
        Container b = client.create(spec("img"));
        client.start(b.getId());
        client.stop(b.getId(), null);
        assertTrue(engine.calls().contains("stop(" + a.getName() + ",3)"));
        assertTrue(engine.calls().contains("stop(" + b.getId() + ",10)"));
    }

    @Test
    void killDefaultsToSigkillAndRejectsBadNumbers() {
        engine.program("img", Program.runsUntil(new CompletableFuture<>()));
        Container c = client.create(spec("img"));
        client.start(c.getId());
        assertEquals(137, client.kill(c.getId(), 0).getExitCode());
        EnviroError e = assertThrows(EnviroError.class, () -> client.kill(c.getId(), 99));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    void attachedRunStreamsOutputInOrderThenTheExit() {
        engine.program("img", Program.exits(7, Line.out("one"), Line.err("two"),
                new Line("stdout", "three", true, Duration.ofMillis(50)), Line.out("four")));
        List<RunEvent> events = new ArrayList<>();
        client.run(spec("img"), false).forEachRemaining(events::add);
        assertEquals(RunEvent.EventCase.STARTED, events.getFirst().getEventCase());
        assertEquals(Container.State.RUNNING, events.getFirst().getStarted().getState());
        RunEvent last = events.getLast();
        assertEquals(RunEvent.EventCase.EXIT, last.getEventCase());
        assertEquals(7, last.getExit().getCode());
        assertEquals(Container.State.EXITED, last.getExit().getContainer().getState());
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (RunEvent e : events.subList(1, events.size() - 1)) {
            LogChunk chunk = e.getOutput();
            (chunk.getStream() == LogChunk.Stream.STDERR ? err : out).append(chunk.getData().toStringUtf8());
        }
        assertEquals("one\nthreefour\n", out.toString(), "a partial record has no newline of its own");
        assertEquals("two\n", err.toString());
    }

    @Test
    void attachedRunWithRemoveRemovesAfterTheOutput() {
        engine.program("img", Program.exits(0, Line.out("bye")));
        ContainerSpec spec = spec("img").toBuilder().setAutoRemove(true).build();
        List<RunEvent> events = new ArrayList<>();
        client.run(spec, false).forEachRemaining(events::add);
        assertFalse(engine.lastCreate.autoRemove(), "the run removes, not the engine at exit, so no output is lost");
        assertEquals("bye\n", events.get(1).getOutput().getData().toStringUtf8());
        assertEquals(0, events.getLast().getExit().getCode());
        assertTrue(engine.containers().isEmpty(), "removed before the exit event was sent");
    }

    @Test
    void detachedRunAnswersStartedOnly() {
        engine.program("img", Program.runsUntil(new CompletableFuture<>(), Line.out("x")));
        ContainerSpec spec = spec("img").toBuilder().setAutoRemove(true).build();
        List<RunEvent> events = new ArrayList<>();
        client.run(spec, true).forEachRemaining(events::add);
        assertEquals(1, events.size());
        assertEquals(RunEvent.EventCase.STARTED, events.getFirst().getEventCase());
        assertTrue(engine.lastCreate.autoRemove(), "a detached run leaves removal to the engine");
    }

    @Test
    void commandNotFoundCarriesExitCode127AndIsRemovedWithRm() {
        engine.program("img", Program.failsToStart(new EnviroError(ErrorCode.COMMAND_NOT_FOUND,
                "container c: executable 'nope' not found in $PATH")));
        ContainerSpec spec = spec("img", "nope").toBuilder().setAutoRemove(true).build();
        Iterator<RunEvent> events = client.run(spec, false);
        EnviroError e = assertThrows(EnviroError.class, () -> events.forEachRemaining(x -> {}));
        assertEquals(127, e.exitCode());
        assertEquals("container c: executable 'nope' not found in $PATH", e.getMessage());
        assertTrue(engine.containers().isEmpty());
    }

    @Test
    void logsWithoutFollowEndAtTheEndOfTheFile() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        engine.program("img", Program.runsUntil(release, Line.out("a"), Line.err("b")));
        Container c = client.create(spec("img"));
        client.start(c.getId());
        waitForLines(Path.of(engine.containers().get(c.getId()).logPath()), 2);
        assertEquals("a\nb\n", text(client.logs(c.getName(), false)));
        release.complete(null);
    }

    @Test
    void logsFollowUntilTheContainerExits() {
        CompletableFuture<Void> release = new CompletableFuture<>();
        engine.program("img", Program.runsUntil(release, Line.out("early"),
                new Line("stdout", "late", false, Duration.ofMillis(300))));
        Container c = client.create(spec("img"));
        client.start(c.getId());
        Iterator<LogChunk> chunks = client.logs(c.getId(), true);
        assertEquals("early\n", chunks.next().getData().toStringUtf8());
        assertEquals("late\n", chunks.next().getData().toStringUtf8());
        release.complete(null);
        assertFalse(chunks.hasNext(), "the stream ends once the container has exited");
    }

    @Test
    void aLargeLogArrivesWhole() {
        List<Line> lines = new ArrayList<>();
        String payload = "x".repeat(4000);
        for (int i = 0; i < 5000; i++) lines.add(Line.out(i + " " + payload));
        engine.program("img", Program.exits(0, lines.toArray(Line[]::new)));
        int count = 0;
        long bytes = 0;
        int messages = 0;
        Iterator<RunEvent> events = client.run(spec("img"), false);
        while (events.hasNext()) {
            RunEvent e = events.next();
            if (e.hasOutput()) {
                messages++;
                String data = e.getOutput().getData().toStringUtf8();
                assertTrue(data.endsWith("\n"), "whole lines only: the lines already there are joined, never split");
                for (String line : data.split("\n")) {
                    assertTrue(line.startsWith(count + " "), "in order");
                    count++;
                }
                bytes += e.getOutput().getData().size();
                assertTrue(e.getOutput().getData().size() <= LogPump.JOINED_BYTES || data.split("\n").length == 1);
            }
        }
        assertEquals(5000, count);
        assertTrue(bytes > 20_000_000L);
        assertTrue(messages >= 5000 * 4000 / LogPump.JOINED_BYTES, "at most 64 KiB a message: " + messages);
    }

    @Test
    void waitAnswersTheExitCode() {
        engine.program("img", Program.exits(3));
        Container c = client.create(spec("img"));
        client.start(c.getId());
        assertEquals(3, client.await(c.getId()).getExitCode());
    }

    @Test
    void imagesAreListedAndLoadedFromTheBytesTheCallCarries() throws Exception {
        engine.addImage(new ImageSummary("sha256:" + "a".repeat(64), "sha256:" + "b".repeat(64),
                List.of("localhost/busybox:latest"), 2_000_000, Instant.parse("2024-01-02T03:04:05Z")));
        var listed = client.listImages();
        assertEquals(1, listed.size());
        assertEquals("localhost/busybox:latest", listed.getFirst().getNames(0));
        assertEquals(1704164645L, listed.getFirst().getCreated().getSeconds());
        byte[] archive = new byte[3 << 20]; // more than one chunk, and more than HTTP/2's first window
        new java.util.Random(7).nextBytes(archive);
        var loaded = client.loadImage(new java.io.ByteArrayInputStream(archive), "box.tar");
        assertEquals("localhost/loaded:latest", loaded.getFirst().getNames(0));
        assertEquals(java.util.Arrays.hashCode(archive), engine.lastLoaded, "the engine loaded exactly the bytes sent");
        try (var spooled = Files.list(dir.resolve("spool"))) {
            assertEquals(0, spooled.count(), "the spool file goes once the load is done");
        }
    }

    @Test
    void anArchiveTheClientCannotReadLoadsNothing() {
        java.io.InputStream failing = new java.io.InputStream() {
            @Override public int read() throws java.io.IOException { throw new java.io.IOException("disk on fire"); }
        };
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> client.loadImage(failing, "x.tar"));
        assertEquals("disk on fire", e.getMessage());
        assertFalse(engine.calls().stream().anyMatch(c -> c.startsWith("loadImage")));
    }

    @Test
    void savedImagesStreamBackToTheClient() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        client.saveImages(List.of("localhost/busybox"), out);
        String saved = out.toString();
        assertEquals("saved [localhost/busybox]".length() + (3 << 20), saved.length(), "every chunk, in order");
        assertTrue(saved.startsWith("saved [localhost/busybox]xxx") && saved.endsWith("xxx"), saved.substring(0, 40));
        EnviroError e = assertThrows(EnviroError.class, () -> client.saveImages(List.of(), new java.io.ByteArrayOutputStream()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    void closingTheDaemonShutsTheEngineDownAndRemovesTheSocket() {
        client.close();
        client = null;
        daemon.close();
        daemon = null;
        assertTrue(engine.shutDown);
        assertFalse(Files.exists(dir.resolve("run/enviro.sock")));
    }

    static String text(Iterator<LogChunk> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEachRemaining(c -> out.writeBytes(c.getData().toByteArray()));
        return out.toString(StandardCharsets.UTF_8);
    }

    static void waitForLines(Path file, int n) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (Files.exists(file) && Files.readAllLines(file).size() >= n) return;
            Thread.sleep(10);
        }
        fail("the log never had " + n + " lines");
    }

    /**
     * Input to a container that does not read it is held back by HTTP/2 flow control: the engine takes
     * the client's next message only once the one before is written to the container's monitor, so
     * nothing piles up in the engine's memory. Without that, the engine would drain the client into a
     * queue as fast as it sends, and the client would never see the call stop being ready.
     */
    @Test
    @Timeout(60)
    void attachInputTheContainerDoesNotReadIsHeldBackByFlowControl() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        engine.program("img", Program.runsUntil(release));
        String id = client.run(spec("img"), true).next().getStarted().getId();
        Path log = Path.of(engine.containers().get(id).logPath());
        Path socket = log.resolveSibling(RecordingEngine.ATTACH_SOCKET);
        try (java.nio.channels.ServerSocketChannel monitor = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            monitor.bind(java.net.UnixDomainSocketAddress.of(socket));
            CompletableFuture<Void> ended = new CompletableFuture<>();
            io.grpc.stub.ClientCallStreamObserver<dev.enviro.grpc.v1.AttachInput> input = (io.grpc.stub.ClientCallStreamObserver<dev.enviro.grpc.v1.AttachInput>)
                    dev.enviro.grpc.v1.EnviroGrpc.newStub(client.channel()).attach(new io.grpc.stub.StreamObserver<RunEvent>() {
                        @Override public void onNext(RunEvent value) { }
                        @Override public void onError(Throwable t) { ended.complete(null); }
                        @Override public void onCompleted() { ended.complete(null); }
                    });
            input.onNext(dev.enviro.grpc.v1.AttachInput.newBuilder().setRef(id).build());
            try (java.nio.channels.SocketChannel peer = monitor.accept()) { // the "monitor": connected, never reads
                com.google.protobuf.ByteString chunk = com.google.protobuf.ByteString.copyFrom(new byte[64 << 10]);
                long sent = 0, limit = 256L << 20;
                while (sent < limit) {
                    // not ready: either a moment's transport backlog, or the engine stopped asking for more
                    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                    while (!input.isReady() && System.nanoTime() < deadline) Thread.sleep(10);
                    if (!input.isReady()) break;
                    input.onNext(dev.enviro.grpc.v1.AttachInput.newBuilder().setStdin(chunk).build());
                    sent += chunk.size();
                }
                assertTrue(sent < 32L << 20, "the client could send " + (sent >> 20) + " MiB to a container that reads nothing");
            }
            input.cancel("done", null);
            release.complete(null);
            ended.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}

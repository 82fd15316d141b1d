package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import dev.enviro.actors.ContainerView;
import dev.enviro.actors.Engine;
import dev.enviro.images.ImageSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link Engine} for testing the API mapping only: it records every call and plays a
 * scripted "program" per image, writing its output to a real CRI log file. The real engine's
 * behaviour is tested end to end elsewhere; nothing here is used outside tests.
 */
public final class RecordingEngine implements Engine {

    /** One line a program writes, on stdout or stderr, after {@code delay}. */
    public record Line(String stream, String text, boolean partial, Duration delay) {
        public static Line out(String text) { return new Line("stdout", text, false, Duration.ZERO); }
        public static Line err(String text) { return new Line("stderr", text, false, Duration.ZERO); }
    }

    /** What starting a container of an image does: lines written, then exit with {@code exitCode}; or a start failure. */
    public record Program(List<Line> lines, int exitCode, Duration runFor, EnviroError startFailure, CompletableFuture<Void> release) {
        public static Program exits(int code, Line... lines) {
            return new Program(List.of(lines), code, Duration.ZERO, null, CompletableFuture.completedFuture(null));
        }
        /** Runs until {@code release} completes (or a stop/kill). */
        public static Program runsUntil(CompletableFuture<Void> release, Line... lines) {
            return new Program(List.of(lines), 0, Duration.ZERO, null, release);
        }
        public static Program failsToStart(EnviroError failure) {
            return new Program(List.of(), 0, Duration.ZERO, failure, CompletableFuture.completedFuture(null));
        }
    }

    private final Path logDir;
    private final Map<String, Program> programs = new ConcurrentHashMap<>();
    private final Map<String, ContainerView> containers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<ContainerView>> exits = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<ImageSummary> images = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile RuntimeException nextFailure;
    public volatile ContainerDefinition lastCreate;
    public volatile boolean shutDown;

    public RecordingEngine(Path logDir) {
        this.logDir = logDir;
    }

    public RecordingEngine program(String image, Program program) {
        programs.put(image, program);
        return this;
    }

    /** The next call fails with {@code failure} (thrown synchronously if it is not an EnviroError). */
    public void failNext(RuntimeException failure) {
        nextFailure = failure;
    }

    public void addImage(ImageSummary image) {
        images.add(image);
    }

    /** Every call, as {@code method(arguments)}, in order. */
    public List<String> calls() {
        return Collections.unmodifiableList(calls);
    }

    public Map<String, ContainerView> containers() {
        return containers;
    }

    /** A recorded container's attach socket: beside its log, as a test binds it. */
    static final String ATTACH_SOCKET = "attach.sock";

    @Override
    public java.util.Optional<Path> attachSocket(String containerId, String execId) {
        Path dir = Path.of(containers.get(containerId).logPath()).getParent();
        Path socket = execId == null ? dir.resolve(ATTACH_SOCKET) : dir.resolve("exec").resolve(execId + ".sock");
        return Files.exists(socket) ? java.util.Optional.of(socket) : java.util.Optional.empty();
    }

    /** A stand-in engine speaks to no registry: every login is accepted (RegistryPullTest asks a real one). */
    @Override
    public CompletionStage<Void> checkLogin(String registry, dev.enviro.images.registry.Credentials credentials) {
        calls.add("checkLogin(" + registry + "," + credentials.username() + ")");
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<ContainerView> create(ContainerDefinition request, boolean startFollows) {
        calls.add("create(" + request.image() + ")");
        lastCreate = request;
        return attempt(() -> {
            if (request.name() != null && containers.values().stream().anyMatch(c -> request.name().equals(c.name()))) {
                throw new EnviroError(ErrorCode.ALREADY_EXISTS, "the name " + request.name() + " is already in use");
            }
            int n = ids.incrementAndGet();
            String id = String.format("%064x", n * 0x1000003L + 0xabcdef00000L);
            String name = request.name() != null ? request.name() : "container_" + n;
            List<String> argv = new ArrayList<>();
            if (request.entrypoint() != null) argv.addAll(request.entrypoint());
            if (request.command() != null) argv.addAll(request.command());
            if (argv.isEmpty()) argv.add("sh");
            ContainerView view = new ContainerView(id, name, request.image(), "sha256:" + "d".repeat(64), argv,
                    ContainerView.State.CREATED, 0, null, Instant.now(), null, null, null,
                    logDir.resolve(id + ".log").toString(), "recording");
            containers.put(id, view);
            exits.put(id, new CompletableFuture<>());
            return view;
        });
    }

    @Override
    public CompletionStage<ContainerView> start(String ref) {
        calls.add("start(" + ref + ")");
        return attempt(() -> {
            ContainerView c = find(ref);
            Program program = programs.getOrDefault(c.image(), Program.exits(0));
            if (program.startFailure() != null) {
                throw program.startFailure();
            }
            ContainerView running = with(c, ContainerView.State.RUNNING, 4242, null, Instant.now(), null);
            containers.put(c.id(), running);
            Thread.ofVirtual().start(() -> play(running, program));
            return running;
        });
    }

    private void play(ContainerView c, Program program) {
        Path log = Path.of(c.logPath());
        try {
            Files.createDirectories(log.getParent());
            Files.createFile(log);
            for (Line line : program.lines()) {
                if (!line.delay().isZero()) Thread.sleep(line.delay());
                String record = Instant.now() + " " + line.stream() + " " + (line.partial() ? "P" : "F") + " " + line.text() + "\n";
                Files.writeString(log, record, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
            program.release().get();
            if (!program.runFor().isZero()) Thread.sleep(program.runFor());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            // released by stop/kill
        }
        exit(c.id(), program.exitCode());
    }

    private void exit(String id, int code) {
        ContainerView c = containers.get(id);
        if (c == null || c.state() != ContainerView.State.RUNNING) return;
        ContainerView exited = with(c, ContainerView.State.EXITED, 0, code, c.startedAt(), Instant.now());
        containers.put(id, exited);
        exits.get(id).complete(exited);
    }

    @Override
    public CompletionStage<ContainerView> stop(String ref, Duration grace) {
        calls.add("stop(" + ref + "," + grace.toSeconds() + ")");
        return attempt(() -> find(ref)).thenCompose(c -> {
            exit(c.id(), 143);
            return exits.get(c.id());
        });
    }

    @Override
    public CompletionStage<ContainerView> kill(String ref, int signal) {
        calls.add("kill(" + ref + "," + signal + ")");
        return attempt(() -> {
            ContainerView c = find(ref);
            if (c.state() != ContainerView.State.RUNNING) {
                throw new EnviroError(ErrorCode.CONFLICT, "container " + c.name() + " is not running");
            }
            exit(c.id(), 128 + signal);
            return containers.get(c.id());
        });
    }

    @Override
    public CompletionStage<ContainerView> remove(String ref, boolean force) {
        calls.add("remove(" + ref + "," + force + ")");
        return attempt(() -> {
            ContainerView c = find(ref);
            if (c.state() == ContainerView.State.RUNNING && !force) {
                throw new EnviroError(ErrorCode.CONFLICT,
                        "container " + c.name() + " is running: stop it first or use 'enviro rm -f'");
            }
            exit(c.id(), 137);
            ContainerView last = containers.remove(c.id());
            try {
                Files.deleteIfExists(Path.of(c.logPath()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return with(last, ContainerView.State.REMOVED, 0, last.exitCode(), last.startedAt(), last.finishedAt());
        });
    }

    @Override
    public CompletionStage<List<ContainerView>> list(boolean all) {
        calls.add("list(" + all + ")");
        return attempt(() -> containers.values().stream()
                .filter(c -> all || c.state() == ContainerView.State.RUNNING)
                .sorted((a, b) -> b.createdAt().compareTo(a.createdAt()))
                .toList());
    }

    @Override
    public CompletionStage<ContainerView> inspect(String ref) {
        calls.add("inspect(" + ref + ")");
        return attempt(() -> find(ref));
    }

    @Override
    public CompletionStage<ContainerView> awaitExit(String ref) {
        calls.add("awaitExit(" + ref + ")");
        return attempt(() -> find(ref)).thenCompose(c -> exits.get(c.id()));
    }

    @Override
    public CompletionStage<Path> logPath(String ref) {
        calls.add("logPath(" + ref + ")");
        return attempt(() -> Path.of(find(ref).logPath()));
    }

    /** The hash of the bytes of the last archive loaded. */
    volatile int lastLoaded;

    @Override
    public CompletionStage<Void> saveImages(List<String> refs, Path archive) {
        calls.add("saveImages(" + refs + ")");
        return attempt(() -> {
            try {
                Files.writeString(archive, "saved " + refs + "x".repeat(3 << 20));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<List<ImageSummary>> loadImage(Path archive) {
        calls.add("loadImage(" + archive + ")");
        return attempt(() -> {
            if (!Files.exists(archive)) {
                throw new EnviroError(ErrorCode.NOT_FOUND, "image archive " + archive + " not found");
            }
            try {
                lastLoaded = java.util.Arrays.hashCode(Files.readAllBytes(archive));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ImageSummary loaded = new ImageSummary("sha256:" + "e".repeat(64), "sha256:" + "f".repeat(64),
                    List.of("localhost/loaded:latest"), 1234, Instant.now());
            images.add(loaded);
            return List.of(loaded);
        });
    }

    @Override
    public CompletionStage<List<ImageSummary>> listImages() {
        calls.add("listImages()");
        return attempt(() -> List.copyOf(images));
    }

    @Override
    public CompletionStage<Void> shutdown() {
        calls.add("shutdown()");
        shutDown = true;
        return CompletableFuture.completedFuture(null);
    }

    private ContainerView find(String ref) {
        ContainerView byName = containers.values().stream().filter(c -> c.name().equals(ref)).findFirst().orElse(null);
        if (byName != null) return byName;
        List<ContainerView> byId = containers.values().stream().filter(c -> c.id().startsWith(ref)).toList();
        if (byId.size() == 1) return byId.getFirst();
        throw new EnviroError(ErrorCode.NOT_FOUND, "no such container: " + ref);
    }

    private static ContainerView with(ContainerView c, ContainerView.State state, int pid, Integer exitCode, Instant started, Instant finished) {
        return new ContainerView(c.id(), c.name(), c.image(), c.imageDigest(), c.argv(), state, pid, exitCode,
                c.createdAt(), started, finished, c.error(), c.logPath(), c.executor());
    }

    private <T> CompletionStage<T> attempt(java.util.function.Supplier<T> body) {
        RuntimeException failure = nextFailure;
        if (failure != null) {
            nextFailure = null;
            if (!(failure instanceof EnviroError)) throw failure;
            return CompletableFuture.failedStage(failure);
        }
        try {
            return CompletableFuture.completedFuture(body.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
    }
}

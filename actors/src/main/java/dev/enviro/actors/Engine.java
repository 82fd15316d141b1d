package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import dev.enviro.images.ImageSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The engine as the API layer sees it. Every method answers asynchronously; failures complete the
 * stage with {@link EnviroError}. {@code ref} is a container id, a unique id prefix, or a name.
 * Every state change is persisted as an event before the stage completes.
 */
public interface Engine {

    /** Creates (persists {@code Created}) without starting. {@code name} may be null: one is generated. */
    default CompletionStage<ContainerView> create(ContainerDefinition definition) {
        return create(definition, false);
    }

    /**
     * Creates, recording whether a start follows ({@code run}): an engine that dies between the two finds,
     * when it comes back, a container whose start was interrupted, and says so.
     */
    CompletionStage<ContainerView> create(ContainerDefinition definition, boolean startFollows);

    /**
     * Where a client's keys and window sizes for container {@code containerId} (or its exec
     * {@code execId}, when not null) go: its executor's attach socket, empty when it has none (started
     * without {@code -i}/{@code -t}). Callers never build the path themselves: it is the executor's layout.
     */
    default java.util.Optional<Path> attachSocket(String containerId, String execId) {
        return java.util.Optional.empty();
    }

    CompletionStage<ContainerView> start(String ref);

    /** SIGTERM (or the image's StopSignal), then SIGKILL after {@code grace}; completes when exited. */
    CompletionStage<ContainerView> stop(String ref, Duration grace);

    CompletionStage<ContainerView> kill(String ref, int signal);

    /** Removes an exited container (or a running one with {@code force}: killed first) and its files. */
    CompletionStage<ContainerView> remove(String ref, boolean force);

    CompletionStage<List<ContainerView>> list(boolean all);

    CompletionStage<ContainerView> inspect(String ref);

    /** Completes when the container has exited (immediately if it already has). */
    CompletionStage<ContainerView> awaitExit(String ref);

    /** The container's log file (CRI format, see docs/logs.md); it outlives the engine. */
    CompletionStage<Path> logPath(String ref);

    CompletionStage<List<ImageSummary>> loadImage(Path archive);

    CompletionStage<List<ImageSummary>> listImages();

    /**
     * Pulls an image from its registry (see {@link dev.enviro.images.ImageStore#pull}); {@code events}
     * is called from the downloading threads. {@code platform} and {@code credentials} may be null.
     */
    default CompletionStage<ImageSummary> pull(String reference, String platform, dev.enviro.images.registry.Credentials credentials,
                                               java.util.function.Consumer<dev.enviro.images.PullEvent> events) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot pull images"));
    }

    /** Whether {@code registry} accepts {@code credentials} now (see {@link dev.enviro.images.ImageStore#checkLogin}). */
    default CompletionStage<Void> checkLogin(String registry, dev.enviro.images.registry.Credentials credentials) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot reach registries"));
    }

    /**
     * {@code rmi}: see {@link dev.enviro.images.ImageStore#remove}; an image that a container (in any
     * state but removed) uses is refused unless {@code force}.
     */
    default CompletionStage<dev.enviro.images.ImageRemoval> removeImage(String ref, boolean force) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot remove images"));
    }

    /** {@code tag SOURCE TARGET}. */
    default CompletionStage<ImageSummary> tagImage(String source, String target) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot tag images"));
    }

    /** {@code image inspect}. */
    default CompletionStage<dev.enviro.images.ImageDetails> inspectImage(String ref) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot inspect images"));
    }

    /** {@code save -o}: an OCI layout tar at {@code archive}, a path on the engine's host. */
    default CompletionStage<Void> saveImages(List<String> refs, Path archive) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot save images"));
    }

    /** {@code image prune [-a]}: unused images, then garbage; never what a container uses. */
    default CompletionStage<dev.enviro.images.PruneReport> pruneImages(boolean all) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot prune images"));
    }

    /** Stops accepting work and terminates the actor system; running containers keep running. */
    CompletionStage<Void> shutdown();

    /**
     * Changes the limits of a container ({@code enviro update}): every value {@code changes} sets replaces
     * the current one, the rest stay. A running container's cgroup takes them at once; the new set is
     * persisted ({@code ResourcesUpdated}) once applied, and a stopped container gets them at its next start.
     */
    default CompletionStage<ContainerView> update(String ref, dev.enviro.persistence.Resources changes) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot change resource limits"));
    }

    /** One sample of a running container's resource counters ({@code enviro stats}). */
    default CompletionStage<ContainerStats> stats(String ref) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine keeps no resource statistics"));
    }

    /**
     * Runs one more process in a running container ({@code enviro exec}): its namespaces, cgroup and security
     * profile. Completes once the command has exec'd; fails like a start (exit code 127/126 in the exception).
     */
    default CompletionStage<ExecSession> exec(String ref, dev.enviro.runtime.ExecSpec exec) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot exec into containers"));
    }

    /** Freezes ({@code paused}) or thaws every process of a running container (the cgroup freezer). */
    default CompletionStage<ContainerView> pause(String ref, boolean paused) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine cannot pause containers"));
    }

    /**
     * The audit log (docs/events.md): lifecycle events in journal order, filtered by {@code query}; its
     * subjects may be container names or id prefixes (resolved here; a removed container is named by
     * its full id). The stream blocks while waiting (run it on a virtual thread); with
     * {@code query.follow()} it is endless: close it to stop.
     */
    default CompletionStage<java.util.stream.Stream<dev.enviro.persistence.AuditRecord>> events(
            dev.enviro.persistence.AuditQuery query) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine keeps no event log"));
    }

    /** Every event of one container, oldest first; {@code ref} may be the full id of a removed container. */
    default CompletionStage<List<dev.enviro.persistence.AuditRecord>> history(String ref) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine keeps no event log"));
    }

    /**
     * Creates service {@code name}: {@code replicas} containers {@code name.1} ... from {@code image}
     * ({@code command} empty: the image's), kept running by the service's actor (docs/services.md).
     */
    default CompletionStage<ServiceView> createService(String name, String image, List<String> command, int replicas) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine has no services"));
    }

    /** Changes how many replicas the service keeps running; the change is live. */
    default CompletionStage<ServiceView> scaleService(String name, int replicas) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine has no services"));
    }

    /** Removes the service and all its replicas (stopped with force). */
    default CompletionStage<ServiceView> removeService(String name) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine has no services"));
    }

    /** Every service, by name. */
    default CompletionStage<List<ServiceView>> listServices() {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.UNAVAILABLE,
                "this engine has no services"));
    }
}

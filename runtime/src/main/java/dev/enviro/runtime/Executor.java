package dev.enviro.runtime;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.Resources;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Turns a container spec into an isolated, monitored process. Executors are pluggable (native, an
 * OCI runtime delegate, WASM, {@code .so} plugins); the engine chooses one per container by
 * {@link #type()}.
 *
 * <p>Contract: {@link #prepare} may block (image resolution, rootfs snapshot) and is called off
 * Pekko's default dispatcher; {@link #execute} and {@link #awaitExit} never block the caller.
 * Every method is idempotent with respect to a container id, so a restarted engine can repeat a
 * step it was interrupted in.
 */
public interface Executor {

    /** The name users and the journal know this executor by, e.g. {@code "native"}. */
    String type();

    /**
     * Refuses, at create, what a start of {@code definition} from {@code image} would refuse, so that a bad
     * request leaves no container behind: the executor's own rules, the same code its {@link #prepare}
     * runs. Makes nothing; may block (it may read the image's files). Messages name no container (the
     * caller adds one where it exists). By default nothing is checked before the start.
     */
    default void admit(dev.enviro.persistence.ContainerDefinition definition, dev.enviro.images.ResolvedImage image) throws EnviroError {
    }

    /** Resolves the image and the process, and creates the container's state directory and rootfs snapshot. */
    PreparedContainer prepare(ContainerSpec spec) throws EnviroError;

    /**
     * Starts the container. Completes once the container's process has exec'd its command, or
     * fails with an {@link EnviroError} naming the step and errno (e.g. {@code pivot_root: EINVAL})
     * or {@link ErrorCode#COMMAND_NOT_FOUND}.
     */
    CompletionStage<ContainerProcess> execute(PreparedContainer prepared);

    /**
     * Completes when the container has exited and its monitor has recorded the status. Works for a
     * process started by an earlier engine (after {@link #adopt}).
     */
    CompletionStage<ExitStatus> awaitExit(ContainerProcess process);

    /**
     * Re-attaches to a container recorded by an earlier engine. Empty when the monitor is gone (the
     * container has exited: read {@link #recordedExit}); identity is checked by pid and start time.
     */
    Optional<ContainerProcess> adopt(ContainerProcess recorded);

    /**
     * The process a start of {@code containerId} left alive without its caller having recorded it (the
     * engine died between spawning the container and journaling {@code Started}): still running, identity
     * checked by pid and start time. Empty when there is none or the executor cannot tell.
     */
    default Optional<ContainerProcess> unrecorded(String containerId) {
        return Optional.empty();
    }

    /** The exit status the monitor wrote, if it did. */
    Optional<ExitStatus> recordedExit(ContainerProcess recorded);

    /** Sends {@code signal} to the container's init through a pidfd (never to a reused pid). */
    void signal(ContainerProcess process, int signal) throws EnviroError;

    /** Removes everything the container owns on the host: rootfs snapshot, cgroup, state directory, logs. */
    void cleanup(String containerId) throws EnviroError;

    /** The container's resource counters now; never blocks the caller. */
    default CompletionStage<ResourceUsage> usage(ContainerProcess process) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.INVALID_ARGUMENT,
                type() + " executor cannot report resource usage"));
    }

    /**
     * Applies {@code resources} (the whole set now in force) to a running container. Blocks briefly (a few
     * cgroup file writes): call it off shared threads.
     */
    default void updateResources(ContainerProcess process, Resources resources) throws EnviroError {
        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, type() + " executor cannot change limits of a running container");
    }

    /** Freezes ({@code paused}) or thaws every process of the container. Blocks until the kernel is done. */
    default void pause(ContainerProcess process, boolean paused) throws EnviroError {
        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, type() + " executor cannot pause containers");
    }

    /**
     * Where the monitor of {@code containerId} (or of its exec {@code execId}, when not null) takes a
     * terminal's input and window sizes; empty when this executor has no such socket (a container
     * started without {@code -i} or {@code -t}). Only the executor knows its own layout.
     */
    default java.util.Optional<java.nio.file.Path> attachSocket(String containerId, String execId) {
        return java.util.Optional.empty();
    }

    /**
     * Starts {@code exec} in the running container {@code running} (created from {@code container}): the same
     * path as a container's start, joining its namespaces instead of creating them, entering its cgroup, under
     * its capabilities and seccomp filter. Completes once the command has exec'd, with the exec's own process
     * (its monitor, log and status files): {@link #awaitExit} and {@link #signal} take it as they take a container's.
     */
    default CompletionStage<ContainerProcess> exec(ContainerSpec container, ContainerProcess running, ExecSpec exec) {
        return java.util.concurrent.CompletableFuture.failedStage(new EnviroError(ErrorCode.INVALID_ARGUMENT,
                type() + " executor cannot exec into containers"));
    }

    default CompletionStage<Void> checkpoint(ContainerProcess process, java.nio.file.Path imageDir) {
        return java.util.concurrent.CompletableFuture.failedStage(
                new UnsupportedOperationException(type() + " executor cannot checkpoint yet"));
    }

    default CompletionStage<ContainerProcess> restore(PreparedContainer prepared, java.nio.file.Path imageDir) {
        return java.util.concurrent.CompletableFuture.failedStage(
                new UnsupportedOperationException(type() + " executor cannot restore yet"));
    }
}

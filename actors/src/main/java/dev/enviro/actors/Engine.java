package dev.enviro.actors;

import dev.enviro.images.ImageSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The engine as the API layer sees it. Every method answers asynchronously; failures complete the
 * stage with {@link EngineException}. {@code ref} is a container id, a unique id prefix, or a name.
 * Every state change is persisted as an event before the stage completes.
 */
public interface Engine {

    /** Creates (persists {@code Created}) without starting. {@code name} may be null: one is generated. */
    CompletionStage<ContainerView> create(CreateRequest request);

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

    /** Stops accepting work and terminates the actor system; running containers keep running. */
    CompletionStage<Void> shutdown();

    record CreateRequest(
            String name,
            String image,
            List<String> entrypoint,
            List<String> command,
            List<String> env,
            String workdir,
            String user,
            String hostname,
            boolean autoRemove) {}
}

package dev.enviro.actors;

import dev.enviro.images.ImageStore;
import dev.enviro.runtime.Executor;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What an engine is started with.
 *
 * @param stateDir the engine's state directory (docs/contracts.md); the journal lives in {@code journal/}
 * @param executor runs the containers; its {@link Executor#type()} is recorded with each container
 * @param images   the local image store behind {@code load} and {@code images}
 * @param nodeName this engine's name in logs, and later its cluster member name
 */
public record EngineSettings(Path stateDir, Executor executor, ImageStore images, String nodeName) {

    public EngineSettings {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(images, "images");
        nodeName = nodeName == null || nodeName.isBlank() ? "local" : nodeName;
    }
}

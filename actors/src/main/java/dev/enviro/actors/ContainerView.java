package dev.enviro.actors;

import java.time.Instant;
import java.util.List;

/**
 * A container as clients see it ({@code ps}, {@code inspect}): a read model of the actor's state.
 * Times and codes are null/absent until the container reaches the state that sets them.
 */
public record ContainerView(
        String id,
        String name,
        String image,
        String imageDigest,
        List<String> argv,
        State state,
        int pid,
        Integer exitCode,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String error,
        String logPath,
        String executor) {

    public enum State { CREATED, RUNNING, EXITED, REMOVED }

    public ContainerView {
        argv = argv == null ? List.of() : List.copyOf(argv);
    }
}

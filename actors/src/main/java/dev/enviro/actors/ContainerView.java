package dev.enviro.actors;

import java.time.Instant;
import java.util.List;

/**
 * A container as clients see it ({@code ps}, {@code inspect}): a read model of the actor's state.
 * Times and codes are null/absent until the container reaches the state that sets them.
 * {@code restartCount}: restarts by the restart policy since the user's last start.
 * {@code oomKilled}: the kernel's OOM killer killed a process of the container in its last run.
 * {@code resources}: the limits now in force (as created, then changed by {@code enviro update}).
 * {@code paused}: a running container whose processes are frozen ({@code enviro pause}).
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
        String executor,
        int restartCount,
        String restartPolicy,
        boolean oomKilled,
        dev.enviro.persistence.Resources resources,
        boolean paused,
        List<String> ports) {

    /** Without published ports. */
    public ContainerView(String id, String name, String image, String imageDigest, List<String> argv, State state, int pid,
            Integer exitCode, Instant createdAt, Instant startedAt, Instant finishedAt, String error, String logPath, String executor,
            int restartCount, String restartPolicy, boolean oomKilled, dev.enviro.persistence.Resources resources, boolean paused) {
        this(id, name, image, imageDigest, argv, state, pid, exitCode, createdAt, startedAt, finishedAt, error, logPath, executor,
                restartCount, restartPolicy, oomKilled, resources, paused, List.of());
    }

    public enum State { CREATED, RUNNING, EXITED, REMOVED }

    public ContainerView {
        argv = argv == null ? List.of() : List.copyOf(argv);
        ports = ports == null ? List.of() : List.copyOf(ports);
        restartPolicy = restartPolicy == null ? "no" : restartPolicy;
        resources = resources == null ? dev.enviro.persistence.Resources.NONE : resources;
    }

    /** The shape before pause was recorded: not paused. */
    public ContainerView(String id, String name, String image, String imageDigest, List<String> argv, State state,
                         int pid, Integer exitCode, Instant createdAt, Instant startedAt, Instant finishedAt,
                         String error, String logPath, String executor, int restartCount, String restartPolicy,
                         boolean oomKilled, dev.enviro.persistence.Resources resources) {
        this(id, name, image, imageDigest, argv, state, pid, exitCode, createdAt, startedAt, finishedAt, error, logPath,
                executor, restartCount, restartPolicy, oomKilled, resources, false);
    }

    /** The shape before resource limits: not OOM-killed, no limits. */
    public ContainerView(String id, String name, String image, String imageDigest, List<String> argv, State state,
                         int pid, Integer exitCode, Instant createdAt, Instant startedAt, Instant finishedAt,
                         String error, String logPath, String executor, int restartCount, String restartPolicy) {
        this(id, name, image, imageDigest, argv, state, pid, exitCode, createdAt, startedAt, finishedAt, error, logPath,
                executor, restartCount, restartPolicy, false, null);
    }

    /** The shape before restart policies: no restarts, policy {@code no}. */
    public ContainerView(String id, String name, String image, String imageDigest, List<String> argv, State state,
                         int pid, Integer exitCode, Instant createdAt, Instant startedAt, Instant finishedAt,
                         String error, String logPath, String executor) {
        this(id, name, image, imageDigest, argv, state, pid, exitCode, createdAt, startedAt, finishedAt, error, logPath,
                executor, 0, "no", false, null);
    }
}

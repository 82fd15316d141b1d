package dev.enviro.actors;

import dev.enviro.persistence.ContainerEvent;
import dev.enviro.runtime.ContainerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lifecycle of one container as types: what {@link ContainerActor} can do depends on which one it
 * is in. Each state is rebuilt from the journal's events only, and keeps the events themselves as its
 * data, so that {@code inspect} shows exactly what was recorded.
 */
sealed interface ContainerState {

    /** No {@code Created} in the journal: the id was registered but the create never landed. */
    record Empty() implements ContainerState {}

    /** Never started, or every start failed before exec. {@code prepared} and {@code error} may be null. */
    record Created(ContainerEvent.Created definition, ContainerEvent.Prepared prepared, String error)
            implements ContainerState {}

    record Running(ContainerEvent.Created definition, ContainerEvent.Prepared prepared, ContainerEvent.Started started)
            implements ContainerState {

        ContainerProcess process() {
            return new ContainerProcess(definition.containerId(), started.pid(), started.pidStartTime(),
                    started.monitorPid(), started.monitorStartTime(),
                    Path.of(started.logPath()), Path.of(started.statusPath()));
        }
    }

    /** {@code started} is null when the command was never found (exit 127/126 without a process). */
    record Exited(ContainerEvent.Created definition, ContainerEvent.Prepared prepared, ContainerEvent.Started started,
                  ContainerEvent.Exited exit, String error) implements ContainerState {}

    /** Terminal: files are gone, the journal keeps the last view for the audit log. */
    record Removed(ContainerView last) implements ContainerState {}

    /** The read model clients see; {@code Empty} has none. */
    static ContainerView view(ContainerState state) {
        return switch (state) {
            case Empty e -> throw new IllegalStateException("an empty container has no view");
            case Created c -> view(c.definition(), c.prepared(), null, null, c.error(), ContainerView.State.CREATED);
            case Running r -> view(r.definition(), r.prepared(), r.started(), null, null, ContainerView.State.RUNNING);
            case Exited x -> view(x.definition(), x.prepared(), x.started(), x.exit(), x.error(), ContainerView.State.EXITED);
            case Removed r -> r.last();
        };
    }

    private static ContainerView view(ContainerEvent.Created def, ContainerEvent.Prepared prepared,
                                      ContainerEvent.Started started, ContainerEvent.Exited exit, String error,
                                      ContainerView.State state) {
        String logPath = started != null ? started.logPath() : prepared != null ? prepared.logPath() : null;
        return new ContainerView(
                def.containerId(),
                def.name(),
                def.image(),
                prepared == null ? null : prepared.imageDigest(),
                prepared == null ? requestedArgv(def) : prepared.argv(),
                state,
                state == ContainerView.State.RUNNING ? started.pid() : 0,
                exit == null ? null : exit.exitCode(),
                def.timestamp(),
                started == null ? null : started.timestamp(),
                exit == null ? null : exit.finishedAt(),
                error,
                logPath,
                def.executor());
    }

    /** Before the image is consulted only the overrides are known; inspect shows those. */
    private static List<String> requestedArgv(ContainerEvent.Created def) {
        List<String> argv = new ArrayList<>();
        if (def.entrypoint() != null) {
            argv.addAll(def.entrypoint());
        }
        argv.addAll(def.command());
        return argv;
    }

    /** Removed keeps the view as it was, marked removed. */
    static ContainerView removedView(ContainerState before) {
        ContainerView v = view(before);
        return new ContainerView(v.id(), v.name(), v.image(), v.imageDigest(), v.argv(), ContainerView.State.REMOVED,
                0, v.exitCode(), v.createdAt(), v.startedAt(), v.finishedAt(), v.error(), v.logPath(), v.executor());
    }
}

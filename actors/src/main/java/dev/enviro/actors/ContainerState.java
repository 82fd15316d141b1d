package dev.enviro.actors;

import dev.enviro.persistence.ContainerEvent;
import dev.enviro.runtime.ContainerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lifecycle of one container as types: what {@link ContainerActor} can do depends on which one it
 * is in. Each state is rebuilt from the journal's events only ({@link #apply}, pure), and keeps the
 * events themselves as its data, so that {@code inspect} shows exactly what was recorded.
 *
 * <p>It is also the actor's snapshot (CBOR through the {@code JournalSerializable} binding): only
 * records of events and plain values, so a snapshot evolves as the events do (nullable components
 * added at the end).
 */
sealed interface ContainerState extends dev.enviro.persistence.JournalSerializable {

    /** No {@code Created} in the journal: the id was registered but the create never landed. */
    record Empty() implements ContainerState {}

    /** Never started, or every start failed before exec. {@code prepared} and {@code error} may be null. */
    record Created(ContainerEvent.Created definition, ContainerEvent.Prepared prepared, String error, Restarts restarts)
            implements ContainerState {
        Created(ContainerEvent.Created definition, ContainerEvent.Prepared prepared, String error) {
            this(definition, prepared, error, Restarts.NONE);
        }
    }

    /** {@code paused}: its processes are frozen ({@code enviro pause}); the freeze outlives an engine restart. */
    record Running(ContainerEvent.Created definition, ContainerEvent.Prepared prepared, ContainerEvent.Started started,
                   Restarts restarts, boolean paused) implements ContainerState {

        Running(ContainerEvent.Created definition, ContainerEvent.Prepared prepared, ContainerEvent.Started started,
                Restarts restarts) {
            this(definition, prepared, started, restarts, false);
        }

        Running paused(boolean frozen) {
            return new Running(definition, prepared, started, restarts, frozen);
        }

        ContainerProcess process() {
            return new ContainerProcess(definition.containerId(), started.pid(), started.pidStartTime(),
                    started.monitorPid(), started.monitorStartTime(),
                    Path.of(started.logPath()), Path.of(started.statusPath()));
        }
    }

    /** {@code started} is null when the command was never found (exit 127/126 without a process). */
    record Exited(ContainerEvent.Created definition, ContainerEvent.Prepared prepared, ContainerEvent.Started started,
                  ContainerEvent.Exited exit, String error, Restarts restarts) implements ContainerState {}

    /** Terminal: files are gone, the journal keeps the last view for the audit log. */
    record Removed(ContainerView last) implements ContainerState {}

    /**
     * The state after {@code event}. An event that does not fit the state (it cannot be written so, but
     * an old journal is replayed as it is) leaves the state as it was rather than failing recovery.
     */
    static ContainerState apply(ContainerState state, ContainerEvent event) {
        if (event instanceof ContainerEvent.ResourcesUpdated u) {
            return withLimits(state, u.resources());
        }
        return switch (state) {
            case Empty e when event instanceof ContainerEvent.Created c -> new Created(c, null, null, Restarts.NONE);
            case Created s -> switch (event) {
                // A new start attempt: the previous one's error is history.
                case ContainerEvent.Prepared p -> new Created(s.definition(), p, null, s.restarts());
                case ContainerEvent.Started st -> new Running(s.definition(), s.prepared(), st, s.restarts().started());
                case ContainerEvent.StartFailed f -> new Created(s.definition(), s.prepared(), f.reason(), s.restarts().startFailed());
                case ContainerEvent.Exited x -> new Exited(s.definition(), s.prepared(), null, x, s.error(), s.restarts());
                case ContainerEvent.Stopped x -> new Created(s.definition(), s.prepared(), s.error(), s.restarts().stopped());
                case ContainerEvent.Removed r -> new Removed(removedView(s));
                default -> s;
            };
            case Running s -> switch (event) {
                case ContainerEvent.Exited x -> new Exited(s.definition(), s.prepared(), s.started(), x, null, s.restarts());
                case ContainerEvent.Stopped x -> new Running(s.definition(), s.prepared(), s.started(), s.restarts().stopped(),
                        s.paused());
                case ContainerEvent.Paused p -> s.paused(true);
                case ContainerEvent.Unpaused u -> s.paused(false);
                default -> s;
            };
            case Exited s -> switch (event) {
                case ContainerEvent.Prepared p -> new Exited(s.definition(), p, s.started(), s.exit(), s.error(), s.restarts());
                case ContainerEvent.Started st -> new Running(s.definition(), s.prepared(), st, s.restarts().started());
                case ContainerEvent.StartFailed f -> new Exited(s.definition(), s.prepared(), s.started(), s.exit(), f.reason(),
                        s.restarts().startFailed());
                case ContainerEvent.Exited x -> new Exited(s.definition(), s.prepared(), s.started(), x, s.error(), s.restarts());
                case ContainerEvent.Stopped x -> new Exited(s.definition(), s.prepared(), s.started(), s.exit(), s.error(),
                        s.restarts().stopped());
                case ContainerEvent.RestartScheduled r -> new Exited(s.definition(), s.prepared(), s.started(), s.exit(),
                        s.error(), s.restarts().scheduled(r));
                case ContainerEvent.Restarted r -> new Exited(s.definition(), s.prepared(), s.started(), s.exit(), s.error(),
                        s.restarts().restarted(r));
                case ContainerEvent.Removed r -> new Removed(removedView(s));
                default -> s;
            };
            default -> state;
        };
    }

    /** The limits {@code enviro update} set replace the definition's: the state always holds the ones in force. */
    private static ContainerState withLimits(ContainerState state, dev.enviro.persistence.Resources limits) {
        return switch (state) {
            case Created s -> new Created(s.definition().withResources(limits), s.prepared(), s.error(), s.restarts());
            case Running s -> new Running(s.definition().withResources(limits), s.prepared(), s.started(), s.restarts(),
                    s.paused());
            case Exited s -> new Exited(s.definition().withResources(limits), s.prepared(), s.started(), s.exit(), s.error(), s.restarts());
            default -> state;
        };
    }

    /** The read model clients see; {@code Empty} has none. */
    static ContainerView view(ContainerState state) {
        return switch (state) {
            case Empty e -> throw new IllegalStateException("an empty container has no view");
            case Created c -> view(c.definition(), c.prepared(), null, null, c.error(), ContainerView.State.CREATED, c.restarts(), false);
            case Running r -> view(r.definition(), r.prepared(), r.started(), null, null, ContainerView.State.RUNNING, r.restarts(),
                    r.paused());
            case Exited x -> view(x.definition(), x.prepared(), x.started(), x.exit(), x.error(), ContainerView.State.EXITED, x.restarts(),
                    false);
            case Removed r -> r.last();
        };
    }

    private static ContainerView view(ContainerEvent.Created def, ContainerEvent.Prepared prepared,
                                      ContainerEvent.Started started, ContainerEvent.Exited exit, String error,
                                      ContainerView.State state, Restarts restarts, boolean paused) {
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
                def.executor(),
                restarts.count(),
                def.restartPolicy() == null ? "no" : def.restartPolicy(),
                exit != null && exit.oomKilled(),
                def.resources(),
                paused,
                ports(def));
    }

    /** Its published ports as docker shows them ({@code 0.0.0.0:8080->80/tcp}); as typed if one no longer parses. */
    private static List<String> ports(ContainerEvent.Created created) {
        List<String> typed = created.definition().network().publish();
        if (typed.isEmpty()) return List.of();
        try {
            return dev.enviro.runtime.network.PortMapping.parseAll(typed).stream().map(Object::toString).toList();
        } catch (dev.enviro.errors.EnviroError e) {
            return typed;
        }
    }

    /** Before the image is consulted only the overrides are known; inspect shows those. */
    private static List<String> requestedArgv(ContainerEvent.Created created) {
        var def = created.definition();
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
                0, v.exitCode(), v.createdAt(), v.startedAt(), v.finishedAt(), v.error(), v.logPath(), v.executor(),
                v.restartCount(), v.restartPolicy(), v.oomKilled(), v.resources(), false, v.ports());
    }
}

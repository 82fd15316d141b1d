package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import dev.enviro.supervisors.Supervision;
import dev.enviro.persistence.ContainerEvent;
import dev.enviro.persistence.EventTags;
import dev.enviro.persistence.Origin;
import dev.enviro.supervisors.RestartPolicy;
import dev.enviro.runtime.ContainerProcess;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.Executor;
import dev.enviro.runtime.ExitStatus;
import dev.enviro.runtime.LifecycleStep;
import dev.enviro.runtime.PreparedContainer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One container's lifecycle: an event-sourced actor whose journal ({@code container|<id>}) is the
 * container's history. Every change is persisted before anyone is told; the executor does the Linux
 * work. Blocking executor calls ({@code prepare}, {@code adopt}, {@code cleanup}) run on
 * {@value #BLOCKING_DISPATCHER}; asynchronous ones are piped back as messages, so the actor never
 * blocks and holds no thread while a container runs.
 *
 * <p>Who waits for what (start replies, exit waiters, removers) is deliberately not persisted: it
 * belongs to live asks, which do not survive a restart of this actor either.
 */
public final class ContainerActor
        extends EventSourcedBehaviorWithEnforcedReplies<ContainerActor.Command, ContainerEvent, ContainerState> {

    public static final String BLOCKING_DISPATCHER = "enviro.blocking-dispatcher";
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    private static final Object KILL_TIMER = "kill-after-grace";
    private static final Object REATTACH_TIMER = "reattach";
    private static final Duration REATTACH_DELAY = Duration.ofSeconds(1);
    private static final Object RETIRE_TIMER = "retire";
    private static final Object RESTART_TIMER = "restart";
    /** Correlation of what the engine does by itself after a restart, not on anyone's call. */
    static final String RECOVERY = "engine:recovery";
    /**
     * How long a removed container's actor keeps answering ("removed") before it stops: requests
     * routed to it just before the registry forgot it are answered instead of timing out.
     */
    private static final Duration RETIRE_DELAY = Duration.ofSeconds(5);

    public sealed interface Command {}

    /** A client's command: each is answered exactly once, with the container's view or an {@link EnviroError}. */
    public sealed interface Request extends Command {
        ActorRef<StatusReply<ContainerView>> replyTo();
    }

    /** {@code name}: the one the registry reserved for it, whatever {@code request} asked for. */
    /** {@code startFollows}: a {@code run}'s create, whose start comes next (recorded, so recovery can tell it was interrupted). */
    public record Create(String name, ContainerDefinition request, boolean startFollows, ActorRef<StatusReply<ContainerView>> replyTo)
            implements Request {
        public Create(String name, ContainerDefinition request, ActorRef<StatusReply<ContainerView>> replyTo) {
            this(name, request, false, replyTo);
        }
    }

    /** A request on behalf of the API call {@code correlationId}: the events it causes carry that id. */
    public record Correlated(String correlationId, Request request) implements Command {}

    public record Start(ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    /** SIGTERM, SIGKILL after {@code grace}; answered once the container has exited. */
    public record Stop(Duration grace, ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    public record Kill(int signal, ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    public record Remove(boolean force, ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    public record Get(ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    /** Answered when the container has exited (at once if it has). */
    public record AwaitExit(ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    /** Resource commands (limits, statistics, freezer): handled apart from the lifecycle, in any state. */
    sealed interface ResourceCommand extends Command {}

    /** {@code enviro update}: {@code changes} replace the values they set. */
    public record Update(dev.enviro.persistence.Resources changes, ActorRef<StatusReply<ContainerView>> replyTo)
            implements Request, ResourceCommand {}

    /**
     * {@code enviro stats}: {@code sample} completes with the counters, {@code replyTo} gets the view (or
     * the error: not running). Local only, as the registry's {@code Forward} is.
     */
    public record Sample(CompletableFuture<ContainerStats> sample, ActorRef<StatusReply<ContainerView>> replyTo)
            implements Request, ResourceCommand {}

    public record Pause(boolean paused, ActorRef<StatusReply<ContainerView>> replyTo) implements Request, ResourceCommand {}

    /** {@code enviro exec}: {@code session} completes once the command has exec'd; {@code replyTo} gets the view (or: not running). */
    public record Exec(dev.enviro.runtime.ExecSpec exec, CompletableFuture<ExecSession> session,
            ActorRef<StatusReply<ContainerView>> replyTo) implements Request, ResourceCommand {}

    private record LimitsApplied(dev.enviro.persistence.Resources limits, ActorRef<StatusReply<ContainerView>> replyTo)
            implements ResourceCommand {}

    private record ResourceCallFailed(Throwable cause, ActorRef<StatusReply<ContainerView>> replyTo) implements ResourceCommand {}

    private record PauseDone(boolean paused, String correlationId, ActorRef<StatusReply<ContainerView>> replyTo) implements ResourceCommand {}

    /** An exec'd process is running: recorded before its caller is told. */
    /** The launch of an exec ended: its process, or the {@code failure} that kept it from starting. */
    private record ExecLaunched(dev.enviro.runtime.ExecSpec exec, ContainerProcess process, Throwable failure,
                                CompletableFuture<ExecSession> session, String correlationId) implements ResourceCommand {}

    private record ExecEnded(String execId, int pid, int exitCode, String correlationId) implements ResourceCommand {}

    // The executor's answers, piped back to the actor.
    private record PrepareDone(PreparedContainer prepared) implements Command {}

    private record PrepareFailed(Throwable cause) implements Command {}

    private record ExecuteSucceeded(ContainerProcess process) implements Command {}

    private record ExecuteFailed(Throwable cause) implements Command {}

    private record Reattached(ContainerProcess process) implements Command {}

    private record ProcessExited(ExitStatus status) implements Command {}

    private record WatchFailed(Throwable cause) implements Command {}

    private record GraceExpired() implements Command {}

    private record Reattach() implements Command {}

    private record CleanupDone() implements Command {}

    private record CleanupFailed(Throwable cause) implements Command {}

    private record Retire() implements Command {}

    /** The restart policy's delay for {@code attempt} has passed. */
    private record RestartDue(int attempt) implements Command {}

    /** Recovery found the process of an interrupted start ({@code found}) and ended it. */
    private record InterruptedStartCleared(boolean found) implements Command {}

    /**
     * The actor for container {@code containerId}. Journal failures restart it with back-off (the
     * journal is the truth: a restart replays it, and a Running container is re-adopted). The
     * registry adds the same strategy for any other failure.
     */
    public static Behavior<Command> create(String containerId, Executor executor,
                                           ActorRef<EngineRegistry.ContainerRemoved> registry) {
        return create(containerId, executor, registry, "local");
    }

    /** {@code node}: this engine's name, recorded in every event's {@link Origin}. */
    public static Behavior<Command> create(String containerId, Executor executor,
                                           ActorRef<EngineRegistry.ContainerRemoved> registry, String node) {
        return Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new ContainerActor(context, timers, containerId, executor, registry, node)));
    }

    public static PersistenceId persistenceId(String containerId) {
        return PersistenceId.of("container", containerId, "|");
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String containerId;
    private final Executor executor;
    private final ActorRef<EngineRegistry.ContainerRemoved> registry;
    private final String node;
    private final java.util.concurrent.Executor blocking;

    private final List<ActorRef<StatusReply<ContainerView>>> starters = new ArrayList<>();
    private final List<ActorRef<StatusReply<ContainerView>>> exitWaiters = new ArrayList<>();
    private final List<ActorRef<StatusReply<ContainerView>>> removers = new ArrayList<>();
    /** Commands that must see the outcome of an in-flight start; sent to ourselves again when it ends. */
    private final List<Command> deferred = new ArrayList<>();
    private boolean starting;
    private boolean stopping;
    private boolean removing;
    private boolean removeOnExit;
    /** Recovery is clearing an interrupted start: state-changing commands wait for it. */
    private boolean recovering;
    /** The API call whose command is being handled now; null for the actor's own messages. */
    private String callId;
    /** The call that began the start in flight, and the one that asked to stop or remove. */
    private String startCallId = RECOVERY;
    private String stopCallId;

    private ContainerActor(ActorContext<Command> context, TimerScheduler<Command> timers, String containerId,
                           Executor executor, ActorRef<EngineRegistry.ContainerRemoved> registry, String node) {
        super(persistenceId(containerId),
                Supervision.RESTART_FROM_JOURNAL);
        this.context = context;
        this.timers = timers;
        this.containerId = containerId;
        this.executor = executor;
        this.registry = registry;
        this.node = node;
        this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    }

    @Override
    public org.apache.pekko.persistence.typed.javadsl.RetentionCriteria retentionCriteria() {
        return Snapshots.from(context.getSystem().settings().config()).criteria();
    }

    @Override
    public ContainerState emptyState() {
        return new ContainerState.Empty();
    }

    // ---------------------------------------------------------------- commands

    @Override
    public CommandHandlerWithReply<Command, ContainerEvent, ContainerState> commandHandler() {
        CommandHandlerWithReplyBuilder<Command, ContainerEvent, ContainerState> builder = newCommandHandlerWithReplyBuilder();
        builder.forAnyState().onAnyCommand(this::onCommand);
        return builder.build();
    }

    /** Unwraps a {@link Correlated} request (its id goes into the events it causes), then by state type. */
    private ReplyEffect<ContainerEvent, ContainerState> onCommand(ContainerState state, Command command) {
        Command inner = command;
        callId = null;
        if (command instanceof Correlated c) {
            callId = c.correlationId();
            inner = c.request();
        }
        if (inner instanceof ResourceCommand r) {
            return onResources(state, r);
        }
        return switch (state) {
            case ContainerState.Empty s -> onEmpty(s, inner);
            case ContainerState.Created s -> onStopped(s, inner, command);
            case ContainerState.Running s -> onRunning(s, inner);
            case ContainerState.Exited s -> onStopped(s, inner, command);
            case ContainerState.Removed s -> onRemoved(s, inner);
        };
    }

    private Origin origin(String correlationId) {
        return new Origin(node, correlationId == null ? RECOVERY : correlationId);
    }

    @Override
    public Set<String> tagsFor(ContainerEvent event) {
        return EventTags.of(event);
    }

    private ReplyEffect<ContainerEvent, ContainerState> onEmpty(ContainerState.Empty state, Command command) {
        return switch (command) {
            case Create c -> {
                String invalid = invalidRestart(c.request());
                if (invalid != null) {
                    yield Effect().reply(c.replyTo(), StatusReply.error(new EnviroError(ErrorCode.INVALID_ARGUMENT, invalid)));
                }
                LifecycleStep step = LifecycleStep.begin(containerId, "journal.Created");
                yield Effect().persist(created(c)).thenRun(s -> {
                            step.commit();
                            CrashPoint.reached("created");
                        })
                        .thenReply(c.replyTo(), s -> StatusReply.success(ContainerState.view(s)));
            }
            case Request r -> Effect().reply(r.replyTo(), StatusReply.error(noSuchContainer()));
            default -> ignore(state, command);
        };
    }

    /** Created and Exited: nothing runs; both may be started (again) and removed. */
    private ReplyEffect<ContainerEvent, ContainerState> onStopped(ContainerState state, Command command, Command original) {
        if ((starting && (command instanceof Stop || command instanceof Kill || command instanceof Remove))
                || (recovering && (command instanceof Start || command instanceof Stop || command instanceof Kill
                        || command instanceof Remove))) {
            deferred.add(original);
            return Effect().noReply();
        }
        Restarts restarts = restarts(state);
        return switch (command) {
            case Create c -> Effect().reply(c.replyTo(), StatusReply.error(alreadyExists()));
            case Start c -> {
                // A user's start replaces a restart waiting for its delay.
                timers.cancel(RESTART_TIMER);
                startCallId = callId;
                yield beginStart(state, c.replyTo());
            }
            // Stopping a container whose restart is pending cancels the restart (Docker).
            case Stop c when restarts.pending() != null -> {
                timers.cancel(RESTART_TIMER);
                yield Effect().persist(new ContainerEvent.Stopped(containerId, 0, Instant.now(), origin(callId)))
                        .thenReply(c.replyTo(), s -> StatusReply.success(ContainerState.view(s)));
            }
            case Stop c -> Effect().reply(c.replyTo(), StatusReply.success(ContainerState.view(state)));
            case Kill c -> Effect().reply(c.replyTo(), StatusReply.error(new EnviroError(ErrorCode.CONFLICT,
                    "container " + name(state) + " is not running: start it first")));
            case Remove c -> {
                timers.cancel(RESTART_TIMER);
                removers.add(c.replyTo());
                stopCallId = callId;
                if (!removing) {
                    beginCleanup();
                }
                yield Effect().noReply();
            }
            case Get c -> Effect().reply(c.replyTo(), StatusReply.success(ContainerState.view(state)));
            case AwaitExit c -> {
                if (state instanceof ContainerState.Exited && !starting && restarts.pending() == null) {
                    yield Effect().reply(c.replyTo(), StatusReply.success(ContainerState.view(state)));
                }
                exitWaiters.add(c.replyTo());
                yield Effect().noReply();
            }
            case PrepareDone d -> {
                LifecycleStep step = LifecycleStep.begin(containerId, "journal.Prepared");
                yield Effect().persist(prepared(d.prepared()))
                    .thenRun(s -> {
                        step.commit();
                        CrashPoint.reached("prepared");
                        execute(d.prepared());
                    })
                    .thenNoReply();
            }
            case PrepareFailed f -> failStart(state, f.cause());
            case ExecuteSucceeded e -> {
                CrashPoint.reached("helper-spawned");
                LifecycleStep step = LifecycleStep.begin(containerId, "journal.Started");
                yield Effect().persist(started(e.process()))
                        .thenRun(s -> {
                            step.commit();
                            CrashPoint.reached("started");
                            afterStarted(s);
                        })
                        .thenNoReply();
            }
            case ExecuteFailed f -> failStart(state, f.cause());
            case CleanupDone d -> {
                LifecycleStep step = LifecycleStep.begin(containerId, "journal.Removed");
                yield Effect().persist(new ContainerEvent.Removed(containerId, Instant.now(), origin(stopCallId)))
                        .thenRun(s -> {
                            step.commit();
                            afterRemoved(s);
                        })
                        .thenNoReply();
            }
            case CleanupFailed f -> cleanupFailed(state, f.cause());
            case RestartDue r -> restartDue(state, restarts, r);
            case InterruptedStartCleared c -> interruptedStartCleared(state, restarts, c);
            default -> ignore(state, command);
        };
    }

    private ReplyEffect<ContainerEvent, ContainerState> onRunning(ContainerState.Running state, Command command) {
        return switch (command) {
            case Create c -> Effect().reply(c.replyTo(), StatusReply.error(alreadyExists()));
            case Start c -> Effect().reply(c.replyTo(), StatusReply.success(ContainerState.view(state)));
            case Stop c -> {
                exitWaiters.add(c.replyTo());
                if (stopping) {
                    yield Effect().noReply();
                }
                stopping = true;
                stopCallId = callId;
                boolean now = c.grace().isZero() || c.grace().isNegative();
                // Stopped first: the exit that follows must not be restarted, even if the engine dies in between.
                yield Effect().persist(stopped(state, now ? SIGKILL : SIGTERM))
                        .thenRun(s -> {
                            if (now) {
                                signalQuietly(state, SIGKILL);
                            } else {
                                signalQuietly(state, SIGTERM);
                            }
                            thawToEnd(state);
                            if (!now) {
                                timers.startSingleTimer(KILL_TIMER, new GraceExpired(), c.grace());
                            }
                        })
                        .thenNoReply();
            }
            case Kill c when CrashPoint.throwsOnSignal(c.signal()) ->
                    throw new IllegalStateException("enviro.test.throwOnSignal=" + c.signal() + ": container actor "
                            + containerId + " fails on purpose");
            case Kill c -> kill(state, c);
            case Remove c -> {
                if (!c.force()) {
                    yield Effect().reply(c.replyTo(), StatusReply.error(new EnviroError(ErrorCode.CONFLICT,
                            "cannot remove container " + name(state) + ": it is running: stop it first or use --force")));
                }
                removers.add(c.replyTo());
                removeOnExit = true;
                stopping = true;
                stopCallId = callId;
                yield Effect().persist(stopped(state, SIGKILL))
                        .thenRun(s -> {
                            signalQuietly(state, SIGKILL);
                            thawToEnd(state);
                        })
                        .thenNoReply();
            }
            case Get c -> Effect().reply(c.replyTo(), StatusReply.success(ContainerState.view(state)));
            case AwaitExit c -> {
                exitWaiters.add(c.replyTo());
                yield Effect().noReply();
            }
            case GraceExpired g -> {
                signalQuietly(state, SIGKILL);
                yield Effect().noReply();
            }
            case Reattached r -> {
                watchExit(r.process());
                yield Effect().noReply();
            }
            case Reattach r -> {
                reattach(state);
                yield Effect().noReply();
            }
            case WatchFailed f -> {
                // The executor lost track (e.g. its dispatcher failed): look again rather than guess an exit.
                context.getLog().warn("container {}: watching its exit failed, adopting it again in {}: {}",
                        containerId, REATTACH_DELAY, f.cause().toString());
                timers.startSingleTimer(REATTACH_TIMER, new Reattach(), REATTACH_DELAY);
                yield Effect().noReply();
            }
            case ProcessExited x -> exit(state, x.status());
            default -> ignore(state, command);
        };
    }

    private ReplyEffect<ContainerEvent, ContainerState> onRemoved(ContainerState.Removed state, Command command) {
        return switch (command) {
            case Get c -> Effect().reply(c.replyTo(), StatusReply.success(state.last()));
            case Request r -> Effect().reply(r.replyTo(), StatusReply.error(noSuchContainer()));
            case Retire r -> Effect().stop().thenNoReply();
            default -> ignore(state, command);
        };
    }

    private ReplyEffect<ContainerEvent, ContainerState> ignore(ContainerState state, Command command) {
        context.getLog().debug("container {}: {} ignored in state {}", containerId, command.getClass().getSimpleName(),
                state.getClass().getSimpleName());
        return Effect().noReply();
    }

    // ---------------------------------------------------------------- start

    /** {@code replyTo} is null when the restart policy starts the container: nobody waits for it. */
    private ReplyEffect<ContainerEvent, ContainerState> beginStart(ContainerState state, ActorRef<StatusReply<ContainerView>> replyTo) {
        if (removing) {
            EnviroError error = new EnviroError(ErrorCode.CONFLICT,
                    "cannot start container " + name(state) + ": it is being removed");
            return replyTo == null ? Effect().noReply() : Effect().reply(replyTo, StatusReply.error(error));
        }
        if (replyTo != null) {
            starters.add(replyTo);
        }
        if (!starting) {
            starting = true;
            ContainerSpec spec = spec(definition(state));
            LifecycleStep step = LifecycleStep.begin(containerId, "prepare");
            CompletableFuture<PreparedContainer> prepare = CompletableFuture.supplyAsync(() -> {
                try {
                    return executor.prepare(spec);
                } catch (EnviroError e) {
                    throw new CompletionException(e);
                }
            }, blocking);
            context.pipeToSelf(prepare, (prepared, error) -> {
                step.commit();
                return error == null ? new PrepareDone(prepared) : new PrepareFailed(unwrap(error));
            });
        }
        return Effect().noReply();
    }

    private void execute(PreparedContainer prepared) {
        LifecycleStep step = LifecycleStep.begin(containerId, "execute");
        context.pipeToSelf(call(() -> executor.execute(prepared)), (process, error) -> {
            step.commit();
            return error == null ? new ExecuteSucceeded(process) : new ExecuteFailed(unwrap(error));
        });
    }

    private void afterStarted(ContainerState state) {
        finishStart(StatusReply.success(ContainerState.view(state)));
        watchExit(((ContainerState.Running) state).process());
    }

    /**
     * A command that is not there (127) or not executable (126) ends the container as a shell would,
     * with that exit code; anything else (image, spec, set-up) leaves it as it was, with the error.
     */
    private ReplyEffect<ContainerEvent, ContainerState> failStart(ContainerState state, Throwable cause) {
        Instant now = Instant.now();
        String prefix = "cannot start container " + name(state) + ": ";
        EnviroError error = cause instanceof EnviroError e ? e.within(prefix)
                : new EnviroError(ErrorCode.INTERNAL, prefix + cause, cause);
        int exitCode = error.exitCode();
        ContainerEvent.StartFailed failed = new ContainerEvent.StartFailed(containerId, error.getMessage(), exitCode, now,
                origin(startCallId));
        if (exitCode == ErrorCode.ENGINE_FAILURE_EXIT) {
            return Effect().persist(failed).thenRun(s -> finishStart(StatusReply.error(error))).thenNoReply();
        }
        ContainerEvent.Exited exited = new ContainerEvent.Exited(containerId, exitCode, 0, false, now, now, origin(startCallId));
        return Effect().persist(List.of(failed, exited))
                .thenRun(s -> {
                    finishStart(StatusReply.error(error));
                    afterExited(s);
                })
                .thenNoReply();
    }

    private void finishStart(StatusReply<ContainerView> reply) {
        starters.forEach(starter -> starter.tell(reply));
        starters.clear();
        starting = false;
        deferred.forEach(context.getSelf()::tell);
        deferred.clear();
    }

    // ---------------------------------------------------------------- run and exit

    private ReplyEffect<ContainerEvent, ContainerState> kill(ContainerState.Running state, Kill command) {
        if (command.signal() < 1 || command.signal() > 64) {
            return Effect().reply(command.replyTo(), StatusReply.error(new EnviroError(ErrorCode.INVALID_ARGUMENT,
                    "invalid signal " + command.signal() + " for container " + name(state) + ": use 1 to 64")));
        }
        if (command.signal() == SIGKILL || command.signal() == SIGTERM) {
            // A user's kill is a stop for the restart policy (Docker); other signals are messages to the process.
            stopCallId = callId;
            return Effect().persist(stopped(state, command.signal()))
                    .thenRun(s -> {
                        signalAndAnswer(state, command);
                        thawToEnd(state);
                    })
                    .thenNoReply();
        }
        signalAndAnswer(state, command);
        return Effect().noReply();
    }

    private void signalAndAnswer(ContainerState.Running state, Kill command) {
        try {
            executor.signal(state.process(), command.signal());
        } catch (EnviroError e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                command.replyTo().tell(StatusReply.error(e.within("cannot signal container " + name(state) + ": ")));
                return;
            }
            // Already gone: its exit is on the way and will be recorded.
        }
        command.replyTo().tell(StatusReply.success(ContainerState.view(state)));
    }

    // ---------------------------------------------------------------- exit and restart policy

    /** The exit is journaled together with the restart it triggers, if any: one write, so a crash cannot split them. */
    private ReplyEffect<ContainerEvent, ContainerState> exit(ContainerState.Running state, ExitStatus status) {
        String cause = stopping && stopCallId != null ? stopCallId : state.started().origin() == null
                ? RECOVERY : state.started().origin().correlationId();
        ContainerEvent.Exited exited = exited(status, cause);
        Optional<ContainerEvent.RestartScheduled> restart = restartAfter(state.definition(), state.restarts(),
                state.started(), exited, cause);
        List<ContainerEvent> events = new java.util.ArrayList<>();
        if (status.oomKilled()) {
            events.add(new ContainerEvent.OomKilled(containerId, exited.timestamp(), exited.origin()));
        }
        events.add(exited);
        restart.ifPresent(events::add);
        LifecycleStep step = LifecycleStep.begin(containerId, "journal.Exited");
        return Effect().persist(events)
                .thenRun(s -> {
                    step.commit();
                    restart.ifPresent(this::scheduleRestart);
                    afterExited(s);
                })
                .thenNoReply();
    }

    /** Pure but for the clock: the restart the policy asks for after {@code exit}, if any. */
    private Optional<ContainerEvent.RestartScheduled> restartAfter(ContainerEvent.Created def, Restarts restarts,
                                                                   ContainerEvent.Started started,
                                                                   ContainerEvent.Exited exit, String cause) {
        RestartPolicy policy = RestartPolicy.parse(def.restartPolicy());
        if (removeOnExit || def.autoRemove()
                || !policy.restartsAfterExit(exit.exitCode(), restarts.stoppedByUser() || stopping, restarts.count())) {
            return Optional.empty();
        }
        Duration lastRun = started == null ? Duration.ZERO : Duration.between(started.timestamp(), exit.finishedAt());
        Duration delay = RestartPolicy.delay(Duration.ofMillis(restarts.lastDelayMillis()), lastRun);
        return Optional.of(new ContainerEvent.RestartScheduled(containerId, restarts.count() + 1, delay.toMillis(),
                Instant.now(), origin(cause)));
    }

    private void scheduleRestart(ContainerEvent.RestartScheduled pending) {
        Duration left = Duration.between(Instant.now(), pending.timestamp().plusMillis(pending.delayMillis()));
        timers.startSingleTimer(RESTART_TIMER, new RestartDue(pending.attempt()), left.isNegative() ? Duration.ZERO : left);
    }

    private ReplyEffect<ContainerEvent, ContainerState> restartDue(ContainerState state, Restarts restarts, RestartDue due) {
        if (restarts.pending() == null || restarts.pending().attempt() != due.attempt() || starting || removing) {
            return Effect().noReply();
        }
        startCallId = "engine:restart-" + due.attempt();
        ContainerEvent.Restarted restarted = new ContainerEvent.Restarted(containerId, due.attempt(), Instant.now(),
                origin(restarts.pending().origin() == null ? RECOVERY : restarts.pending().origin().correlationId()));
        return Effect().persist(restarted).thenRun(s -> beginStart(s, null)).thenNoReply();
    }

    private void signalQuietly(ContainerState.Running state, int signal) {
        try {
            executor.signal(state.process(), signal);
        } catch (EnviroError e) {
            // NO_SUCH_PROCESS: it exited on its own; the exit watch records it. Anything else is logged:
            // the stop timer (SIGKILL) or the caller's timeout is the remaining safety net.
            if (e.code() != ErrorCode.NOT_FOUND) {
                context.getLog().warn("container {}: signal {} failed: {}", containerId, signal, e.getMessage());
            }
        }
    }

    /** A user's stop of a paused container also unpauses it ({@link #thawToEnd}); both are recorded first. */
    private List<ContainerEvent> stopped(ContainerState.Running state, int signal) {
        ContainerEvent.Stopped stopped = new ContainerEvent.Stopped(containerId, signal, Instant.now(), origin(callId));
        return state.paused() ? List.of(stopped, new ContainerEvent.Unpaused(containerId, Instant.now(), origin(callId)))
                : List.of(stopped);
    }

    /**
     * A frozen process acts on SIGTERM or SIGKILL only once thawed (cgroup v1 freezer), so a user's stop,
     * kill or forced removal of a paused container thaws it after signalling.
     */
    private void thawToEnd(ContainerState.Running state) {
        if (!state.paused()) {
            return;
        }
        try {
            executor.pause(state.process(), false);
        } catch (EnviroError e) {
            context.getLog().warn("container {}: thawing it so that it can end failed: {}", containerId, e.getMessage());
        }
    }

    private void watchExit(ContainerProcess process) {
        LifecycleStep step = LifecycleStep.begin(containerId, "running");
        context.pipeToSelf(call(() -> executor.awaitExit(process)), (status, error) -> {
            step.commit();
            return error == null ? new ProcessExited(status) : new WatchFailed(unwrap(error));
        });
    }

    /**
     * After a restart of the engine or of this actor: the recorded process is either still ours
     * (adopt it and watch again) or gone, and then its monitor's record, if any, is its exit.
     */
    private void reattach(ContainerState.Running state) {
        ContainerProcess recorded = state.process();
        CompletableFuture<Command> found = CompletableFuture.supplyAsync(() -> executor.adopt(recorded)
                .<Command>map(Reattached::new)
                .orElseGet(() -> new ProcessExited(executor.recordedExit(recorded)
                        .orElseGet(() -> ExitStatus.unknown(Instant.now())))), blocking);
        context.pipeToSelf(found, (message, error) -> error == null ? message : new WatchFailed(unwrap(error)));
    }

    private void afterExited(ContainerState state) {
        timers.cancel(KILL_TIMER);
        stopping = false;
        StatusReply<ContainerView> reply = StatusReply.success(ContainerState.view(state));
        exitWaiters.forEach(waiter -> waiter.tell(reply));
        exitWaiters.clear();
        if ((definition(state).autoRemove() || removeOnExit) && !removing) {
            beginCleanup();
        }
    }

    // ---------------------------------------------------------------- remove

    private void beginCleanup() {
        removing = true;
        LifecycleStep step = LifecycleStep.begin(containerId, "cleanup");
        CompletableFuture<Void> cleanup = CompletableFuture.runAsync(() -> {
            try {
                executor.cleanup(containerId);
            } catch (EnviroError e) {
                throw new CompletionException(e);
            }
        }, blocking);
        context.pipeToSelf(cleanup, (done, error) -> {
            step.commit();
            return error == null ? new CleanupDone() : new CleanupFailed(unwrap(error));
        });
    }

    /** The registry answers the removers once it has forgotten the name too: both facts are then persisted. */
    private void afterRemoved(ContainerState state) {
        ContainerView view = ContainerState.view(state);
        // Whoever still waits for an exit that can no longer come learns that it was removed.
        exitWaiters.forEach(waiter -> waiter.tell(StatusReply.success(view)));
        exitWaiters.clear();
        registry.tell(new EngineRegistry.ContainerRemoved(containerId, view, List.copyOf(removers)));
        removers.clear();
        removing = false;
        timers.startSingleTimer(RETIRE_TIMER, new Retire(), RETIRE_DELAY);
    }

    private ReplyEffect<ContainerEvent, ContainerState> cleanupFailed(ContainerState state, Throwable cause) {
        removing = false;
        removeOnExit = false;
        StatusReply<ContainerView> reply = StatusReply.error(new EnviroError(ErrorCode.INTERNAL,
                "cannot remove container " + name(state) + ": " + cause.getMessage() + ": retry 'enviro rm'"));
        removers.forEach(remover -> remover.tell(reply));
        removers.clear();
        return Effect().noReply();
    }

    // ---------------------------------------------------------------- recovery

    @Override
    public SignalHandler<ContainerState> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::recovered).build();
    }

    private void recovered(ContainerState state) {
        switch (state) {
            case ContainerState.Running running -> reattach(running);
            // An --rm container that exited while the engine was away, or whose cleanup was interrupted.
            case ContainerState.Exited exited when exited.definition().autoRemove() -> beginCleanup();
            // Removed, but the registry never recorded it: tell it again so the name is freed.
            case ContainerState.Removed removed -> {
                registry.tell(new EngineRegistry.ContainerRemoved(containerId, removed.last(), List.of()));
                timers.startSingleTimer(RETIRE_TIMER, new Retire(), RETIRE_DELAY);
            }
            // Anything else not running: end what an interrupted start left, then let the restart policy speak.
            case ContainerState.Created c -> clearInterruptedStart(c);
            case ContainerState.Exited x -> clearInterruptedStart(x);
            default -> { }
        }
    }

    /**
     * containerd's cleanupAfterDeadShim, for us: a start the engine died in may have left a monitor and a
     * container that no event records (found through the executor's {@code unrecorded}), and for a
     * never-started container a prepared rootfs and cgroup. Both are ended and removed, so nothing is
     * half-made; the container stays Created (or Exited) and can be started again. Commands wait until
     * this is done.
     */
    private void clearInterruptedStart(ContainerState state) {
        recovering = true;
        boolean neverRan = state instanceof ContainerState.Created;
        org.slf4j.Logger log = context.getLog();
        CompletableFuture<Boolean> cleared = CompletableFuture.supplyAsync(() -> {
            Optional<ContainerProcess> orphan = executor.unrecorded(containerId);
            if (orphan.isPresent()) {
                // Not context.getLog(): this runs off the actor's thread.
                log.warn("container {}: ending pid {} left by a start the engine did not record",
                        containerId, orphan.get().pid());
                try {
                    executor.signal(orphan.get(), SIGKILL);
                } catch (EnviroError e) {
                    if (e.code() != ErrorCode.NOT_FOUND) {
                        throw new CompletionException(e);
                    }
                }
                executor.awaitExit(orphan.get()).toCompletableFuture().join();
            }
            if (neverRan) {
                try {
                    executor.cleanup(containerId);
                } catch (EnviroError e) {
                    throw new CompletionException(e);
                }
            }
            return orphan.isPresent();
        }, blocking);
        context.pipeToSelf(cleared, (found, error) -> {
            if (error != null) {
                context.getLog().warn("container {}: cleaning up an interrupted start failed: {}", containerId,
                        unwrap(error).toString());
            }
            return new InterruptedStartCleared(error == null && found);
        });
    }

    private ReplyEffect<ContainerEvent, ContainerState> interruptedStartCleared(ContainerState state, Restarts restarts,
                                                                                InterruptedStartCleared cleared) {
        recovering = false;
        List<ContainerEvent> events = new ArrayList<>();
        // a run's start that never reached Prepared was interrupted too: its Created says a start was to follow
        boolean interrupted = cleared.found() || restarts.restarting()
                || (state instanceof ContainerState.Created c && c.error() == null
                    && (c.prepared() != null || (c.definition().startFollows() && c.restarts().equals(Restarts.NONE))));
        if (interrupted) {
            events.add(new ContainerEvent.StartFailed(containerId,
                    "the start of container " + name(state) + " was interrupted by an engine restart: start it again or remove it",
                    125, Instant.now(), origin(RECOVERY)));
        }
        // A restart the engine was away for: pending (timer lost), interrupted, or due at engine start (always).
        if (state instanceof ContainerState.Exited x && restarts.pending() == null) {
            Restarts after = interrupted ? restarts.startFailed() : restarts;
            RestartPolicy policy = RestartPolicy.parse(x.definition().restartPolicy());
            if (restarts.restarting()) {
                restartAfter(x.definition(), after, x.started(), x.exit(), RECOVERY).ifPresent(events::add);
            } else if (x.started() != null && policy.startsWithEngine(after.stoppedByUser())) {
                events.add(new ContainerEvent.RestartScheduled(containerId, after.count() + 1, 0, Instant.now(),
                        origin(RECOVERY)));
            }
        }
        var effect = events.isEmpty() ? Effect().none() : Effect().persist(events);
        return effect.thenRun(s -> {
                    if (restarts(s).pending() != null) {
                        scheduleRestart(restarts(s).pending());
                    }
                    deferred.forEach(context.getSelf()::tell);
                    deferred.clear();
                })
                .thenNoReply();
    }

    // ---------------------------------------------------------------- resources

    /**
     * Limits, statistics and the freezer. An update of a running container is applied to its cgroup
     * first (on the blocking dispatcher: a few file writes) and persisted once the kernel took it, so the
     * journal never records a limit the container did not get; a stopped one just persists it.
     */
    private ReplyEffect<ContainerEvent, ContainerState> onResources(ContainerState state, ResourceCommand command) {
        if (state instanceof ContainerState.Empty || state instanceof ContainerState.Removed) {
            return command instanceof Request r ? Effect().reply(r.replyTo(), StatusReply.error(noSuchContainer())) : Effect().noReply();
        }
        return switch (command) {
            case Update u -> {
                dev.enviro.persistence.Resources limits = definition(state).resources().updatedBy(u.changes());
                java.util.List<String> problems = limits.problems(Runtime.getRuntime().availableProcessors());
                if (!problems.isEmpty()) {
                    yield Effect().reply(u.replyTo(), StatusReply.error(new EnviroError(ErrorCode.INVALID_ARGUMENT,
                            "cannot update container " + name(state) + ": " + String.join("; ", problems))));
                }
                if (!(state instanceof ContainerState.Running running)) {
                    yield persistLimits(limits, u.replyTo());
                }
                CompletableFuture<Void> applied = CompletableFuture.runAsync(() -> {
                    try {
                        executor.updateResources(running.process(), limits);
                    } catch (EnviroError e) {
                        throw new CompletionException(e);
                    }
                }, blocking);
                context.pipeToSelf(applied, (done, error) -> error == null
                        ? new LimitsApplied(limits, u.replyTo()) : new ResourceCallFailed(unwrap(error), u.replyTo()));
                yield Effect().noReply();
            }
            case LimitsApplied a -> persistLimits(a.limits(), a.replyTo());
            case Sample s -> {
                if (!(state instanceof ContainerState.Running running)) {
                    s.sample().completeExceptionally(notRunning(state));
                    yield Effect().reply(s.replyTo(), StatusReply.error(notRunning(state)));
                }
                ContainerView view = ContainerState.view(state);
                call(() -> executor.usage(running.process())).whenComplete((usage, error) -> {
                    if (error != null) s.sample().completeExceptionally(resourceFailure(name(state), unwrap(error)));
                    else s.sample().complete(new ContainerStats(view, usage));
                });
                yield Effect().reply(s.replyTo(), StatusReply.success(view));
            }
            case Exec x -> {
                if (!(state instanceof ContainerState.Running running)) {
                    x.session().completeExceptionally(notRunning(state));
                    yield Effect().reply(x.replyTo(), StatusReply.error(notRunning(state)));
                }
                if (running.paused()) {
                    // the exec's process would join the frozen cgroup and freeze before it ran (docker refuses too)
                    EnviroError paused = new EnviroError(ErrorCode.CONFLICT, "container " + name(state) + " is paused: unpause it before exec");
                    x.session().completeExceptionally(paused);
                    yield Effect().reply(x.replyTo(), StatusReply.error(paused));
                }
                ContainerSpec definition = spec(definition(state));
                String execCall = callId;
                LifecycleStep launching = LifecycleStep.begin(containerId, "exec.launch");
                call(() -> executor.exec(definition, running.process(), x.exec())).whenComplete((process, error) -> {
                    launching.commit();
                    context.getSelf().tell(new ExecLaunched(x.exec(), process, error, x.session(), execCall));
                });
                // Journaled while it launches (each takes several ms): commands wait while an event is
                // persisted, so ExecLaunched, which lets the caller see it run, comes after this is written.
                LifecycleStep step = LifecycleStep.begin(containerId, "journal.ExecStarted");
                yield Effect().persist(new ContainerEvent.ExecStarted(containerId, x.exec().id(), x.exec().argv(), 0,
                                Instant.now(), origin(execCall)))
                        .thenRun(s -> step.commit())
                        .thenReply(x.replyTo(), s -> StatusReply.success(ContainerState.view(s)));
            }
            case Pause p -> {
                if (!(state instanceof ContainerState.Running running)) {
                    yield Effect().reply(p.replyTo(), StatusReply.error(notRunning(state)));
                }
                String pauseCall = callId;
                CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
                    try {
                        executor.pause(running.process(), p.paused());
                    } catch (EnviroError e) {
                        throw new CompletionException(e);
                    }
                }, blocking);
                context.pipeToSelf(done, (ok, error) -> error == null ? new PauseDone(p.paused(), pauseCall, p.replyTo())
                        : new ResourceCallFailed(unwrap(error), p.replyTo()));
                yield Effect().noReply();
            }
            case PauseDone d -> {
                boolean frozen = state instanceof ContainerState.Running r && r.paused();
                if (frozen == d.paused()) {
                    yield Effect().reply(d.replyTo(), StatusReply.success(ContainerState.view(state)));
                }
                ContainerEvent event = d.paused() ? new ContainerEvent.Paused(containerId, Instant.now(), origin(d.correlationId()))
                        : new ContainerEvent.Unpaused(containerId, Instant.now(), origin(d.correlationId()));
                yield Effect().persist(event).thenReply(d.replyTo(), s -> StatusReply.success(ContainerState.view(s)));
            }
            case ExecLaunched l when l.failure() != null -> {
                EnviroError failure = resourceFailure(name(state), unwrap(l.failure()));
                yield Effect().persist(new ContainerEvent.ExecExited(containerId, l.exec().id(), failure.exitCode(), 0,
                                Instant.now(), origin(l.correlationId())))
                        .thenRun(s -> l.session().completeExceptionally(failure))
                        .thenNoReply();
            }
            case ExecLaunched l -> {
                ContainerProcess process = l.process();
                CompletionStage<ExitStatus> exit = call(() -> executor.awaitExit(process));
                context.pipeToSelf(exit, (status, error) -> new ExecEnded(l.exec().id(), process.pid(),
                        error == null ? status.exitCode() : -1, l.correlationId()));
                l.session().complete(new ExecSession(containerId, l.exec().id(), process.pid(), process.logPath(), exit));
                yield Effect().noReply();
            }
            case ExecEnded e -> Effect().persist(new ContainerEvent.ExecExited(containerId, e.execId(), e.exitCode(), e.pid(),
                    Instant.now(), origin(e.correlationId()))).thenNoReply();
            case ResourceCallFailed f -> Effect().reply(f.replyTo(), StatusReply.error(resourceFailure(name(state), f.cause())));
        };
    }

    private ReplyEffect<ContainerEvent, ContainerState> persistLimits(dev.enviro.persistence.Resources limits,
                                                                      ActorRef<StatusReply<ContainerView>> replyTo) {
        return Effect().persist(new ContainerEvent.ResourcesUpdated(containerId, limits, Instant.now(), origin(callId)))
                .thenReply(replyTo, s -> StatusReply.success(ContainerState.view(s)));
    }

    private static EnviroError notRunning(ContainerState state) {
        return new EnviroError(ErrorCode.CONFLICT, "container " + name(state) + " is not running: start it first");
    }

    private static EnviroError resourceFailure(String name, Throwable cause) {
        boolean named = cause.getMessage() != null && cause.getMessage().contains(name);
        if (cause instanceof EnviroError e) return named ? e : e.within("container " + name + ": ");
        return new EnviroError(ErrorCode.INTERNAL, named ? cause.getMessage() : "container " + name + ": " + cause.getMessage(), cause);
    }

    // ---------------------------------------------------------------- events

    @Override
    public EventHandler<ContainerState, ContainerEvent> eventHandler() {
        EventHandlerBuilder<ContainerState, ContainerEvent> builder = newEventHandlerBuilder();
        builder.forAnyState().onAnyEvent(ContainerState::apply);
        return builder.build();
    }

    private ContainerEvent.Created created(Create c) {
        ContainerDefinition r = c.request();
        // the restart policy in its canonical spelling (invalidRestart has parsed it already)
        String policy = r.restartPolicy() == null ? null : RestartPolicy.parse(r.restartPolicy()).toString();
        ContainerDefinition accepted = new ContainerDefinition(c.name(), r.image(), r.entrypoint(), r.command(), r.env(),
                r.workdir(), r.user(), r.hostname(), r.autoRemove(), policy, r.resources(), r.security(), r.options(), r.network());
        return new ContainerEvent.Created(containerId, accepted, executor.type(), Instant.now(), origin(callId), c.startFollows());
    }

    private ContainerEvent.Prepared prepared(PreparedContainer p) {
        // docs/contracts.md: the monitor appends to containers/<id>/ctr.log; Started records the real path.
        return new ContainerEvent.Prepared(containerId, p.imageDigest(), p.process().argv(),
                p.stateDir().resolve("ctr.log").toString(), Instant.now(), origin(startCallId));
    }

    private ContainerEvent.Started started(ContainerProcess p) {
        return new ContainerEvent.Started(containerId, p.pid(), p.pidStartTime(), p.monitorPid(), p.monitorStartTime(),
                p.logPath().toString(), p.statusPath().toString(), Instant.now(), origin(startCallId));
    }

    private ContainerEvent.Exited exited(ExitStatus s, String cause) {
        Instant now = Instant.now();
        return new ContainerEvent.Exited(containerId, s.exitCode(), s.signal(), s.oomKilled(),
                s.finishedAt() == null ? now : s.finishedAt(), now, origin(cause));
    }

    /** Docker refuses {@code --rm} with a restart policy: the container would be gone before it could restart. */
    static String invalidRestart(ContainerDefinition r) {
        RestartPolicy policy;
        try {
            policy = RestartPolicy.parse(r.restartPolicy());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return r.autoRemove() && policy.mode() != RestartPolicy.Mode.NO
                ? "--rm and --restart " + policy + " conflict: a removed container cannot be restarted; choose one" : null;
    }

    private static Restarts restarts(ContainerState state) {
        return switch (state) {
            case ContainerState.Created c -> c.restarts();
            case ContainerState.Running r -> r.restarts();
            case ContainerState.Exited x -> x.restarts();
            default -> Restarts.NONE;
        };
    }

    // ---------------------------------------------------------------- helpers

    private static ContainerEvent.Created definition(ContainerState state) {
        return switch (state) {
            case ContainerState.Created c -> c.definition();
            case ContainerState.Running r -> r.definition();
            case ContainerState.Exited x -> x.definition();
            case ContainerState.Empty e -> throw new IllegalStateException("no definition before Created");
            case ContainerState.Removed r -> throw new IllegalStateException("no definition after Removed");
        };
    }

    private static String name(ContainerState state) {
        return definition(state).name();
    }

    private static ContainerSpec spec(ContainerEvent.Created d) {
        return new ContainerSpec(d.containerId(), d.definition());
    }

    private EnviroError noSuchContainer() {
        return new EnviroError(ErrorCode.NOT_FOUND, "no such container: " + containerId);
    }

    private EnviroError alreadyExists() {
        return new EnviroError(ErrorCode.ALREADY_EXISTS, "container " + containerId.substring(0, 12) + " already exists");
    }

    /** An executor that throws instead of failing its stage is treated as if it had failed the stage. */
    private static <T> CompletionStage<T> call(java.util.function.Supplier<CompletionStage<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}

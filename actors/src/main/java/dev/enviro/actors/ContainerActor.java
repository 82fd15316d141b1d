package dev.enviro.actors;

import dev.enviro.actors.EngineException.Reason;
import dev.enviro.persistence.ContainerEvent;
import dev.enviro.runtime.ContainerProcess;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.Executor;
import dev.enviro.runtime.ExecutorException;
import dev.enviro.runtime.ExitStatus;
import dev.enviro.runtime.PreparedContainer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
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
    /**
     * How long a removed container's actor keeps answering ("removed") before it stops: requests
     * routed to it just before the registry forgot it are answered instead of timing out.
     */
    private static final Duration RETIRE_DELAY = Duration.ofSeconds(5);

    public sealed interface Command {}

    /** A client's command: each is answered exactly once, with the container's view or an {@link EngineException}. */
    public sealed interface Request extends Command {
        ActorRef<StatusReply<ContainerView>> replyTo();
    }

    public record Create(String name, Engine.CreateRequest request, ActorRef<StatusReply<ContainerView>> replyTo)
            implements Request {}

    public record Start(ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    /** SIGTERM, SIGKILL after {@code grace}; answered once the container has exited. */
    public record Stop(Duration grace, ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    public record Kill(int signal, ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    public record Remove(boolean force, ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    public record Get(ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

    /** Answered when the container has exited (at once if it has). */
    public record AwaitExit(ActorRef<StatusReply<ContainerView>> replyTo) implements Request {}

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

    /**
     * The actor for container {@code containerId}. Journal failures restart it with back-off (the
     * journal is the truth: a restart replays it, and a Running container is re-adopted). The
     * registry adds the same strategy for any other failure.
     */
    public static Behavior<Command> create(String containerId, Executor executor,
                                           ActorRef<EngineRegistry.ContainerRemoved> registry) {
        return Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new ContainerActor(context, timers, containerId, executor, registry)));
    }

    public static PersistenceId persistenceId(String containerId) {
        return PersistenceId.of("container", containerId, "|");
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String containerId;
    private final Executor executor;
    private final ActorRef<EngineRegistry.ContainerRemoved> registry;
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

    private ContainerActor(ActorContext<Command> context, TimerScheduler<Command> timers, String containerId,
                           Executor executor, ActorRef<EngineRegistry.ContainerRemoved> registry) {
        super(persistenceId(containerId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.context = context;
        this.timers = timers;
        this.containerId = containerId;
        this.executor = executor;
        this.registry = registry;
        this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    }

    @Override
    public ContainerState emptyState() {
        return new ContainerState.Empty();
    }

    // ---------------------------------------------------------------- commands

    @Override
    public CommandHandlerWithReply<Command, ContainerEvent, ContainerState> commandHandler() {
        CommandHandlerWithReplyBuilder<Command, ContainerEvent, ContainerState> builder = newCommandHandlerWithReplyBuilder();
        builder.forStateType(ContainerState.Empty.class).onAnyCommand(this::onEmpty);
        builder.forStateType(ContainerState.Created.class).onAnyCommand(this::onStopped);
        builder.forStateType(ContainerState.Running.class).onAnyCommand(this::onRunning);
        builder.forStateType(ContainerState.Exited.class).onAnyCommand(this::onStopped);
        builder.forStateType(ContainerState.Removed.class).onAnyCommand(this::onRemoved);
        return builder.build();
    }

    private ReplyEffect<ContainerEvent, ContainerState> onEmpty(ContainerState.Empty state, Command command) {
        return switch (command) {
            case Create c -> Effect().persist(created(c)).thenReply(c.replyTo(), s -> StatusReply.success(ContainerState.view(s)));
            case Request r -> Effect().reply(r.replyTo(), StatusReply.error(noSuchContainer()));
            default -> ignore(state, command);
        };
    }

    /** Created and Exited: nothing runs; both may be started (again) and removed. */
    private ReplyEffect<ContainerEvent, ContainerState> onStopped(ContainerState state, Command command) {
        if (starting && (command instanceof Stop || command instanceof Kill || command instanceof Remove)) {
            deferred.add(command);
            return Effect().noReply();
        }
        return switch (command) {
            case Create c -> Effect().reply(c.replyTo(), StatusReply.error(alreadyExists()));
            case Start c -> beginStart(state, c);
            case Stop c -> Effect().reply(c.replyTo(), StatusReply.success(ContainerState.view(state)));
            case Kill c -> Effect().reply(c.replyTo(), StatusReply.error(new EngineException(Reason.FAILED_PRECONDITION,
                    "container " + name(state) + " is not running: start it first")));
            case Remove c -> {
                removers.add(c.replyTo());
                if (!removing) {
                    beginCleanup();
                }
                yield Effect().noReply();
            }
            case Get c -> Effect().reply(c.replyTo(), StatusReply.success(ContainerState.view(state)));
            case AwaitExit c -> {
                if (state instanceof ContainerState.Exited && !starting) {
                    yield Effect().reply(c.replyTo(), StatusReply.success(ContainerState.view(state)));
                }
                exitWaiters.add(c.replyTo());
                yield Effect().noReply();
            }
            case PrepareDone d -> Effect().persist(prepared(d.prepared()))
                    .thenRun(s -> execute(d.prepared()))
                    .thenNoReply();
            case PrepareFailed f -> failStart(state, f.cause());
            case ExecuteSucceeded e -> Effect().persist(started(e.process()))
                    .thenRun(this::afterStarted)
                    .thenNoReply();
            case ExecuteFailed f -> failStart(state, f.cause());
            case CleanupDone d -> Effect().persist(new ContainerEvent.Removed(containerId, Instant.now()))
                    .thenRun(this::afterRemoved)
                    .thenNoReply();
            case CleanupFailed f -> cleanupFailed(state, f.cause());
            default -> ignore(state, command);
        };
    }

    private ReplyEffect<ContainerEvent, ContainerState> onRunning(ContainerState.Running state, Command command) {
        return switch (command) {
            case Create c -> Effect().reply(c.replyTo(), StatusReply.error(alreadyExists()));
            case Start c -> Effect().reply(c.replyTo(), StatusReply.success(ContainerState.view(state)));
            case Stop c -> {
                exitWaiters.add(c.replyTo());
                if (!stopping) {
                    stopping = true;
                    if (c.grace().isZero() || c.grace().isNegative()) {
                        signalQuietly(state, SIGKILL);
                    } else {
                        signalQuietly(state, SIGTERM);
                        timers.startSingleTimer(KILL_TIMER, new GraceExpired(), c.grace());
                    }
                }
                yield Effect().noReply();
            }
            case Kill c -> kill(state, c);
            case Remove c -> {
                if (!c.force()) {
                    yield Effect().reply(c.replyTo(), StatusReply.error(new EngineException(Reason.FAILED_PRECONDITION,
                            "cannot remove container " + name(state) + ": it is running: stop it first or use --force")));
                }
                removers.add(c.replyTo());
                removeOnExit = true;
                signalQuietly(state, SIGKILL);
                yield Effect().noReply();
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
            case ProcessExited x -> Effect().persist(exited(x.status()))
                    .thenRun(this::afterExited)
                    .thenNoReply();
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

    private ReplyEffect<ContainerEvent, ContainerState> beginStart(ContainerState state, Start command) {
        if (removing) {
            return Effect().reply(command.replyTo(), StatusReply.error(new EngineException(Reason.FAILED_PRECONDITION,
                    "cannot start container " + name(state) + ": it is being removed")));
        }
        starters.add(command.replyTo());
        if (!starting) {
            starting = true;
            ContainerSpec spec = spec(definition(state));
            CompletableFuture<PreparedContainer> prepare = CompletableFuture.supplyAsync(() -> {
                try {
                    return executor.prepare(spec);
                } catch (ExecutorException e) {
                    throw new CompletionException(e);
                }
            }, blocking);
            context.pipeToSelf(prepare, (prepared, error) ->
                    error == null ? new PrepareDone(prepared) : new PrepareFailed(unwrap(error)));
        }
        return Effect().noReply();
    }

    private void execute(PreparedContainer prepared) {
        context.pipeToSelf(call(() -> executor.execute(prepared)), (process, error) ->
                error == null ? new ExecuteSucceeded(process) : new ExecuteFailed(unwrap(error)));
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
        int exitCode = cause instanceof ExecutorException e ? switch (e.kind()) {
            case EXECUTABLE_NOT_FOUND -> 127;
            case EXECUTABLE_NOT_RUNNABLE -> 126;
            default -> 125;
        } : 125;
        EngineException error = StartFailures.toEngineException(name(state), cause, exitCode);
        ContainerEvent.StartFailed failed = new ContainerEvent.StartFailed(containerId, error.getMessage(), exitCode, now);
        if (exitCode == 125) {
            return Effect().persist(failed).thenRun(s -> finishStart(StatusReply.error(error))).thenNoReply();
        }
        ContainerEvent.Exited exited = new ContainerEvent.Exited(containerId, exitCode, 0, false, now, now);
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
            return Effect().reply(command.replyTo(), StatusReply.error(new EngineException(Reason.INVALID_ARGUMENT,
                    "invalid signal " + command.signal() + " for container " + name(state) + ": use 1 to 64")));
        }
        try {
            executor.signal(state.process(), command.signal());
        } catch (ExecutorException e) {
            if (e.kind() != ExecutorException.Kind.NO_SUCH_PROCESS) {
                return Effect().reply(command.replyTo(), StatusReply.error(new EngineException(Reason.INTERNAL,
                        "cannot signal container " + name(state) + ": " + e.getMessage())));
            }
            // Already gone: its exit is on the way and will be recorded.
        }
        return Effect().reply(command.replyTo(), StatusReply.success(ContainerState.view(state)));
    }

    private void signalQuietly(ContainerState.Running state, int signal) {
        try {
            executor.signal(state.process(), signal);
        } catch (ExecutorException e) {
            // NO_SUCH_PROCESS: it exited on its own; the exit watch records it. Anything else is logged:
            // the stop timer (SIGKILL) or the caller's timeout is the remaining safety net.
            if (e.kind() != ExecutorException.Kind.NO_SUCH_PROCESS) {
                context.getLog().warn("container {}: signal {} failed: {}", containerId, signal, e.getMessage());
            }
        }
    }

    private void watchExit(ContainerProcess process) {
        context.pipeToSelf(call(() -> executor.awaitExit(process)), (status, error) ->
                error == null ? new ProcessExited(status) : new WatchFailed(unwrap(error)));
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
        CompletableFuture<Void> cleanup = CompletableFuture.runAsync(() -> {
            try {
                executor.cleanup(containerId);
            } catch (ExecutorException e) {
                throw new CompletionException(e);
            }
        }, blocking);
        context.pipeToSelf(cleanup, (done, error) -> error == null ? new CleanupDone() : new CleanupFailed(unwrap(error)));
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
        StatusReply<ContainerView> reply = StatusReply.error(new EngineException(Reason.INTERNAL,
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
            // Created, even with a Prepared event: an interrupted start is not resumed; the user starts again.
            default -> { }
        }
    }

    // ---------------------------------------------------------------- events

    @Override
    public EventHandler<ContainerState, ContainerEvent> eventHandler() {
        EventHandlerBuilder<ContainerState, ContainerEvent> builder = newEventHandlerBuilder();
        builder.forStateType(ContainerState.Empty.class)
                .onEvent(ContainerEvent.Created.class, (s, e) -> new ContainerState.Created(e, null, null));
        builder.forStateType(ContainerState.Created.class)
                .onEvent(ContainerEvent.Prepared.class, (s, e) -> new ContainerState.Created(s.definition(), e, s.error()))
                .onEvent(ContainerEvent.Started.class, (s, e) -> new ContainerState.Running(s.definition(), s.prepared(), e))
                .onEvent(ContainerEvent.StartFailed.class, (s, e) -> new ContainerState.Created(s.definition(), s.prepared(), e.reason()))
                .onEvent(ContainerEvent.Exited.class, (s, e) -> new ContainerState.Exited(s.definition(), s.prepared(), null, e, s.error()))
                .onEvent(ContainerEvent.Removed.class, (s, e) -> new ContainerState.Removed(ContainerState.removedView(s)));
        builder.forStateType(ContainerState.Running.class)
                .onEvent(ContainerEvent.Exited.class, (s, e) -> new ContainerState.Exited(s.definition(), s.prepared(), s.started(), e, null));
        builder.forStateType(ContainerState.Exited.class)
                .onEvent(ContainerEvent.Prepared.class, (s, e) -> new ContainerState.Exited(s.definition(), e, s.started(), s.exit(), s.error()))
                .onEvent(ContainerEvent.Started.class, (s, e) -> new ContainerState.Running(s.definition(), s.prepared(), e))
                .onEvent(ContainerEvent.StartFailed.class, (s, e) -> new ContainerState.Exited(s.definition(), s.prepared(), s.started(), s.exit(), e.reason()))
                .onEvent(ContainerEvent.Exited.class, (s, e) -> new ContainerState.Exited(s.definition(), s.prepared(), s.started(), e, s.error()))
                .onEvent(ContainerEvent.Removed.class, (s, e) -> new ContainerState.Removed(ContainerState.removedView(s)));
        return builder.build();
    }

    private ContainerEvent.Created created(Create c) {
        Engine.CreateRequest r = c.request();
        return new ContainerEvent.Created(containerId, c.name(), r.image(), r.entrypoint(), r.command(), r.env(),
                r.workdir(), r.user(), r.hostname(), r.autoRemove(), executor.type(), Instant.now());
    }

    private ContainerEvent.Prepared prepared(PreparedContainer p) {
        // docs/contracts.md: the monitor appends to containers/<id>/ctr.log; Started records the real path.
        return new ContainerEvent.Prepared(containerId, p.imageDigest(), p.process().argv(),
                p.stateDir().resolve("ctr.log").toString(), Instant.now());
    }

    private ContainerEvent.Started started(ContainerProcess p) {
        return new ContainerEvent.Started(containerId, p.pid(), p.pidStartTime(), p.monitorPid(), p.monitorStartTime(),
                p.logPath().toString(), p.statusPath().toString(), Instant.now());
    }

    private ContainerEvent.Exited exited(ExitStatus s) {
        Instant now = Instant.now();
        return new ContainerEvent.Exited(containerId, s.exitCode(), s.signal(), s.oomKilled(),
                s.finishedAt() == null ? now : s.finishedAt(), now);
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
        return new ContainerSpec(d.containerId(), d.name(), d.image(), d.entrypoint(), d.command(), d.env(),
                d.workdir(), d.user(), d.hostname());
    }

    private EngineException noSuchContainer() {
        return new EngineException(Reason.NOT_FOUND, "no such container: " + containerId);
    }

    private EngineException alreadyExists() {
        return new EngineException(Reason.ALREADY_EXISTS, "container " + containerId.substring(0, 12) + " already exists");
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

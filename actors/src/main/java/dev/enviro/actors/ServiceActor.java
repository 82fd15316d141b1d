package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import dev.enviro.supervisors.Supervision;
import dev.enviro.persistence.EventTags;
import dev.enviro.persistence.Origin;
import dev.enviro.persistence.ServiceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One service: N replicas of one image, kept running. Its journal ({@code service|<name>}) holds what
 * was asked (Created, Scaled, Removed); what runs is found out, every reconcile interval, from the
 * containers themselves (replica {@code i} is the container {@code <name>.<i>}) and corrected by
 * {@link ReplicaPlan}: a missing replica is created, an exited one replaced, a surplus one removed. So
 * a replica killed from the host, a scale up or down, and an engine restart all converge the same way.
 * The replicas are ordinary containers with their own actors: the service only asks the registry.
 */
public final class ServiceActor extends EventSourcedBehavior<ServiceActor.Command, ServiceEvent, ServiceActor.State> {

    private static final Object TICK = "reconcile";
    /** For the reconcile steps, which run outside the actor, where its context must not be touched. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServiceActor.class);

    public sealed interface Command {}

    public record Create(String image, List<String> command, int replicas, String correlationId,
                         ActorRef<StatusReply<ServiceView>> replyTo) implements Command {}

    public record Scale(int replicas, String correlationId, ActorRef<StatusReply<ServiceView>> replyTo) implements Command {}

    public record Remove(String correlationId, ActorRef<StatusReply<ServiceView>> replyTo) implements Command {}

    public record Get(ActorRef<StatusReply<ServiceView>> replyTo) implements Command {}

    private record Tick() implements Command {}

    private record Reconciled(int running) implements Command {}

    private record ReplicasRemoved(ActorRef<StatusReply<ServiceView>> replyTo) implements Command {}

    /** {@code definition} null: no service (never created, or removed). Also the actor's snapshot (CBOR, as the events). */
    public record State(ServiceEvent.Created definition, int replicas) implements dev.enviro.persistence.JournalSerializable {
        static final State NONE = new State(null, 0);

        State apply(ServiceEvent event) {
            return switch (event) {
                case ServiceEvent.Created c -> new State(c, c.replicas());
                case ServiceEvent.Scaled s -> new State(definition, s.replicas());
                case ServiceEvent.Removed r -> NONE;
            };
        }
    }

    public static PersistenceId persistenceId(String service) {
        return PersistenceId.of("service", service, "|");
    }

    static Behavior<Command> create(String service, ActorRef<EngineRegistry.Command> registry, String node,
                                    Duration interval, Duration askTimeout) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new ServiceActor(context, timers, service, registry, node, interval, askTimeout)));
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String service;
    private final ActorRef<EngineRegistry.Command> registry;
    private final RegistryClient containers;
    private final String node;
    private final Duration interval;
    private final Duration askTimeout;
    /** The correlation of the replicas' events: the service's own doing. */
    private final String correlation;
    private boolean reconciling;
    private int running;

    private ServiceActor(ActorContext<Command> context, TimerScheduler<Command> timers, String service,
                         ActorRef<EngineRegistry.Command> registry, String node, Duration interval, Duration askTimeout) {
        super(persistenceId(service),
                Supervision.RESTART_FROM_JOURNAL);
        this.context = context;
        this.timers = timers;
        this.service = service;
        this.registry = registry;
        this.containers = new RegistryClient(registry, context.getSystem().scheduler(), askTimeout);
        this.node = node;
        this.interval = interval;
        this.askTimeout = askTimeout;
        this.correlation = "service:" + service;
    }

    @Override
    public org.apache.pekko.persistence.typed.javadsl.RetentionCriteria retentionCriteria() {
        return Snapshots.from(context.getSystem().settings().config()).criteria();
    }

    @Override
    public State emptyState() {
        return State.NONE;
    }

    @Override
    public Set<String> tagsFor(ServiceEvent event) {
        return EventTags.of(event);
    }

    @Override
    public CommandHandler<Command, ServiceEvent, State> commandHandler() {
        return (state, command) -> state.definition() == null ? absent(command) : present(state, command);
    }

    private Effect<ServiceEvent, State> absent(Command command) {
        return switch (command) {
            case Create c -> Effect().persist(new ServiceEvent.Created(service, c.image(), c.command(), c.replicas(),
                            Instant.now(), new Origin(node, c.correlationId())))
                    .thenRun(s -> {
                        c.replyTo().tell(StatusReply.success(view(s)));
                        keepReconciling();
                    });
            case Scale s -> reply(s.replyTo(), notFound());
            case Remove r -> reply(r.replyTo(), notFound());
            case Get g -> reply(g.replyTo(), notFound());
            case ReplicasRemoved r -> {
                registry.tell(new EngineRegistry.ServiceRemoved(service, r.replyTo()));
                yield Effect().none();
            }
            case Tick t -> Effect().none();
            case Reconciled r -> {
                reconciling = false;
                yield Effect().none();
            }
        };
    }

    private Effect<ServiceEvent, State> present(State state, Command command) {
        return switch (command) {
            case Create c -> reply(c.replyTo(), new EnviroError(ErrorCode.ALREADY_EXISTS, "service \"" + service
                    + "\" already exists: scale it, or remove it first"));
            case Scale s -> Effect().persist(new ServiceEvent.Scaled(service, s.replicas(), Instant.now(),
                            new Origin(node, s.correlationId())))
                    .thenRun(after -> {
                        s.replyTo().tell(StatusReply.success(view(after)));
                        context.getSelf().tell(new Tick());
                    });
            case Remove r -> Effect().persist(new ServiceEvent.Removed(service, Instant.now(), new Origin(node, r.correlationId())))
                    .thenRun(after -> {
                        timers.cancel(TICK);
                        ServiceView last = view(state);
                        context.pipeToSelf(removeAll(r.correlationId()), (done, error) -> {
                            if (error != null) {
                                context.getLog().warn("service {}: removing its replicas failed: {}", service,
                                        ContainerActor.unwrap(error).toString());
                            }
                            return new ReplicasRemoved(r.replyTo());
                        });
                        context.getLog().info("service {} removed ({} replicas asked)", service, last.replicas());
                    });
            case Get g -> {
                g.replyTo().tell(StatusReply.success(view(state)));
                yield Effect().none();
            }
            case Tick t -> {
                if (!reconciling) {
                    reconciling = true;
                    context.pipeToSelf(reconcile(state), (n, error) -> {
                        if (error != null) {
                            context.getLog().warn("service {}: reconciling failed, retrying: {}", service,
                                    ContainerActor.unwrap(error).toString());
                        }
                        return new Reconciled(error == null ? n : running);
                    });
                }
                yield Effect().none();
            }
            case Reconciled r -> {
                reconciling = false;
                running = r.running();
                yield Effect().none();
            }
            case ReplicasRemoved r -> Effect().none();
        };
    }

    private Effect<ServiceEvent, State> reply(ActorRef<StatusReply<ServiceView>> replyTo, EnviroError error) {
        if (error != null) {
            replyTo.tell(StatusReply.error(error));
        }
        return Effect().none();
    }

    private EnviroError notFound() {
        return new EnviroError(ErrorCode.NOT_FOUND, "no such service: " + service);
    }

    private ServiceView view(State s) {
        return new ServiceView(service, s.definition().image(), s.definition().command(), s.replicas(), running,
                s.definition().timestamp());
    }

    private void keepReconciling() {
        timers.startTimerWithFixedDelay(TICK, new Tick(), Duration.ZERO, interval);
    }

    /** One round: look at the replicas, carry out the plan one step after the other; the count running after. */
    private CompletionStage<Integer> reconcile(State state) {
        ServiceEvent.Created def = state.definition();
        int desired = state.replicas();
        return containers.list().thenCompose(all -> {
            ReplicaPlan plan = ReplicaPlan.of(service, all, desired);
            CompletionStage<Void> steps = CompletableFuture.completedFuture(null);
            for (String name : plan.remove()) {
                steps = then(steps, () -> containers.call(name, r -> new ContainerActor.Remove(true, r), correlation,
                        askTimeout.multipliedBy(3)));
            }
            for (String name : plan.replace()) {
                LOG.info("service {}: replica {} exited, replacing it", service, name);
                steps = then(steps, () -> containers.call(name, r -> new ContainerActor.Remove(true, r), correlation,
                                askTimeout.multipliedBy(3))
                        .thenCompose(removed -> createAndStart(def, name)));
            }
            for (int i : plan.create()) {
                String name = ReplicaPlan.replicaName(service, i);
                steps = then(steps, () -> createAndStart(def, name));
            }
            for (String name : plan.start()) {
                steps = then(steps, () -> containers.call(name, ContainerActor.Start::new, correlation, askTimeout.multipliedBy(4)));
            }
            int unchanged = plan.running();
            int started = plan.create().size() + plan.replace().size() + plan.start().size();
            return steps.thenApply(done -> plan.settled() ? unchanged : unchanged + started);
        });
    }

    /** Each step runs after the previous one, whether or not it failed: one bad replica does not stop the rest. */
    private CompletionStage<Void> then(CompletionStage<Void> previous, java.util.function.Supplier<CompletionStage<?>> step) {
        return previous.thenCompose(done -> step.get()
                .handle((ok, error) -> {
                    if (error != null) {
                        LOG.warn("service {}: {}", service, ContainerActor.unwrap(error).getMessage());
                    }
                    return null;
                }));
    }

    private CompletionStage<ContainerView> createAndStart(ServiceEvent.Created def, String name) {
        ContainerDefinition request = ContainerDefinition.of(name, def.image(), def.command());
        return containers.create(request, correlation)
                .thenCompose(created -> containers.call(created.id(), ContainerActor.Start::new, correlation,
                        askTimeout.multipliedBy(4)));
    }

    private CompletionStage<Void> removeAll(String correlationId) {
        return containers.list().thenCompose(all -> {
            ReplicaPlan plan = ReplicaPlan.of(service, all, 0);
            CompletionStage<Void> steps = CompletableFuture.completedFuture(null);
            for (String name : plan.remove()) {
                steps = then(steps, () -> containers.call(name, r -> new ContainerActor.Remove(true, r), correlationId,
                        askTimeout.multipliedBy(3)));
            }
            return steps;
        });
    }

    @Override
    public EventHandler<State, ServiceEvent> eventHandler() {
        return State::apply;
    }

    @Override
    public SignalHandler<State> signalHandler() {
        // A service that exists keeps its replicas running from the engine's start on.
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.definition() != null) {
                        keepReconciling();
                    }
                })
                .build();
    }
}

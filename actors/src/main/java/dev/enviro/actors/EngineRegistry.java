package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import dev.enviro.supervisors.Supervision;
import dev.enviro.persistence.RegistryEvent;
import dev.enviro.runtime.Executor;
import dev.enviro.runtime.LifecycleStep;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The engine's directory of containers: owns ids and unique names, resolves what users type (id,
 * unique id prefix, name) and routes commands to the container actors, its children. It is
 * event-sourced ({@code engine-registry}) so that a starting engine knows every container and wakes
 * each actor, and running containers are re-adopted without anyone asking for them.
 */
public final class EngineRegistry extends EventSourcedBehavior<EngineRegistry.Command, RegistryEvent, RegistryState> {

    public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("engine-registry");

    public sealed interface Command {}

    /** {@code startFollows}: a {@code run}'s create (ContainerActor.Create). */
    public record CreateContainer(ContainerDefinition request, String correlationId, boolean startFollows,
                                  ActorRef<StatusReply<ContainerView>> replyTo) implements Command {

        public CreateContainer(ContainerDefinition request, String correlationId, ActorRef<StatusReply<ContainerView>> replyTo) {
            this(request, correlationId, false, replyTo);
        }

        public CreateContainer(ContainerDefinition request, ActorRef<StatusReply<ContainerView>> replyTo) {
            this(request, Correlation.generate(), replyTo);
        }
    }

    /** Resolves {@code ref} and hands the container actor {@code command}; it answers {@code replyTo} itself. */
    public record Forward(String ref,
                          Function<ActorRef<StatusReply<ContainerView>>, ContainerActor.Command> command,
                          ActorRef<StatusReply<ContainerView>> replyTo) implements Command {}

    public record ListContainers(ActorRef<List<ActorRef<ContainerActor.Command>>> replyTo) implements Command {}

    /** From a container actor that persisted {@code Removed}: forget it, then answer its removers. */
    public record ContainerRemoved(String containerId, ContainerView view,
                                   List<ActorRef<StatusReply<ContainerView>>> removers) implements Command {}

    /** Creates service {@code name} (unique among services) and hands its actor the create. */
    public record CreateService(String name, String image, java.util.List<String> command, int replicas, String correlationId,
                                ActorRef<StatusReply<ServiceView>> replyTo) implements Command {}

    /** Hands an existing service's actor {@code command}; it answers {@code replyTo} itself. */
    public record ToService(String name, Function<ActorRef<StatusReply<ServiceView>>, ServiceActor.Command> command,
                            ActorRef<StatusReply<ServiceView>> replyTo) implements Command {}

    public record ListServices(ActorRef<List<ActorRef<ServiceActor.Command>>> replyTo) implements Command {}

    /** From a service actor that persisted {@code Removed} and removed its replicas: forget it, then answer. */
    public record ServiceRemoved(String name, ActorRef<StatusReply<ServiceView>> replyTo) implements Command {}

    private record ServiceStopped(String name, ActorRef<ServiceActor.Command> ref) implements Command {}

    /** {@code ref} stopped: only that incarnation is forgotten, not one spawned since under the same id. */
    private record ChildStopped(String containerId, ActorRef<ContainerActor.Command> ref) implements Command {}

    public static Behavior<Command> create(Executor executor) {
        return create(executor, "local");
    }

    /** {@code node}: this engine's name, recorded in the origin of every container event. */
    public static Behavior<Command> create(Executor executor, String node) {
        return Behaviors.setup(context -> new EngineRegistry(context, executor, node));
    }

    private final ActorContext<Command> context;
    private final Executor executor;
    private final String node;
    private final Map<String, ActorRef<ContainerActor.Command>> children = new HashMap<>();
    private final Map<String, ActorRef<ServiceActor.Command>> services = new HashMap<>();
    private final SecureRandom random = new SecureRandom();

    private EngineRegistry(ActorContext<Command> context, Executor executor, String node) {
        super(PERSISTENCE_ID,
                Supervision.RESTART_FROM_JOURNAL);
        this.context = context;
        this.executor = executor;
        this.node = node;
    }

    @Override
    public org.apache.pekko.persistence.typed.javadsl.RetentionCriteria retentionCriteria() {
        return Snapshots.from(context.getSystem().settings().config()).criteria();
    }

    @Override
    public RegistryState emptyState() {
        return RegistryState.empty();
    }

    @Override
    public CommandHandler<Command, RegistryEvent, RegistryState> commandHandler() {
        return (state, command) -> switch (command) {
            case CreateContainer c -> create(state, c);
            case Forward f -> forward(state, f);
            case ListContainers l -> {
                l.replyTo().tell(state.ids().stream().map(this::child).toList());
                yield Effect().none();
            }
            case ContainerRemoved r -> removed(state, r);
            case ChildStopped s -> {
                children.remove(s.containerId(), s.ref());
                yield Effect().none();
            }
            case CreateService c -> createService(state, c);
            case ToService t -> {
                if (!state.services().contains(t.name())) {
                    yield reject(t.replyTo(), new EnviroError(ErrorCode.NOT_FOUND, "no such service: " + t.name()));
                }
                service(t.name()).tell(t.command().apply(t.replyTo()));
                yield Effect().none();
            }
            case ListServices l -> {
                l.replyTo().tell(state.services().stream().map(this::service).toList());
                yield Effect().none();
            }
            case ServiceRemoved r -> Effect().persist(new RegistryEvent.ServiceUnregistered(r.name(), Instant.now()))
                    .thenRun(s -> r.replyTo().tell(StatusReply.success(new ServiceView(r.name(), null, List.of(), 0, 0, null))));
            case ServiceStopped s -> {
                services.remove(s.name(), s.ref());
                yield Effect().none();
            }
        };
    }

    private Effect<RegistryEvent, RegistryState> create(RegistryState state, CreateContainer c) {
        String name = c.request().name();
        if (name != null && !name.isEmpty()) {
            String invalid = ContainerNames.invalidReason(name);
            if (invalid != null) {
                return reject(c.replyTo(), new EnviroError(ErrorCode.INVALID_ARGUMENT, invalid));
            }
            String owner = state.idOfName(name);
            if (owner != null) {
                return reject(c.replyTo(), new EnviroError(ErrorCode.ALREADY_EXISTS, "container name \"" + name
                        + "\" is already in use by " + owner.substring(0, 12) + ": remove it or choose another name"));
            }
        } else {
            name = ContainerNames.generate(state.names(), random::nextInt);
        }
        String id = newId(state);
        String chosen = name;
        LifecycleStep step = LifecycleStep.begin(id, "journal.Registered");
        return Effect().persist(new RegistryEvent.Registered(id, chosen, Instant.now()))
                .thenRun(s -> step.commit())
                .thenRun(s -> child(id).tell(new ContainerActor.Correlated(c.correlationId(),
                        new ContainerActor.Create(chosen, c.request(), c.startFollows(), c.replyTo()))));
    }

    private Effect<RegistryEvent, RegistryState> createService(RegistryState state, CreateService c) {
        String invalid = ContainerNames.invalidReason(c.name());
        if (invalid == null && c.name().contains(".")) {
            invalid = "service name \"" + c.name() + "\" contains '.': its replicas are named " + c.name()
                    + ".1, .2, ...; choose a name without dots";
        }
        if (invalid != null) {
            return reject(c.replyTo(), new EnviroError(ErrorCode.INVALID_ARGUMENT, invalid));
        }
        if (state.services().contains(c.name())) {
            return reject(c.replyTo(), new EnviroError(ErrorCode.ALREADY_EXISTS, "service \"" + c.name()
                    + "\" already exists: scale it, or remove it first"));
        }
        ServiceActor.Create create = new ServiceActor.Create(c.image(), c.command(), c.replicas(), c.correlationId(), c.replyTo());
        return Effect().persist(new RegistryEvent.ServiceRegistered(c.name(), Instant.now()))
                .thenRun(s -> service(c.name()).tell(create));
    }

    private Effect<RegistryEvent, RegistryState> forward(RegistryState state, Forward f) {
        String id;
        try {
            id = state.resolve(f.ref());
        } catch (EnviroError e) {
            return reject(f.replyTo(), e);
        }
        child(id).tell(f.command().apply(f.replyTo()));
        return Effect().none();
    }

    private Effect<RegistryEvent, RegistryState> removed(RegistryState state, ContainerRemoved r) {
        StatusReply<ContainerView> reply = StatusReply.success(r.view());
        if (!state.namesById().containsKey(r.containerId())) {
            r.removers().forEach(remover -> remover.tell(reply));
            return Effect().none();
        }
        LifecycleStep step = LifecycleStep.begin(r.containerId(), "journal.Unregistered");
        return Effect().persist(new RegistryEvent.Unregistered(r.containerId(), Instant.now()))
                .thenRun(s -> step.commit())
                .thenRun(s -> r.removers().forEach(remover -> remover.tell(reply)));
    }

    private <V> Effect<RegistryEvent, RegistryState> reject(ActorRef<StatusReply<V>> replyTo, EnviroError e) {
        replyTo.tell(StatusReply.error(e));
        return Effect().none();
    }

    /** 256 random bits as 64 hex digits, like Docker's ids; collisions are checked anyway. */
    private String newId(RegistryState state) {
        byte[] bytes = new byte[32];
        String id;
        do {
            random.nextBytes(bytes);
            id = HexFormat.of().formatHex(bytes);
        } while (state.namesById().containsKey(id));
        return id;
    }

    /** The live actor of a registered container, spawned (and so recovered) on first use. */
    private ActorRef<ContainerActor.Command> child(String id) {
        return children.computeIfAbsent(id, key -> {
            ActorRef<ContainerActor.Command> ref = context.spawn(
                    Supervision.restartedFromJournal(ContainerActor.create(key, executor, context.getSelf().narrow(), node)),
                    "container-" + key);
            context.watchWith(ref, new ChildStopped(key, ref));
            return ref;
        });
    }

    /** The live actor of a registered service, spawned (and so recovered) on first use. */
    private ActorRef<ServiceActor.Command> service(String name) {
        return services.computeIfAbsent(name, key -> {
            var config = context.getSystem().settings().config().getConfig("enviro.engine");
            ActorRef<ServiceActor.Command> ref = context.spawn(
                    Supervision.restartedFromJournal(ServiceActor.create(key, context.getSelf(), node,
                            config.getDuration("service-reconcile-interval"), config.getDuration("ask-timeout"))),
                    "service-" + key);
            context.watchWith(ref, new ServiceStopped(key, ref));
            return ref;
        });
    }

    @Override
    public EventHandler<RegistryState, RegistryEvent> eventHandler() {
        return RegistryState::apply;
    }

    @Override
    public SignalHandler<RegistryState> signalHandler() {
        // Wake every known container: running ones are re-adopted, exits missed while away are recorded.
        // A restart after a journal failure reuses this instance but has stopped every child: forget them.
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    children.clear();
                    services.clear();
                    state.ids().forEach(this::child);
                    state.services().forEach(this::service);
                })
                .build();
    }
}

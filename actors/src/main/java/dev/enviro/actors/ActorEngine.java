package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.ResolvedImage;
import dev.enviro.persistence.ContainerDefinition;

import com.typesafe.config.Config;
import dev.enviro.images.ImageStore;
import dev.enviro.images.ImageSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import dev.enviro.persistence.AuditLog;
import dev.enviro.persistence.AuditQuery;
import dev.enviro.persistence.AuditRecord;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * The {@link Engine} over the actor system: each call is one ask to the {@link EngineRegistry},
 * which routes it to the container's actor. Failures are translated to {@link EnviroError} in
 * one place, {@link #failure}.
 */
final class ActorEngine implements Engine {

    private final ActorSystem<EngineRegistry.Command> system;
    private final ImageStore images;
    private final java.util.concurrent.Executor blocking;
    private final Duration askTimeout;
    private final Duration startTimeout;
    private final Duration awaitExitTimeout;
    private final AuditLog audit;
    private final JournalGate journal;
    private final String node;
    private final ActorRef<ImageHistory.Record> imageHistory;
    private final dev.enviro.runtime.Executor executor;
    /** Held by each disk-and-journal check; {@link #shutdown} takes it so no check outlives the engine. */
    private final Object watching = new Object();
    private boolean stopped;
    private final org.apache.pekko.actor.Cancellable watch;
    private final StateDisk disk;

    @Override
    public java.util.Optional<Path> attachSocket(String containerId, String execId) {
        return executor.attachSocket(containerId, execId);
    }

    ActorEngine(ActorSystem<EngineRegistry.Command> system, ImageStore images, dev.enviro.persistence.JournalSettings journal,
                String node, dev.enviro.runtime.Executor executor, Path stateDir) {
        this.system = system;
        this.executor = executor;
        this.node = node;
        this.imageHistory = system.systemActorOf(ImageHistory.create(), "image-history",
                org.apache.pekko.actor.typed.Props.empty());
        this.images = images;
        this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(ContainerActor.BLOCKING_DISPATCHER));
        Config config = system.settings().config().getConfig("enviro.engine");
        this.askTimeout = config.getDuration("ask-timeout");
        this.startTimeout = config.getDuration("start-timeout");
        this.awaitExitTimeout = config.getDuration("await-exit-timeout");
        this.audit = new AuditLog(system, journal);
        Config disk = config.getConfig("disk");
        this.disk = new StateDisk(stateDir, disk.getBytes("reserve"), disk.getBytes("min-free"));
        this.journal = new JournalGate(journal, blocking, config.getDuration("journal-probe-interval"),
                new dev.enviro.persistence.JournalPool(system), this.disk);
        // the disk and the embedded journal are watched all the time, so that both come back by themselves
        Duration every = disk.getDuration("check-interval");
        this.watch = system.scheduler().scheduleAtFixedRate(every, every, () -> {
            synchronized (watching) {
                if (stopped) return;
                this.disk.check();
                this.journal.watch();
            }
        }, system.dispatchers().lookup(DispatcherSelector.fromConfig(ContainerActor.BLOCKING_DISPATCHER)));
    }

    @Override
    public CompletionStage<ContainerView> create(ContainerDefinition request, boolean startFollows) {
        Objects.requireNonNull(request, "request");
        String correlationId = Correlation.current();
        if (request.image() == null || request.image().isBlank()) {
            return CompletableFuture.failedStage(new EnviroError(ErrorCode.INVALID_ARGUMENT,
                    "no image given: name the image to create the container from"));
        }
        // A request refused at the door creates nothing: no id, no name taken, no event (as docker run):
        // an image that does not resolve, or anything a start would refuse (Executor.admit).
        return changing(() -> onBlocking(() -> admit(request), "find image " + request.image())
                .thenCompose(image -> translate(AskPattern.askWithStatus(system,
                        replyTo -> new EngineRegistry.CreateContainer(request, correlationId, startFollows, replyTo), askTimeout, system.scheduler()),
                        "create a container from " + request.image(), askTimeout)));
    }

    /** The create's door: the image, the restart policy, and whatever the executor would refuse at start. */
    private ResolvedImage admit(ContainerDefinition request) {
        disk.admitNewWork();
        boolean named = request.name() != null && !request.name().isEmpty();
        String badName = named ? ContainerNames.invalidReason(request.name()) : null;
        if (badName != null) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, badName);
        ResolvedImage image = images.resolve(request.image());
        String invalid = ContainerActor.invalidRestart(request);
        if (invalid != null) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, invalid);
        try {
            executor.admit(request, image);
        } catch (EnviroError e) {
            throw named ? e.within("container " + request.name() + ": ") : e;
        }
        return image;
    }

    @Override
    public CompletionStage<ContainerView> start(String ref) {
        return changing(() -> onBlocking(() -> {
            disk.admitNewWork();
            return null;
        }, "start " + ref).thenCompose(ok -> forward(ref, ContainerActor.Start::new, startTimeout, "start")));
    }

    @Override
    public CompletionStage<ContainerView> stop(String ref, Duration grace) {
        Duration g = grace == null ? Duration.ofSeconds(10) : grace;
        return changing(() -> forward(ref, replyTo -> new ContainerActor.Stop(g, replyTo), g.plus(askTimeout), "stop"));
    }

    @Override
    public CompletionStage<ContainerView> kill(String ref, int signal) {
        return changing(() -> forward(ref, replyTo -> new ContainerActor.Kill(signal, replyTo), askTimeout, "kill"));
    }

    @Override
    public CompletionStage<ContainerView> remove(String ref, boolean force) {
        return changing(() -> forward(ref, replyTo -> new ContainerActor.Remove(force, replyTo), askTimeout.multipliedBy(3), "remove"));
    }

    @Override
    public CompletionStage<ContainerView> inspect(String ref) {
        return forward(ref, ContainerActor.Get::new, askTimeout, "inspect");
    }

    @Override
    public CompletionStage<ContainerView> awaitExit(String ref) {
        // one ask per caller: a shared one would outlive a container actor restarted from its journal
        // (which forgets its waiters) and leave every later caller waiting on it
        return forward(ref, ContainerActor.AwaitExit::new, awaitExitTimeout, "wait for");
    }

    @Override
    public CompletionStage<Path> logPath(String ref) {
        return inspect(ref).thenApply(view -> {
            if (view.logPath() == null) {
                throw new EnviroError(ErrorCode.CONFLICT,
                        "container " + view.name() + " has no log yet: start it first");
            }
            return Path.of(view.logPath());
        });
    }

    /** Newest first, as {@code docker ps}; {@code all=false} lists running containers only. */
    @Override
    public CompletionStage<List<ContainerView>> list(boolean all) {
        CompletionStage<List<ActorRef<ContainerActor.Command>>> actors =
                AskPattern.ask(system, EngineRegistry.ListContainers::new, askTimeout, system.scheduler());
        return translate(actors.thenCompose(refs -> {
            List<CompletableFuture<ContainerView>> views = new ArrayList<>();
            for (ActorRef<ContainerActor.Command> ref : refs) {
                views.add(AskPattern.askWithStatus(ref, ContainerActor.Get::new, askTimeout, system.scheduler())
                        .toCompletableFuture()
                        // A container registered but never created (the engine died in between) is not listed.
                        .exceptionally(error -> null));
            }
            return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenApply(done -> views.stream()
                    .map(CompletableFuture::join)
                    .filter(Objects::nonNull)
                    .filter(v -> v.state() != ContainerView.State.REMOVED)
                    .filter(v -> all || v.state() == ContainerView.State.RUNNING)
                    .sorted(Comparator.comparing(ContainerView::createdAt).reversed())
                    .toList());
        }), "list containers", askTimeout);
    }

    @Override
    public CompletionStage<List<ImageSummary>> loadImage(Path archive) {
        return recorded(onBlocking(() -> {
            disk.admitNewWork();
            return images.load(archive);
        }, "load " + archive), (loaded, origin) -> loaded.stream()
                .<dev.enviro.persistence.ImageEvent>map(i -> new dev.enviro.persistence.ImageEvent.Loaded(reference(i),
                        i.manifestDigest(), java.time.Instant.now(), origin)).toList());
    }

    /**
     * Journals what an image call did once it succeeded ({@link ImageHistory}), under the calling API
     * call's correlation id. The store already changed: a journal that cannot take the events costs the
     * audit entry (logged), not the call's result.
     */
    private <T> CompletionStage<T> recorded(CompletionStage<T> call,
                                            java.util.function.BiFunction<T, dev.enviro.persistence.Origin,
                                                    List<dev.enviro.persistence.ImageEvent>> events) {
        dev.enviro.persistence.Origin origin = new dev.enviro.persistence.Origin(node, Correlation.current());
        return call.thenCompose(value -> AskPattern.<ImageHistory.Record, org.apache.pekko.Done>ask(imageHistory,
                        replyTo -> new ImageHistory.Record(events.apply(value, origin), replyTo), askTimeout, system.scheduler())
                .handle((done, error) -> {
                    if (error != null) {
                        system.log().warn("the journal did not record an image event ({}): {}", origin.correlationId(),
                                ContainerActor.unwrap(error).toString());
                    }
                    return value;
                }));
    }

    /** An image's name in events: its first name, or its digest when it has none. */
    private static String reference(ImageSummary image) {
        return image.names().isEmpty() ? image.manifestDigest() : image.names().getFirst();
    }

    @Override
    public CompletionStage<List<ImageSummary>> listImages() {
        return onBlocking(images::list, "list images");
    }

    /** On a virtual thread, not the blocking pool: a pull waits on the network for minutes. */
    @Override
    public CompletionStage<ImageSummary> pull(String reference, String platform, dev.enviro.images.registry.Credentials credentials,
                                              java.util.function.Consumer<dev.enviro.images.PullEvent> events) {
        CompletableFuture<ImageSummary> done = new CompletableFuture<>();
        Thread.ofVirtual().name("pull").start(() -> {
            try {
                disk.admitNewWork();
                done.complete(images.pull(reference, platform, credentials, events));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return recorded(translate(done, "pull " + reference, null), (pulled, origin) -> List.of(
                new dev.enviro.persistence.ImageEvent.Pulled(reference(pulled), pulled.manifestDigest(), java.time.Instant.now(), origin)));
    }

    @Override
    public CompletionStage<Void> checkLogin(String registry, dev.enviro.images.registry.Credentials credentials) {
        return onBlocking(() -> {
            images.checkLogin(registry, credentials);
            return null;
        }, "log in to " + registry);
    }

    @Override
    public CompletionStage<dev.enviro.images.ImageRemoval> removeImage(String ref, boolean force) {
        return recorded(imageUsers().thenCompose(users -> onBlocking(() -> images.remove(ref, force, users), "remove image " + ref)),
                (removal, origin) -> {
                    // Docker's untag and delete, as one vocabulary: a name that went, then each image that went.
                    List<dev.enviro.persistence.ImageEvent> events = new ArrayList<>();
                    removal.untagged().forEach(name -> events.add(new dev.enviro.persistence.ImageEvent.Removed(name, null,
                            java.time.Instant.now(), origin)));
                    removal.deleted().forEach(digest -> events.add(new dev.enviro.persistence.ImageEvent.Removed(digest, digest,
                            java.time.Instant.now(), origin)));
                    return events;
                });
    }

    @Override
    public CompletionStage<ImageSummary> tagImage(String source, String target) {
        return onBlocking(() -> images.tag(source, target), "tag image " + source);
    }

    @Override
    public CompletionStage<dev.enviro.images.ImageDetails> inspectImage(String ref) {
        return onBlocking(() -> images.inspect(ref), "inspect image " + ref);
    }

    @Override
    public CompletionStage<Void> saveImages(List<String> refs, Path archive) {
        return onBlocking(() -> {
            images.save(refs, archive);
            return null;
        }, "save images to " + archive);
    }

    @Override
    public CompletionStage<dev.enviro.images.PruneReport> pruneImages(boolean all) {
        return imageUsers().thenCompose(users -> onBlocking(() -> images.prune(all, users), "prune images"));
    }

    /**
     * Manifest digest → names of the containers (any state but removed) made from it. A container not
     * started yet has no digest recorded: its image reference is resolved now (a reference that no
     * longer resolves protects nothing, and its container could not start anyway).
     */
    private CompletionStage<java.util.Map<String, List<String>>> imageUsers() {
        return list(true).thenCompose(views -> onBlocking(() -> {
            java.util.Map<String, List<String>> users = new java.util.HashMap<>();
            for (ContainerView v : views) {
                String digest = v.imageDigest();
                if (digest == null || digest.isEmpty()) {
                    try {
                        digest = images.resolve(v.image()).manifestDigest();
                    } catch (EnviroError gone) {
                        continue;
                    }
                }
                users.computeIfAbsent(digest, d -> new ArrayList<>()).add(v.name());
            }
            return users;
        }, "find the images containers use"));
    }

    @Override
    public CompletionStage<Stream<AuditRecord>> events(AuditQuery query) {
        List<CompletableFuture<String>> ids = query.subjects().stream()
                .map(subject -> resolveForAudit(subject).toCompletableFuture()).toList();
        return CompletableFuture.allOf(ids.toArray(CompletableFuture[]::new)).thenCompose(done -> audit.events(
                new AuditQuery(query.since(), query.until(), ids.stream().map(CompletableFuture::join).collect(Collectors.toSet()),
                        query.types(), query.follow(), query.afterOffset()),
                blocking));
    }

    @Override
    public CompletionStage<List<AuditRecord>> history(String ref) {
        return resolveForAudit(ref).thenCompose(id -> audit.history(ContainerActor.persistenceId(id).id())
                .runWith(Sink.seq(), system)
                .thenApply(records -> {
                    if (records.isEmpty()) {
                        throw new EnviroError(ErrorCode.NOT_FOUND, "no history for container " + ref
                                + ": it does not exist, or its audit retention has passed");
                    }
                    return records;
                }));
    }

    /** A live container's id by any ref; anything else (a removed container's full id, an image) as given. */
    private CompletionStage<String> resolveForAudit(String ref) {
        return inspect(ref).<String>thenApply(ContainerView::id)
                .exceptionally(error -> ContainerActor.unwrap(error) instanceof EnviroError e
                        && e.is(ErrorCode.NOT_FOUND) ? ref : rethrow(error));
    }

    private static <T> T rethrow(Throwable error) {
        throw error instanceof CompletionException c ? c : new CompletionException(error);
    }

    @Override
    public CompletionStage<Void> shutdown() {
        // A check still writing the disk's reserve would go on after the system ends (a dispatcher's
        // running task is not stopped), and write into a state directory its owner then deletes.
        watch.cancel();
        synchronized (watching) {
            stopped = true;
        }
        system.terminate();
        return system.getWhenTerminated().thenApply(done -> null);
    }

    @Override
    public CompletionStage<ContainerView> update(String ref, dev.enviro.persistence.Resources changes) {
        return changing(() -> forward(ref, replyTo -> new ContainerActor.Update(changes, replyTo), askTimeout, "update"));
    }

    @Override
    public CompletionStage<ContainerStats> stats(String ref) {
        CompletableFuture<ContainerStats> sample = new CompletableFuture<>();
        return forward(ref, replyTo -> new ContainerActor.Sample(sample, replyTo), askTimeout, "read statistics of")
                .thenCompose(view -> translate(sample, "read statistics of container " + ref, null));
    }

    @Override
    public CompletionStage<ExecSession> exec(String ref, dev.enviro.runtime.ExecSpec exec) {
        CompletableFuture<ExecSession> session = new CompletableFuture<>();
        return forward(ref, replyTo -> new ContainerActor.Exec(exec, session, replyTo), askTimeout, "exec into")
                .thenCompose(view -> translate(session, "exec into container " + ref, null));
    }

    @Override
    public CompletionStage<ContainerView> pause(String ref, boolean paused) {
        return changing(() -> forward(ref, replyTo -> new ContainerActor.Pause(paused, replyTo), askTimeout, paused ? "pause" : "unpause"));
    }

    // ---------------------------------------------------------------- services

    @Override
    public CompletionStage<ServiceView> createService(String name, String image, List<String> command, int replicas) {
        if (replicas < 0) {
            return CompletableFuture.failedStage(new EnviroError(ErrorCode.INVALID_ARGUMENT,
                    "--replicas " + replicas + " is negative: give 0 or more"));
        }
        if (name == null || name.isBlank()) {
            return CompletableFuture.failedStage(new EnviroError(ErrorCode.INVALID_ARGUMENT,
                    "no service name given: name it with --name"));
        }
        String correlationId = Correlation.current();
        List<String> argv = command == null ? List.of() : List.copyOf(command);
        // The image must resolve now, as for a container: a service of nothing would only fail, forever.
        return changing(() -> onBlocking(() -> images.resolve(image), "find image " + image)
                .thenCompose(resolved -> translate(AskPattern.askWithStatus(system,
                        replyTo -> new EngineRegistry.CreateService(name, image, argv, replicas, correlationId, replyTo),
                        askTimeout, system.scheduler()), "create service " + name, askTimeout)));
    }

    @Override
    public CompletionStage<ServiceView> scaleService(String name, int replicas) {
        if (replicas < 0) {
            return CompletableFuture.failedStage(new EnviroError(ErrorCode.INVALID_ARGUMENT,
                    "cannot scale service " + name + " to " + replicas + " replicas: give 0 or more"));
        }
        String correlationId = Correlation.current();
        return changing(() -> toService(name, replyTo -> new ServiceActor.Scale(replicas, correlationId, replyTo),
                askTimeout, "scale"));
    }

    @Override
    public CompletionStage<ServiceView> removeService(String name) {
        String correlationId = Correlation.current();
        // Removing N replicas takes N removals.
        return changing(() -> toService(name, replyTo -> new ServiceActor.Remove(correlationId, replyTo),
                askTimeout.multipliedBy(10), "remove"));
    }

    @Override
    public CompletionStage<List<ServiceView>> listServices() {
        CompletionStage<List<ActorRef<ServiceActor.Command>>> actors =
                AskPattern.ask(system, EngineRegistry.ListServices::new, askTimeout, system.scheduler());
        return translate(actors.thenCompose(refs -> {
            List<CompletableFuture<ServiceView>> views = refs.stream()
                    .map(ref -> AskPattern.askWithStatus(ref, ServiceActor.Get::new, askTimeout, system.scheduler())
                            .toCompletableFuture().exceptionally(error -> null))
                    .toList();
            return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenApply(done -> views.stream()
                    .map(CompletableFuture::join).filter(Objects::nonNull)
                    .sorted(Comparator.comparing(ServiceView::name)).toList());
        }), "list services", askTimeout);
    }

    private CompletionStage<ServiceView> toService(String name,
                                                   Function<ActorRef<StatusReply<ServiceView>>, ServiceActor.Command> command,
                                                   Duration timeout, String verb) {
        return translate(AskPattern.askWithStatus(system, replyTo -> new EngineRegistry.ToService(name, command, replyTo),
                timeout, system.scheduler()), verb + " service " + name, timeout);
    }

    // ---------------------------------------------------------------- plumbing

    private CompletionStage<ContainerView> forward(String ref,
                                                   Function<ActorRef<StatusReply<ContainerView>>, ContainerActor.Request> command,
                                                   Duration timeout, String verb) {
        // Captured here, on the caller's thread, where the API layer bound it.
        String correlationId = Correlation.current();
        Function<ActorRef<StatusReply<ContainerView>>, ContainerActor.Command> correlated =
                replyTo -> new ContainerActor.Correlated(correlationId, command.apply(replyTo));
        return translate(AskPattern.askWithStatus(system,
                replyTo -> new EngineRegistry.Forward(ref, correlated, replyTo), timeout, system.scheduler()),
                verb + " container " + ref, timeout);
    }

    /**
     * A call that changes state, and so writes the journal: refused at once while the journal is down,
     * and a failure caused by the journal going away meanwhile is reported as that (see {@link JournalGate}).
     */
    private <T> CompletionStage<T> changing(java.util.function.Supplier<CompletionStage<T>> call) {
        return journal.admit().thenCompose(admitted -> call.get())
                .exceptionallyCompose(error -> {
                    Throwable cause = ContainerActor.unwrap(error);
                    if (!(cause instanceof EnviroError e)) {
                        return CompletableFuture.failedStage(cause);
                    }
                    return journal.explain(e).thenCompose(CompletableFuture::failedStage);
                });
    }

    private <T> CompletionStage<T> onBlocking(java.util.function.Supplier<T> call, String what) {
        return translate(CompletableFuture.supplyAsync(call, blocking), what, null);
    }

    private <T> CompletionStage<T> translate(CompletionStage<T> stage, String what, Duration timeout) {
        return stage.handle((value, error) -> {
            if (error != null) {
                throw failure(ContainerActor.unwrap(error), what, timeout);
            }
            return value;
        });
    }

    /** What the API says of a failure: the engine's own error as it is, a timeout or an actor's failure in its words. */
    static EnviroError failure(Throwable error, String what, Duration timeout) {
        return switch (error) {
            case EnviroError e -> e;
            case TimeoutException t -> new EnviroError(ErrorCode.UNAVAILABLE,
                    "cannot " + what + ": the engine did not answer within " + timeout + ": it may be overloaded, retry");
            case StatusReply.ErrorMessage m -> new EnviroError(ErrorCode.INTERNAL, "cannot " + what + ": " + m.getMessage());
            default -> new EnviroError(ErrorCode.INTERNAL, "cannot " + what + ": " + error);
        };
    }
}

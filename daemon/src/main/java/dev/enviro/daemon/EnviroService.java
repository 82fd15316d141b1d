package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.Timestamps;

import dev.enviro.actors.ContainerView;
import dev.enviro.actors.Engine;
import dev.enviro.runtime.LifecycleStep;
import dev.enviro.grpc.v1.*;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code enviro.v1.Enviro} over an {@link Engine}: maps messages and errors, nothing else. Unary calls
 * never block a gRPC thread (the engine answers with stages); log streams run on a virtual thread
 * per client stream with flow control ({@link LogPump}).
 */
public final class EnviroService extends EnviroGrpc.EnviroImplBase {

    private static final Logger log = LoggerFactory.getLogger(EnviroService.class);
    static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);
    private static final int SIGKILL = 9;

    private final Engine engine;
    private final LogSource logs;

    private final EngineInfo info;
    private final ArchiveCalls archives;
    private final java.util.concurrent.atomic.AtomicInteger cliSessions;

    /**
     * {@code spool}: where archives in transit are kept (the content store's ingest directory);
     * {@code cliSessions}: the relays' command lines running now.
     */
    public EnviroService(Engine engine, LogSource logs, EngineInfo info, Path spool, java.util.concurrent.atomic.AtomicInteger cliSessions) {
        this.cliSessions = cliSessions;
        this.engine = engine;
        this.logs = logs;
        this.info = info;
        this.archives = new ArchiveCalls(engine, spool);
    }

    @Override
    public void create(CreateRequest request, StreamObserver<CreateResponse> out) {
        answer("Create", () -> engine.create(ApiMessages.definition(request.getSpec(), request.getSpec().getAutoRemove())),
                v -> CreateResponse.newBuilder().setContainer(ApiMessages.container(v)).build(), out);
    }

    @Override
    public void start(StartRequest request, StreamObserver<StartResponse> out) {
        answer("Start", () -> engine.start(ref(request.getRef())),
                v -> StartResponse.newBuilder().setContainer(ApiMessages.container(v)).build(), out);
    }

    @Override
    public void stop(StopRequest request, StreamObserver<StopResponse> out) {
        answer("Stop", () -> {
            if (request.hasGraceSeconds() && request.getGraceSeconds() < 0) {
                throw invalid("the stop timeout must not be negative: " + request.getGraceSeconds());
            }
            Duration grace = request.hasGraceSeconds() ? Duration.ofSeconds(request.getGraceSeconds()) : DEFAULT_STOP_GRACE;
            return engine.stop(ref(request.getRef()), grace);
        }, v -> StopResponse.newBuilder().setContainer(ApiMessages.container(v)).build(), out);
    }

    @Override
    public void kill(KillRequest request, StreamObserver<KillResponse> out) {
        answer("Kill", () -> {
            int signal = request.getSignal() == 0 ? SIGKILL : request.getSignal();
            if (signal < 1 || signal > 64) {
                throw invalid("invalid signal number " + request.getSignal() + ": expected 1 to 64");
            }
            return engine.kill(ref(request.getRef()), signal);
        }, v -> KillResponse.newBuilder().setContainer(ApiMessages.container(v)).build(), out);
    }

    @Override
    public void remove(RemoveRequest request, StreamObserver<RemoveResponse> out) {
        answer("Remove", () -> engine.remove(ref(request.getRef()), request.getForce()),
                v -> RemoveResponse.newBuilder().setContainer(ApiMessages.container(v)).build(), out);
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> out) {
        answer("List", () -> engine.list(request.getAll()), views -> {
            ListResponse.Builder b = ListResponse.newBuilder();
            views.forEach(v -> b.addContainers(ApiMessages.container(v)));
            return b.build();
        }, out);
    }

    @Override
    public void inspect(InspectRequest request, StreamObserver<InspectResponse> out) {
        answer("Inspect", () -> engine.inspect(ref(request.getRef())),
                v -> InspectResponse.newBuilder().setContainer(ApiMessages.container(v)).build(), out);
    }

    @Override
    public void wait(WaitRequest request, StreamObserver<WaitResponse> out) {
        answer("Wait", () -> engine.awaitExit(ref(request.getRef())), v -> WaitResponse.newBuilder()
                .setExitCode(exitCode(v))
                .setContainer(ApiMessages.container(v))
                .build(), out);
    }

    @Override
    public StreamObserver<LoadImageRequest> loadImage(StreamObserver<LoadImageResponse> out) {
        return archives.load(out);
    }

    @Override
    public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> out) {
        answer("ListImages", engine::listImages, images -> {
            ListImagesResponse.Builder b = ListImagesResponse.newBuilder();
            images.forEach(i -> b.addImages(ApiMessages.image(i)));
            return b.build();
        }, out);
    }

    @Override
    public void pull(PullRequest request, StreamObserver<PullUpdate> out) {
        PullStream.serve(engine, request, out);
    }

    @Override
    public void checkLogin(dev.enviro.grpc.v1.CheckLoginRequest request, StreamObserver<dev.enviro.grpc.v1.CheckLoginResponse> out) {
        answer("CheckLogin", () -> engine.checkLogin(request.getRegistry(),
                        new dev.enviro.images.registry.Credentials(request.getUsername(), request.getPassword())),
                ok -> dev.enviro.grpc.v1.CheckLoginResponse.getDefaultInstance(), out);
    }

    @Override
    public void logs(LogsRequest request, StreamObserver<LogChunk> out) {
        StreamGate gate = StreamGate.install(out);
        String ref;
        try {
            ref = ref(request.getRef());
        } catch (RuntimeException e) {
            out.onError(ApiStatus.of(e, "Logs"));
            return;
        }
        CompletableFuture<?> exited = request.getFollow() ? followedExit(engine.awaitExit(ref), gate) : null;
        engine.logPath(ref).whenComplete((path, failure) -> {
            if (failure != null) {
                out.onError(ApiStatus.of(failure, "Logs"));
                return;
            }
            Thread.ofVirtual().name("logs-" + ref).start(() -> {
                try {
                    if (new LogPump<>(logs.open(path, exited), out, gate, ApiMessages::chunk).drain(exited)) {
                        out.onCompleted();
                    }
                } catch (Throwable t) {
                    fail(out, gate, t, "Logs");
                }
            });
        });
    }

    /**
     * The container's exit as one follower sees it: done when the container exits, or when this stream's
     * client goes away. What the follower hangs on it (its log cursor, its buffers) is then let go; hung
     * on the engine's exit directly, every dropped {@code logs -f} stayed in memory until the container
     * ended (StreamMemoryIT).
     */
    private static CompletableFuture<Object> followedExit(CompletionStage<?> exit, StreamGate gate) {
        CompletableFuture<Object> mine = new CompletableFuture<>();
        exit.whenComplete((v, e) -> mine.complete(v));
        gate.onCancel(() -> mine.cancel(false));
        return mine;
    }

    /**
     * Create, start and, unless detached, attach: the stream opens with {@code started}, carries the
     * output, and ends with {@code exit} after the last byte. With auto-remove, an attached run removes
     * the container itself after its output has been read (the engine removing it at exit could
     * unlink the log before a late follower opened it); this also happens if the client goes away.
     */
    @Override
    public void run(RunRequest request, StreamObserver<RunEvent> out) {
        StreamGate gate = StreamGate.install(out);
        boolean attach = !request.getDetach();
        boolean removeAfter = attach && request.getSpec().getAutoRemove();
        CompletionStage<ContainerView> started;
        // The start runs on whichever thread completed the create: give it this call's correlation id too.
        String correlationId = dev.enviro.actors.Correlation.current();
        LifecycleStep whole = LifecycleStep.begin("", "rpc.run");
        LifecycleStep creating = LifecycleStep.begin("", "rpc.create");
        try {
            started = engine.create(ApiMessages.definition(request.getSpec(), !attach && request.getSpec().getAutoRemove()), true)
                    .thenCompose(created -> ScopedValue.where(dev.enviro.actors.Correlation.ID, correlationId)
                            .call(() -> {
                                creating.container(created.id()).commit();
                                LifecycleStep starting = LifecycleStep.begin(created.id(), "rpc.start");
                                return engine.start(created.id()).whenComplete((v, e) -> starting.commit());
                            })
                            .exceptionallyCompose(failure -> removeAfter
                                    ? removeQuietly(created.id(), true).thenCompose(ignored -> CompletableFuture.failedStage(failure))
                                    : CompletableFuture.failedStage(failure)));
        } catch (RuntimeException e) {
            started = CompletableFuture.failedStage(e);
        }
        started.whenComplete((view, failure) -> {
            if (failure != null) {
                out.onError(ApiStatus.of(failure, "Run"));
                return;
            }
            RunEvent startedEvent = RunEvent.newBuilder().setStarted(ApiMessages.container(view)).build();
            if (!attach) {
                out.onNext(startedEvent);
                out.onCompleted();
                return;
            }
            attach(view.id(), startedEvent, removeAfter, out, gate, whole.container(view.id()));
        });
    }

    private void attach(String id, RunEvent startedEvent, boolean removeAfter, StreamObserver<RunEvent> out, StreamGate gate,
                        LifecycleStep whole) {
        LifecycleStep running = LifecycleStep.begin(id, "rpc.await-exit");
        CompletableFuture<ContainerView> exited = engine.awaitExit(id).toCompletableFuture();
        CompletableFuture<LifecycleStep> draining = exited.handle((v, e) -> {
            running.commit();
            return LifecycleStep.begin(id, "rpc.log-drain");
        });
        CompletableFuture<Void> streamed = new CompletableFuture<>();
        streamed.thenAcceptBoth(draining, (v, step) -> step.commit());
        CompletableFuture<ContainerView> finished = removeAfter
                ? exited.thenCombine(streamed, (view, ignored) -> view)
                        .thenCompose(view -> {
                            LifecycleStep removing = LifecycleStep.begin(id, "rpc.remove");
                            return removeQuietly(id, false).thenApply(ignored -> {
                                removing.commit();
                                return view;
                            });
                        })
                : exited;
        engine.logPath(id).whenComplete((path, failure) -> {
            if (failure != null) {
                streamed.complete(null);
                out.onError(ApiStatus.of(failure, "Run"));
                return;
            }
            Thread.ofVirtual().name("run-" + id).start(() -> {
                try {
                    out.onNext(startedEvent);
                    LogPump<RunEvent> pump = new LogPump<>(logs.open(path, exited), out, gate,
                            r -> RunEvent.newBuilder().setOutput(ApiMessages.chunk(r)).build());
                    boolean drained = pump.drain(exited);
                    streamed.complete(null);
                    if (drained) {
                        ContainerView view = finished.join();
                        out.onNext(RunEvent.newBuilder().setExit(Exit.newBuilder()
                                .setCode(exitCode(view))
                                .setContainer(ApiMessages.container(view))).build());
                        out.onCompleted();
                        whole.commit();
                    }
                } catch (Throwable t) {
                    streamed.complete(null);
                    fail(out, gate, t, "Run");
                }
            });
        });
    }

    /**
     * {@code exec}: started once the command has exec'd, then its output (its own log, written by its own
     * monitor), then its exit code, after the last byte.
     */
    @Override
    public void exec(dev.enviro.grpc.v1.ExecRequest request, StreamObserver<RunEvent> out) {
        StreamGate gate = StreamGate.install(out);
        LifecycleStep whole = LifecycleStep.begin("", "rpc.exec");
        CompletionStage<dev.enviro.actors.ExecSession> started;
        try {
            String id = java.util.HexFormat.of().formatHex(randomBytes(16));
            dev.enviro.runtime.ExecSpec spec;
            try {
                spec = new dev.enviro.runtime.ExecSpec(id, java.util.List.copyOf(request.getCommandList()), java.util.List.copyOf(request.getEnvList()),
                        request.getUser().isEmpty() ? null : request.getUser(), request.getWorkdir().isEmpty() ? null : request.getWorkdir(),
                        request.getTty(), request.getInteractive());
            } catch (IllegalArgumentException e) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "exec into container " + request.getRef() + ": " + e.getMessage());
            }
            started = engine.exec(request.getRef(), spec);
        } catch (RuntimeException e) {
            started = CompletableFuture.failedStage(e);
        }
        started.whenComplete((session, failure) -> {
            if (failure != null) {
                out.onError(ApiStatus.of(failure, "Exec"));
                return;
            }
            CompletableFuture<dev.enviro.runtime.ExitStatus> exited = session.exit().toCompletableFuture();
            LifecycleStep running = LifecycleStep.begin(session.containerId(), "exec.await-exit");
            exited.whenComplete((status, error) -> running.commit());
            Thread.ofVirtual().name("exec-" + session.execId()).start(() -> {
                try {
                    out.onNext(RunEvent.newBuilder().setStarted(dev.enviro.grpc.v1.Container.newBuilder().setId(session.containerId()))
                            .setExecId(session.execId()).build());
                    LogPump<RunEvent> pump = new LogPump<>(logs.open(session.logPath(), exited), out, gate,
                            r -> RunEvent.newBuilder().setOutput(ApiMessages.chunk(r)).build());
                    if (pump.drain(exited)) {
                        out.onNext(RunEvent.newBuilder().setExit(Exit.newBuilder().setCode(exited.join().exitCode())).build());
                        out.onCompleted();
                        whole.container(session.containerId()).commit();
                    }
                } catch (Throwable t) {
                    fail(out, gate, t, "Exec");
                }
            });
        });
    }

    /** A terminal on a running container: input to its monitor, output from its log, then the exit (docs/terminal.md). */
    @Override
    public StreamObserver<AttachInput> attach(StreamObserver<RunEvent> out) {
        return new AttachSession(engine, logs, out);
    }

    /** The processes of a running container, read from its cgroup (or pid namespace) and /proc. */
    @Override
    public void top(TopRequest request, StreamObserver<TopResponse> out) {
        answer("Top", () -> engine.inspect(ref(request.getRef())).thenApplyAsync(view -> {
            if (view.state() != ContainerView.State.RUNNING || view.pid() <= 0) {
                throw new EnviroError(ErrorCode.CONFLICT,
                        "container " + request.getRef() + " is not running: start it first");
            }
            try {
                return dev.enviro.runtime.top.ProcessTable.of(view.pid());
            } catch (java.io.IOException e) {
                throw new EnviroError(ErrorCode.INTERNAL, "container " + request.getRef() + ": cannot list its processes: " + e.getMessage());
            }
        }, r -> Thread.ofVirtual().start(r)), rows -> {
            TopResponse.Builder b = TopResponse.newBuilder();
            for (var row : rows) {
                b.addProcesses(TopProcess.newBuilder().setPid(row.pid()).setContainerPid(row.containerPid()).setUser(row.user()).setCommand(row.command()));
            }
            return b.build();
        }, out);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Removal after a run is best effort: the run's outcome is the exit code, a failed removal is logged. */
    private CompletionStage<Void> removeQuietly(String id, boolean force) {
        CompletionStage<ContainerView> removal;
        try {
            removal = engine.remove(id, force);
        } catch (RuntimeException e) {
            removal = CompletableFuture.failedStage(e);
        }
        return removal.handle((view, failure) -> {
            if (failure != null) {
                log.warn("could not remove container {} after its run: {}", id, ApiStatus.unwrap(failure).getMessage());
            }
            return null;
        });
    }

    private static int exitCode(ContainerView view) {
        if (view.exitCode() == null) {
            throw new EnviroError(ErrorCode.INTERNAL,
                    "container " + view.id() + " is reported exited without an exit code");
        }
        return view.exitCode();
    }

    private static void fail(StreamObserver<?> out, StreamGate gate, Throwable t, String rpc) {
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (!gate.cancelled()) {
            out.onError(ApiStatus.of(t, rpc));
        }
    }

    private <T, R> void answer(String rpc, Supplier<CompletionStage<T>> call, Function<T, R> response, StreamObserver<R> out) {
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedStage(e);
        }
        stage.whenComplete((value, failure) -> {
            if (failure != null) {
                out.onError(ApiStatus.of(failure, rpc));
                return;
            }
            R message;
            try {
                message = response.apply(value);
            } catch (RuntimeException e) {
                out.onError(ApiStatus.of(e, rpc));
                return;
            }
            out.onNext(message);
            out.onCompleted();
        });
    }

    @Override
    public void update(UpdateRequest request, StreamObserver<UpdateResponse> out) {
        answer("Update", () -> engine.update(ref(request.getRef()), ApiMessages.resources(request.getResources())),
                v -> UpdateResponse.newBuilder().setContainer(ApiMessages.container(v)).build(), out);
    }

    @Override
    public void stats(StatsRequest request, StreamObserver<StatsResponse> out) {
        StatsStream.serve(engine, request, out);
    }

    @Override
    public void createService(dev.enviro.grpc.v1.CreateServiceRequest request, StreamObserver<dev.enviro.grpc.v1.ServiceResponse> out) {
        answer("CreateService", () -> engine.createService(request.getName(), request.getImage(), request.getCommandList(),
                request.getReplicas()), ServiceMessages::response, out);
    }

    @Override
    public void scaleService(dev.enviro.grpc.v1.ScaleServiceRequest request, StreamObserver<dev.enviro.grpc.v1.ServiceResponse> out) {
        answer("ScaleService", () -> engine.scaleService(request.getName(), request.getReplicas()), ServiceMessages::response, out);
    }

    @Override
    public void removeService(dev.enviro.grpc.v1.RemoveServiceRequest request, StreamObserver<dev.enviro.grpc.v1.ServiceResponse> out) {
        answer("RemoveService", () -> engine.removeService(request.getName()), ServiceMessages::response, out);
    }

    @Override
    public void listServices(dev.enviro.grpc.v1.ListServicesRequest request, StreamObserver<dev.enviro.grpc.v1.ListServicesResponse> out) {
        answer("ListServices", engine::listServices, ServiceMessages::list, out);
    }

    @Override
    public void pause(PauseRequest request, StreamObserver<PauseResponse> out) {
        answer("Pause", () -> engine.pause(ref(request.getRef()), true),
                v -> PauseResponse.newBuilder().setContainer(ApiMessages.container(v)).build(), out);
    }

    @Override
    public void unpause(UnpauseRequest request, StreamObserver<UnpauseResponse> out) {
        answer("Unpause", () -> engine.pause(ref(request.getRef()), false),
                v -> UnpauseResponse.newBuilder().setContainer(ApiMessages.container(v)).build(), out);
    }

    @Override
    public void history(HistoryRequest request, StreamObserver<HistoryResponse> out) {
        answer("History", () -> engine.history(ref(request.getRef())), records -> {
            HistoryResponse.Builder b = HistoryResponse.newBuilder();
            records.forEach(r -> b.addEvents(ApiMessages.event(r)));
            return b.build();
        }, out);
    }

    /** The audit log, streamed on a virtual thread: the journal query blocks while it waits for events. */
    @Override
    public void events(EventsRequest request, StreamObserver<Event> out) {
        // sent as the client takes them (a follow may run for days; a history may be the whole journal)
        StreamGate gate = StreamGate.install(out);
        java.util.concurrent.atomic.AtomicReference<java.util.stream.Stream<?>> open = new java.util.concurrent.atomic.AtomicReference<>();
        gate.onCancel(() -> {
            java.util.stream.Stream<?> stream = open.get();
            if (stream != null) {
                stream.close();
            }
        });
        dev.enviro.persistence.AuditQuery query;
        try {
            query = new dev.enviro.persistence.AuditQuery(
                    request.hasSince() ? Timestamps.instant(request.getSince()) : null,
                    request.hasUntil() ? Timestamps.instant(request.getUntil()) : null,
                    java.util.Set.copyOf(request.getSubjectsList()), java.util.Set.copyOf(request.getTypesList()),
                    request.getFollow(), request.getAfterOffset());
        } catch (IllegalArgumentException e) {
            out.onError(ApiStatus.of(invalid(e.getMessage()), "Events"));
            return;
        }
        engine.events(query).whenComplete((stream, failure) -> {
            if (failure != null) {
                out.onError(ApiStatus.of(failure, "Events"));
                return;
            }
            open.set(stream);
            if (gate.cancelled()) {
                stream.close();
                return;
            }
            Thread.ofVirtual().name("events").start(() -> {
                try (stream) {
                    java.util.Iterator<dev.enviro.persistence.AuditRecord> it = stream.iterator();
                    while (it.hasNext()) {
                        dev.enviro.persistence.AuditRecord record = it.next();
                        if (!gate.awaitReady()) return;
                        out.onNext(ApiMessages.event(record));
                    }
                    if (!gate.cancelled()) {
                        out.onCompleted();
                    }
                } catch (Throwable t) {
                    if (!gate.cancelled()) {
                        out.onError(ApiStatus.of(t, "Events"));
                    }
                }
            });
        });
    }

    // ---------------------------------------------------------------- image verbs and info (docs/image-verbs.md, docs/registry.md)

    @Override
    public void removeImage(RemoveImageRequest request, StreamObserver<RemoveImageResponse> out) {
        answer("RemoveImage", () -> engine.removeImage(imageRef(request.getRef()), request.getForce()), ImageReplies::removed, out);
    }

    @Override
    public void tagImage(TagImageRequest request, StreamObserver<TagImageResponse> out) {
        answer("TagImage", () -> engine.tagImage(imageRef(request.getSource()), imageRef(request.getTarget())),
                image -> TagImageResponse.newBuilder().setImage(ApiMessages.image(image)).build(), out);
    }

    @Override
    public void inspectImage(InspectImageRequest request, StreamObserver<InspectImageResponse> out) {
        answer("InspectImage", () -> engine.inspectImage(imageRef(request.getRef())), ImageReplies::details, out);
    }

    @Override
    public void saveImage(SaveImageRequest request, StreamObserver<SaveImageChunk> out) {
        if (request.getRefsCount() == 0) {
            out.onError(ApiStatus.of(invalid("save: name at least one image"), "SaveImage"));
            return;
        }
        List<String> refs;
        try {
            refs = request.getRefsList().stream().map(EnviroService::imageRef).toList();
        } catch (RuntimeException e) {
            out.onError(ApiStatus.of(e, "SaveImage"));
            return;
        }
        archives.save(refs, out);
    }

    @Override
    public void pruneImages(PruneImagesRequest request, StreamObserver<PruneImagesResponse> out) {
        answer("PruneImages", () -> engine.pruneImages(request.getAll()), ImageReplies::pruned, out);
    }

    @Override
    public void info(InfoRequest request, StreamObserver<InfoResponse> out) {
        answer("Info", () -> CompletableFuture.completedStage(info), i -> ImageReplies.info(i, cliSessions.get()), out);
    }

    private static String imageRef(String ref) {
        if (ref.isBlank()) {
            throw invalid("an image name or id is required");
        }
        return ref;
    }

    private static String ref(String ref) {
        if (ref.isEmpty()) {
            throw invalid("a container id or name is required");
        }
        return ref;
    }

    private static EnviroError invalid(String message) {
        return new EnviroError(ErrorCode.INVALID_ARGUMENT, message);
    }
}

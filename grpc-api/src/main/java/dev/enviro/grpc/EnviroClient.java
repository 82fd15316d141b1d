package dev.enviro.grpc;

import dev.enviro.grpc.v1.*;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A blocking Java client of the engine's API on its unix socket. Every failure is an
 * {@link dev.enviro.errors.EnviroError} carrying the line to show and the exit code to end with; also while
 * iterating a stream. Safe to use from several threads (e.g. a signal forwarder beside a run).
 */
public final class EnviroClient implements AutoCloseable {

    private final EngineAddress address;
    private final EventLoopGroup loop;
    private final ManagedChannel channel;
    private final EnviroGrpc.EnviroBlockingStub stub;
    private final EnviroGrpc.EnviroStub streams;

    private EnviroClient(EngineAddress address, EventLoopGroup loop, ManagedChannel channel) {
        this.address = address;
        this.loop = loop;
        this.channel = channel;
        this.stub = EnviroGrpc.newBlockingStub(channel);
        this.streams = EnviroGrpc.newStub(channel);
    }

    /** A client over a channel someone else owns (the engine's in-process one): closing it leaves the channel open. */
    public static EnviroClient over(io.grpc.ManagedChannel channel, EngineAddress address) {
        return new EnviroClient(address, null, channel);
    }

    /** Connects lazily: a missing engine shows on the first call, as an {@link dev.enviro.errors.EnviroError} with code {@code UNREACHABLE}. */
    public static EnviroClient connect(EngineAddress address) {
        EventLoopGroup loop = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(address.socket().toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(loop)
                .usePlaintext()
                // A unix socket has no host name; HTTP/2 still needs an authority.
                .overrideAuthority("localhost")
                // gRPC asks for TCP keep-alive, which a unix socket does not have (Netty would warn on every connect).
                .withOption(ChannelOption.SO_KEEPALIVE, null)
                .build();
        return new EnviroClient(address, loop, channel);
    }

    public EngineAddress address() { return address; }

    /** The connected channel, for tools that call the API's stubs themselves (the benchmarks); closed with this client. */
    public io.grpc.Channel channel() { return channel; }

    public Container create(ContainerSpec spec) {
        return call(() -> stub.create(CreateRequest.newBuilder().setSpec(spec).build()).getContainer());
    }

    public Container start(String ref) {
        return call(() -> stub.start(StartRequest.newBuilder().setRef(ref).build()).getContainer());
    }

    /** Events of one run: {@code started}, then (attached) output chunks and {@code exit}. */
    public Iterator<RunEvent> run(ContainerSpec spec, boolean detach) {
        return stream(RunRequest.newBuilder().setSpec(spec).setDetach(detach).build(), streams::run);
    }

    /** {@code enviro exec}: the exec's output and exit, as {@link #run} streams a container's. */
    public Iterator<RunEvent> exec(dev.enviro.grpc.v1.ExecRequest request) {
        return stream(request, streams::exec);
    }

    /** {@code graceSeconds} null: the engine's default. */
    public Container stop(String ref, Integer graceSeconds) {
        StopRequest.Builder request = StopRequest.newBuilder().setRef(ref);
        if (graceSeconds != null) {
            request.setGraceSeconds(graceSeconds);
        }
        return call(() -> stub.stop(request.build()).getContainer());
    }

    public Container kill(String ref, int signal) {
        return call(() -> stub.kill(KillRequest.newBuilder().setRef(ref).setSignal(signal).build()).getContainer());
    }

    public Container remove(String ref, boolean force) {
        return call(() -> stub.remove(RemoveRequest.newBuilder().setRef(ref).setForce(force).build()).getContainer());
    }

    public List<Container> list(boolean all) {
        return call(() -> stub.list(ListRequest.newBuilder().setAll(all).build()).getContainersList());
    }

    public Container inspect(String ref) {
        return call(() -> stub.inspect(InspectRequest.newBuilder().setRef(ref).build()).getContainer());
    }

    public Iterator<LogChunk> logs(String ref, boolean follow) {
        return stream(LogsRequest.newBuilder().setRef(ref).setFollow(follow).build(), streams::logs);
    }

    public WaitResponse await(String ref) {
        return call(() -> stub.wait(WaitRequest.newBuilder().setRef(ref).build()));
    }

    /**
     * Loads the archive {@code archive} yields (an OCI layout tar or a {@code docker save} archive),
     * sent in the call: the engine never opens a client's path; {@code name} is the archive's file
     * name for the engine's messages. A failure reading it is an IOException.
     */
    public List<Image> loadImage(java.io.InputStream archive, String name) throws java.io.IOException {
        java.util.concurrent.CompletableFuture<LoadImageResponse> answer = new java.util.concurrent.CompletableFuture<>();
        Object ready = new Object();
        io.grpc.stub.ClientCallStreamObserver<LoadImageRequest>[] call = new io.grpc.stub.ClientCallStreamObserver[1];
        EnviroGrpc.newStub(channel).loadImage(new io.grpc.stub.ClientResponseObserver<LoadImageRequest, LoadImageResponse>() {
            @Override
            public void beforeStart(io.grpc.stub.ClientCallStreamObserver<LoadImageRequest> requests) {
                call[0] = requests;
                requests.setOnReadyHandler(() -> {
                    synchronized (ready) {
                        ready.notifyAll();
                    }
                });
            }

            @Override public void onNext(LoadImageResponse response) { answer.complete(response); }
            @Override public void onError(Throwable t) { answer.completeExceptionally(t); }
            @Override public void onCompleted() { }
        });
        io.grpc.stub.ClientCallStreamObserver<LoadImageRequest> requests = call[0];
        byte[] buf = new byte[1 << 20];
        boolean first = true;
        try {
            for (int n; !answer.isDone() && (n = archive.readNBytes(buf, 0, buf.length)) > 0; ) {
                synchronized (ready) {
                    // the engine's pace (HTTP/2 flow control): the archive is never held whole in memory
                    while (!requests.isReady() && !answer.isDone()) ready.wait(100);
                }
                LoadImageRequest.Builder chunk = LoadImageRequest.newBuilder().setData(com.google.protobuf.ByteString.copyFrom(buf, 0, n));
                if (first) chunk.setName(name);
                first = false;
                requests.onNext(chunk.build());
            }
        } catch (java.io.IOException | RuntimeException e) {
            requests.cancel("the archive could not be read", e);
            throw e;
        } catch (InterruptedException e) {
            requests.cancel("interrupted", e);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
        requests.onCompleted();
        return call(() -> {
            try {
                return answer.get().getImagesList();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof StatusRuntimeException s) throw s;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw io.grpc.Status.CANCELLED.withDescription("interrupted").asRuntimeException();
            }
        });
    }

    public List<Image> listImages() {
        return call(() -> stub.listImages(ListImagesRequest.getDefaultInstance()).getImagesList());
    }

    /** Pulls an image: progress updates, the last one {@code done}. Credentials may be null (anonymous). */
    public Iterator<PullUpdate> pull(String reference, String platform, String username, String password) {
        PullRequest.Builder b = PullRequest.newBuilder().setReference(reference);
        if (platform != null) b.setPlatform(platform);
        if (username != null) b.setUsername(username).setPassword(password == null ? "" : password);
        return stream(b.build(), streams::pull);
    }

    /** Asks the registry, through the engine, whether it accepts these credentials; DENIED when it does not. */
    public void checkLogin(String registry, String username, String password) {
        call(() -> stub.checkLogin(CheckLoginRequest.newBuilder().setRegistry(registry).setUsername(username)
                .setPassword(password).build()));
    }

    /** The audit log as {@code enviro events} asks for it; endless with {@code follow}. */
    public Iterator<Event> events(EventsRequest request) {
        return stream(request, streams::events);
    }

    public Container update(String ref, dev.enviro.grpc.v1.Resources changes) {
        return call(() -> stub.update(UpdateRequest.newBuilder().setRef(ref).setResources(changes).build()).getContainer());
    }

    /** One {@link StatsResponse} per second (one in all with {@code noStream}); empty {@code refs}: every running container. */
    public Iterator<StatsResponse> stats(List<String> refs, boolean noStream) {
        return stream(StatsRequest.newBuilder().addAllRefs(refs).setNoStream(noStream).build(), streams::stats);
    }

    public dev.enviro.grpc.v1.Service createService(String name, String image, List<String> command, int replicas) {
        return call(() -> stub.createService(dev.enviro.grpc.v1.CreateServiceRequest.newBuilder().setName(name).setImage(image)
                .addAllCommand(command).setReplicas(replicas).build()).getService());
    }

    public dev.enviro.grpc.v1.Service scaleService(String name, int replicas) {
        return call(() -> stub.scaleService(dev.enviro.grpc.v1.ScaleServiceRequest.newBuilder().setName(name)
                .setReplicas(replicas).build()).getService());
    }

    public dev.enviro.grpc.v1.Service removeService(String name) {
        return call(() -> stub.removeService(dev.enviro.grpc.v1.RemoveServiceRequest.newBuilder().setName(name).build()).getService());
    }

    public List<dev.enviro.grpc.v1.Service> listServices() {
        return call(() -> stub.listServices(dev.enviro.grpc.v1.ListServicesRequest.getDefaultInstance()).getServicesList());
    }

    public Container pause(String ref) {
        return call(() -> stub.pause(PauseRequest.newBuilder().setRef(ref).build()).getContainer());
    }

    public Container unpause(String ref) {
        return call(() -> stub.unpause(UnpauseRequest.newBuilder().setRef(ref).build()).getContainer());
    }

    public List<Event> history(String ref) {
        return call(() -> stub.history(HistoryRequest.newBuilder().setRef(ref).build()).getEventsList());
    }

    public RemoveImageResponse removeImage(String ref, boolean force) {
        return call(() -> stub.removeImage(RemoveImageRequest.newBuilder().setRef(ref).setForce(force).build()));
    }

    public Image tagImage(String source, String target) {
        return call(() -> stub.tagImage(TagImageRequest.newBuilder().setSource(source).setTarget(target).build()).getImage());
    }

    public InspectImageResponse inspectImage(String ref) {
        return call(() -> stub.inspectImage(InspectImageRequest.newBuilder().setRef(ref).build()));
    }

    /** {@code save}: the images as one OCI image layout tar, written to {@code archive} as it streams. */
    public void saveImages(List<String> refs, java.io.OutputStream archive) throws java.io.IOException {
        Iterator<SaveImageChunk> chunks = stream(SaveImageRequest.newBuilder().addAllRefs(refs).build(), streams::saveImage);
        while (chunks.hasNext()) chunks.next().getData().writeTo(archive);
    }

    public PruneImagesResponse pruneImages(boolean all) {
        return call(() -> stub.pruneImages(PruneImagesRequest.newBuilder().setAll(all).build()));
    }

    /**
     * Opens an {@code Attach} call (docs/terminal.md): send the container's ref first, then input; events
     * come to {@code events} on gRPC's threads, a failure as an {@link dev.enviro.errors.EnviroError}.
     */
    public io.grpc.stub.StreamObserver<AttachInput> attach(io.grpc.stub.StreamObserver<RunEvent> events) {
        return EnviroGrpc.newStub(channel).attach(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(RunEvent event) { events.onNext(event); }

            @Override
            public void onError(Throwable t) {
                events.onError(t instanceof StatusRuntimeException e ? ApiErrors.fromStatus(e, address) : t);
            }

            @Override
            public void onCompleted() { events.onCompleted(); }
        });
    }

    public List<TopProcess> top(String ref) {
        return call(() -> stub.top(TopRequest.newBuilder().setRef(ref).build()).getProcessesList());
    }

    public InfoResponse info() {
        return call(() -> stub.info(InfoRequest.getDefaultInstance()));
    }

    private <T> T call(Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw ApiErrors.fromStatus(e, address);
        }
    }

    /** A server stream as an iterator, read ahead by a window of messages ({@link StreamWindow}). */
    private <Q, T> Iterator<T> stream(Q request, java.util.function.BiConsumer<Q, io.grpc.stub.StreamObserver<T>> rpc) {
        StreamWindow<Q, T> window = new StreamWindow<>(address);
        rpc.accept(request, window);
        return window;
    }

    @Override
    public void close() {
        if (loop == null) return; // the channel is its owner's
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
}

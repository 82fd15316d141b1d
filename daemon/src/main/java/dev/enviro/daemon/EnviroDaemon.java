package dev.enviro.daemon;

import dev.enviro.errors.ErrorCode;
import dev.enviro.errors.EnviroError;
import dev.enviro.grpc.EngineAddress;

import dev.enviro.grpc.EnviroClient;

import dev.enviro.actors.Engine;
import dev.enviro.actors.EngineSettings;
import dev.enviro.actors.EngineSystem;
import dev.enviro.ffm.SyscallException;
import dev.enviro.images.ImageStore;
import dev.enviro.images.Snapshotter;
import dev.enviro.runtime.Executor;
import dev.enviro.runtime.logs.ContainerLogs;
import dev.enviro.runtime.nativeexec.NativeExecutor;
import dev.enviro.ffm.uring.SyscallDispatcher;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds the engine's parts, then serves the API. The only class that knows
 * them all; everything else receives what it needs. Closing it stops the API and the engine and
 * leaves the containers running (their monitors own them), to be re-adopted by the next engine.
 */
public final class EnviroDaemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EnviroDaemon.class);

    private final UnixSocketServer server;
    /** The same API in-process, for the CLI the engine runs on behalf of the native relay. */
    private final InProcessApi inProcess;
    /** The command lines run now for relays (the relay server counts them; info shows them). */
    private final java.util.concurrent.atomic.AtomicInteger cliSessions;
    private final Engine engine;
    /** The engine's parts, closed last-built first after the engine has shut down. */
    private final Deque<AutoCloseable> parts;

    private EnviroDaemon(UnixSocketServer server, InProcessApi inProcess, java.util.concurrent.atomic.AtomicInteger cliSessions,
                         Engine engine, Deque<AutoCloseable> parts) {
        this.cliSessions = cliSessions;
        this.server = server;
        this.inProcess = inProcess;
        this.engine = engine;
        this.parts = parts;
    }

    /** {@code enviro daemon}: the real engine under {@code settings.stateDir()}, served on {@code settings.address()}. */
    public static EnviroDaemon start(DaemonSettings settings) throws EnviroError {
        // Refuse before the engine touches the state directory when another engine already serves here.
        UnixSocketServer.claim(settings.address());
        Deque<AutoCloseable> parts = new ArrayDeque<>();
        try {
            SyscallDispatcher dispatcher = startDispatcher(parts);
            Built built = buildEngine(settings, dispatcher);
            Engine engine = built.engine();
            // Logs are read by io_uring completions and woken by one shared inotify fd: no polling, no thread per log.
            ContainerLogs containerLogs = openLogs(dispatcher, parts);
            LogSource logs = FollowedLog.source(containerLogs);
            return serve(engine, logs, settings.address(), parts, built.info(), dev.enviro.images.ImageStore.ingestDirectory(settings.stateDir()));
        } catch (RuntimeException e) {
            closeAll(parts, e);
            throw e;
        }
    }

    /** The API over an engine built elsewhere (embedding, API tests); closing the daemon shuts that engine down. */
    public static EnviroDaemon serve(Engine engine, LogSource logs, EngineAddress address, Path spool) throws EnviroError {
        return serve(engine, logs, address, new ArrayDeque<>(), EngineInfo.embedded(), spool);
    }

    private static EnviroDaemon serve(Engine engine, LogSource logs, EngineAddress address, Deque<AutoCloseable> parts,
                                      EngineInfo info, Path spool) throws EnviroError {
        java.util.concurrent.atomic.AtomicInteger cliSessions = new java.util.concurrent.atomic.AtomicInteger();
        io.grpc.ServerServiceDefinition api = io.grpc.ServerInterceptors.intercept(
                new EnviroService(engine, logs, info, spool, cliSessions), new CorrelationInterceptor());
        UnixSocketServer server = UnixSocketServer.bind(address, () -> api);
        InProcessApi inProcess;
        try {
            inProcess = InProcessApi.start(address, api);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.info("Enviro engine API listening on {}", address);
        return new EnviroDaemon(server, inProcess, cliSessions, engine, parts);
    }

    /** The gauge of the relays' command lines, for the relay server to keep. */
    public java.util.concurrent.atomic.AtomicInteger cliSessions() {
        return cliSessions;
    }

    /** A client of this engine over the in-process channel (closing it leaves the channel open). */
    public EnviroClient inProcessClient() {
        return inProcess.client();
    }

    private static SyscallDispatcher startDispatcher(Deque<AutoCloseable> parts) throws EnviroError {
        try {
            SyscallDispatcher dispatcher = SyscallDispatcher.start();
            parts.push(dispatcher);
            return dispatcher;
        } catch (SyscallException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot start the syscall dispatcher (io_uring): " + e.getMessage(), e);
        }
    }

    private static ContainerLogs openLogs(SyscallDispatcher dispatcher, Deque<AutoCloseable> parts) throws EnviroError {
        try {
            ContainerLogs logs = new ContainerLogs(dispatcher);
            parts.push(logs);
            return logs;
        } catch (SyscallException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot start the log reader (inotify): " + e.getMessage(), e);
        }
    }

    /** The engine and what {@code enviro info} says about it. */
    private record Built(Engine engine, EngineInfo info) {}

    private static Built buildEngine(DaemonSettings settings, SyscallDispatcher dispatcher) throws EnviroError {
        try {
            ImageStore images = ImageStore.open(settings.stateDir(), settings.insecureRegistries());
            Snapshotter snapshots = Snapshotter.open(settings.stateDir(), images, NativeExecutor.defaultIdMap());
            Executor executor = new NativeExecutor(settings.stateDir(), images, snapshots, NativeExecutor.defaultIdMap(), dispatcher);
            Engine engine = EngineSystem.start(new EngineSettings(settings.stateDir(), executor, images, nodeName()));
            return new Built(engine, EngineFacts.of(settings.stateDir(), snapshots, executor, dispatcher, settings.insecureRegistries()));
        } catch (EnviroError e) {
            throw e.within("cannot start the engine in " + settings.stateDir() + ": ");
        } catch (java.io.IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot start the engine in " + settings.stateDir() + ": " + e.getMessage(), e);
        }
    }

    private static String nodeName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    public EngineAddress address() {
        return server.address();
    }

    /** Blocks until the API server has stopped ({@link #close} from another thread, e.g. a signal handler). */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        server.close();
        inProcess.close();
        RuntimeException failure = null;
        try {
            engine.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            failure = new IllegalStateException("the engine did not shut down cleanly: " + e.getMessage(), e);
        }
        closeAll(parts, failure);
        if (failure != null) {
            throw failure;
        }
        log.info("Enviro engine stopped; containers keep running");
    }

    /** Closes every part; the first failure is kept, later ones are attached to it. */
    private static void closeAll(Deque<AutoCloseable> parts, Exception primary) {
        while (!parts.isEmpty()) {
            try {
                parts.pop().close();
            } catch (Exception e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                } else {
                    log.warn("closing an engine part failed", e);
                }
            }
        }
    }
}

package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import com.google.protobuf.Timestamp;
import dev.enviro.cli.Main;
import dev.enviro.cli.QuietLogging;
import dev.enviro.grpc.EngineAddress;
import dev.enviro.grpc.v1.Container;
import dev.enviro.grpc.v1.EnviroGrpc;
import dev.enviro.grpc.v1.Image;
import dev.enviro.grpc.v1.InfoRequest;
import dev.enviro.grpc.v1.InfoResponse;
import dev.enviro.grpc.v1.InspectRequest;
import dev.enviro.grpc.v1.InspectResponse;
import dev.enviro.grpc.v1.ListImagesRequest;
import dev.enviro.grpc.v1.ListImagesResponse;
import io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The workload bin/enviro records its JDK AOT cache from (JEP 483): the common client verbs, as a
 * user runs them, against a stand-in engine. A client verb is a fresh JVM each time; what this run
 * loads and links, later runs find in the cache. bin/enviro starts it in the background, never as
 * part of a user's command: it is not a verb.
 */
public final class AotTraining {

    private AotTraining() {}

    /**
     * {@code DIR LIBDIR}: runs the verbs against a stand-in engine on a socket in DIR, a private
     * directory, once the stand-in has put Netty's native library in LIBDIR (bin/enviro's
     * {@code java.library.path}). {@code --stand-in DIR LIBDIR}: that stand-in, a second JVM: served
     * from this one, the server side of gRPC and Netty would be in the cache, and every client start
     * would load it for nothing (+15 ms measured on {@code ps}).
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--daemon")) {
            System.exit(trainDaemon(Path.of(args[1])) ? 0 : 1);
        }
        if (args.length == 3 && args[0].equals("--stand-in")) {
            StandInEngine.placeNativeLibrary(Path.of(args[2]));
            StandInEngine.serve(socket(args[1]));
            System.exit(0);
        }
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Main.execute(new String[] {"--version"}, nowhere, nowhere, Map.of());
        Process standIn = startStandIn(args[0], args[1]);
        boolean trained = false;
        try {
            if (ready(standIn)) {
                String host = new EngineAddress(socket(args[0])).toString();
                for (String[] line : verbs(host)) {
                    Main.execute(line, nowhere, nowhere, Map.of());
                }
                trained = true;
            }
        } finally {
            standIn.getOutputStream().close();
            if (!standIn.waitFor(10, TimeUnit.SECONDS)) standIn.destroyForcibly();
        }
        // Without the stand-in (e.g. a socket path over the kernel's 107 bytes) the cache would hold the
        // start-up only: fail, so bin/enviro marks these jars failed instead of keeping a hollow cache.
        System.exit(trained ? 0 : 1);
    }

    /**
     * {@code --daemon DIR}: the daemon's workload: a real engine started on a state directory and
     * socket in DIR (a private temporary directory), asked what clients ask first (ps, images, info,
     * events), then stopped. It runs no container, so it needs no privilege and leaves nothing but DIR,
     * which bin/enviro deletes. What the start-up loads and links (Pekko, the journal, gRPC, the
     * executor) is most of a daemon's start, which the cache then halves.
     */
    static boolean trainDaemon(Path dir) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        DaemonSettings.logAtInfo();
        EnviroDaemon daemon;
        try {
            // the engine wants its state directory reachable by containers' unprivileged root (search only)
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            System.err.println("AotTraining: " + dir + ": " + e.getMessage());
            return false;
        }
        try {
            daemon = EnviroDaemon.start(new DaemonSettings(dir.resolve("state"),
                    new EngineAddress(dir.toAbsolutePath().resolve("engine.sock"))));
        } catch (EnviroError e) {
            System.err.println("AotTraining: the daemon did not start: " + e.getMessage());
            return false;
        }
        try {
            String host = new EngineAddress(dir.toAbsolutePath().resolve("engine.sock")).toString();
            int failures = 0;
            for (String[] line : new String[][] {{"--host", host, "ps", "-a"}, {"--host", host, "images"}, {"--host", host, "info"},
                    {"--host", host, "events", "--until", "0s"}}) {
                if (Main.execute(line, nowhere, System.err, Map.of()) != 0) failures++;
            }
            return failures == 0;
        } finally {
            daemon.close();
        }
    }

    /**
     * The common verbs the JVM still serves, each as the stand-in at {@code host} lets it run to its
     * end. ps, images, pull, run, exec, logs, stop, kill, rm and wait go to the native client
     * (client/); a run or exec through this CLI has a terminal, which a training cannot have.
     */
    static String[][] verbs(String host) {
        return new String[][] {
                {"--host", host, "inspect", "training"},
                {"--host", host, "info"},
                {"--host", host, "image", "ls"}};
    }

    private static Path socket(String dir) {
        return Path.of(dir).toAbsolutePath().resolve("engine.sock");
    }

    private static Process startStandIn(String dir, String libraryDir) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:-UsePerfData",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.library.path=" + libraryDir,
                "-cp", System.getProperty("java.class.path"), AotTraining.class.getName(), "--stand-in", dir, libraryDir)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The stand-in prints a line once it listens; nothing (its end) when it could not. */
    private static boolean ready(Process standIn) throws IOException {
        return new BufferedReader(new InputStreamReader(standIn.getInputStream(), StandardCharsets.UTF_8)).readLine() != null;
    }

    /** Answers what the verbs above ask, with one plausible item each, so their printing runs too. */
    static final class StandInEngine extends EnviroGrpc.EnviroImplBase {
        /** Held so the JDK's weakly referenced logger keeps its level: the stand-in's own warnings are noise here. */
        private static final Logger NETTY = Logger.getLogger("io.grpc.netty.shaded.io.netty");
        private static final Timestamp CREATED = Timestamp.newBuilder().setSeconds(1_700_000_000L).build();
        private static final Container CONTAINER = Container.newBuilder()
                .setId("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").setName("training")
                .setImage("localhost/busybox").addArgv("echo").addArgv("hi").setState(Container.State.RUNNING)
                .setCreatedAt(CREATED).setStartedAt(CREATED).build();
        private static final Image IMAGE = Image.newBuilder().setId("sha256:" + "0123456789abcdef".repeat(4))
                .setManifestDigest("sha256:" + "fedcba9876543210".repeat(4)).addNames("localhost/busybox:latest")
                .setSize(4_261_000L).setCreated(CREATED).build();

        /**
         * Netty's epoll library, as its loader names it (the shaded package, mangled, then the
         * architecture), in {@code dir}: on {@code java.library.path} it is loaded from there, where
         * otherwise every client start copies it out of the jar into /tmp and deletes it again.
         */
        static void placeNativeLibrary(Path dir) throws IOException {
            String name = System.mapLibraryName("io_grpc_netty_shaded_netty_transport_native_epoll_" + PlatformDependent.normalizedArch());
            try (InputStream library = AotTraining.class.getClassLoader().getResourceAsStream("META-INF/native/" + name)) {
                if (library == null) return;
                Files.createDirectories(dir);
                Path part = Files.createTempFile(dir, name, ".part");
                Files.copy(library, part, StandardCopyOption.REPLACE_EXISTING);
                Files.move(part, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            }
        }

        /**
         * Serves until the training run closes this JVM's stdin, or ends: its end closes it too. Here,
         * not in the outer class, so that the training JVM does not load the server to verify it.
         */
        static void serve(Path socket) throws Exception {
            QuietLogging.forClient();
            NETTY.setLevel(Level.OFF);
            try (UnixSocketServer engine = UnixSocketServer.bind(new EngineAddress(socket), new StandInEngine())) {
                System.out.println("listening on " + engine.address());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // Nothing is sent: only the end of the input matters.
                }
            }
        }

        @Override
        public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> response) {
            response.onNext(ListImagesResponse.newBuilder().addImages(IMAGE).build());
            response.onCompleted();
        }

        @Override
        public void inspect(InspectRequest request, StreamObserver<InspectResponse> response) {
            response.onNext(InspectResponse.newBuilder().setContainer(CONTAINER).build());
            response.onCompleted();
        }

        @Override
        public void info(InfoRequest request, StreamObserver<InfoResponse> response) {
            response.onNext(InfoResponse.newBuilder().setVersion("training").setStateDir("/training").build());
            response.onCompleted();
        }
    }
}

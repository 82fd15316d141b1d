package dev.enviro.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One engine for a test: its own state directory and socket, started as {@code bin/enviro daemon}
 * (as root, or as an unprivileged user for the rootless tests). {@link #close()} removes every
 * container it made, ends the daemon and any container process still alive (by PID, read from the
 * engine's own records) and deletes the state directory.
 */
final class EngineFixture implements AutoCloseable {

    final Path dir;
    final Path stateDir;
    final Path socket;
    private final List<String> asUser;
    /** Extra flags for {@code enviro daemon} (e.g. the journal back-end). */
    private final List<String> daemonArgs;
    private final Map<String, String> env = new HashMap<>();
    private Process daemon;
    private final Path daemonLog;

    static EngineFixture root() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("enviro-e2e-");
        // Containers' root is an unprivileged host id that must search its way to the state directory.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        return new EngineFixture(dir, List.of());
    }

    /** A root engine started with extra {@code enviro daemon} flags. */
    static EngineFixture root(String... daemonArgs) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("enviro-e2e-");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        return new EngineFixture(dir, List.of(), List.of(daemonArgs));
    }

    EngineFixture(Path dir, List<String> asUser) throws IOException, InterruptedException {
        this(dir, asUser, List.of());
    }

    EngineFixture(Path dir, List<String> asUser, List<String> daemonArgs) throws IOException, InterruptedException {
        this.daemonArgs = daemonArgs;
        this.dir = dir;
        this.stateDir = dir.resolve("state");
        this.socket = dir.resolve("enviro.sock");
        this.asUser = asUser;
        this.daemonLog = dir.resolve("daemon.log");
        env.put("ENVIRO_HOST", "unix://" + socket);
        env.put("ENVIRO_STATE_DIR", stateDir.toString());
        try {
            startDaemon();
        } catch (Exception | Error e) {
            // No fixture reaches the test, so nobody would close it: clean up here, keep the cause.
            try {
                close();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    Map<String, String> env() { return env; }

    void startDaemon() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(asUser);
        cmd.addAll(List.of(Cli.launcher().toString(), "daemon", "--state-dir", stateDir.toString(), "--host", "unix://" + socket));
        cmd.addAll(daemonArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(daemonLog.toFile()));
        pb.environment().putAll(env);
        daemon = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) throw new IllegalStateException("daemon exited " + daemon.exitValue() + ":\n" + daemonLog());
            if (Files.exists(socket) && cli(30, "ps").exitCode() == 0) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("daemon did not answer on " + socket + " within 60 s:\n" + daemonLog());
    }

    /** The daemon as a process handle; with {@code asUser}, the launcher's child (runuser) is the JVM's parent. */
    ProcessHandle daemonProcess() { return daemon.toHandle(); }

    void killDaemon() throws InterruptedException {
        // SIGKILL the whole tree we started (runuser and the JVM below it), by PID.
        List<ProcessHandle> tree = new ArrayList<>(daemon.descendants().toList());
        tree.add(daemon.toHandle());
        for (ProcessHandle h : tree) h.destroyForcibly();
        for (ProcessHandle h : tree) h.onExit().join();
    }

    void stopDaemon() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(daemon.descendants().toList());
        daemon.toHandle().descendants().forEach(ProcessHandle::destroy);
        daemon.destroy();
        if (!daemon.waitFor(30, TimeUnit.SECONDS)) killDaemon();
        for (ProcessHandle h : tree) h.onExit().join();
    }

    String daemonLog() {
        try { return Files.exists(daemonLog) ? Files.readString(daemonLog) : "(no daemon log)"; }
        catch (IOException e) { return "(daemon log unreadable: " + e + ")"; }
    }

    Cli.Result cli(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        return Cli.run(asUser, env, timeoutSeconds, args);
    }

    Cli.Result cli(String... args) throws IOException, InterruptedException {
        return cli(60, args);
    }

    void loadBusybox() throws IOException, InterruptedException {
        Cli.Result r = cli(120, "load", "-i", BusyboxImage.archive().toString());
        if (r.exitCode() != 0) throw new AssertionError("load failed: " + r + "\n" + daemonLog());
    }

    /**
     * Processes this engine left on the host: its monitors (they run the helper extracted into the
     * state directory) and their children, the containers' init processes. Killing an init ends
     * its whole pid namespace.
     */
    List<ProcessHandle> leftovers() throws IOException {
        List<ProcessHandle> found = new ArrayList<>();
        for (long monitor : HostTraces.processesRunningFrom(stateDir)) {
            ProcessHandle.of(monitor).ifPresent(m -> {
                found.addAll(m.children().toList());
                found.add(m);
            });
        }
        return found;
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        try {
            if (daemon != null && daemon.isAlive()) {
                Cli.Result ids = cli(30, "ps", "-a", "-q");
                for (String id : ids.stdout().split("\\s+")) {
                    if (!id.isBlank()) cli(60, "rm", "-f", id);
                }
            }
        } catch (Exception e) {
            failure = e;
        }
        try {
            if (daemon != null) stopDaemon();
        } catch (Exception e) {
            if (failure == null) failure = e; else failure.addSuppressed(e);
        }
        // Anything a failed test left running: end it by the PID its monitor recorded.
        for (ProcessHandle h : leftovers()) {
            h.destroyForcibly();
            h.onExit().join();
        }
        deleteTree(dir);
        if (failure != null) throw failure;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

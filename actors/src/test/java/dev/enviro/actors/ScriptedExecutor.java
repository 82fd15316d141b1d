package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.runtime.ContainerProcess;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.Executor;
import dev.enviro.runtime.ExitStatus;
import dev.enviro.runtime.PreparedContainer;
import dev.enviro.runtime.ResolvedProcess;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An executor whose outcomes the test scripts: which step fails, when a process exits, whether a
 * recorded process is still alive after a restart. For the actors' decisions only; the real
 * executor is tested against the kernel in its own module and end to end.
 */
final class ScriptedExecutor implements Executor {

    private final AtomicInteger pids = new AtomicInteger(1000);
    private final Map<String, CompletableFuture<ExitStatus>> exits = new ConcurrentHashMap<>();
    final Set<String> alive = ConcurrentHashMap.newKeySet();
    final Map<String, ExitStatus> recordedExits = new ConcurrentHashMap<>();
    final List<String> signals = Collections.synchronizedList(new ArrayList<>());
    final List<String> cleanedUp = Collections.synchronizedList(new ArrayList<>());
    final List<String> adopted = Collections.synchronizedList(new ArrayList<>());

    volatile EnviroError failPrepare;
    volatile EnviroError failExecute;
    volatile EnviroError failExec;
    volatile EnviroError failCleanup;
    /** Completes execute only when the test completes it; null: execute completes at once. */
    volatile CompletableFuture<Void> executeGate;
    /** A process that ignores SIGTERM, as many shells as pid 1 do. */
    volatile boolean ignoreSigterm;

    @Override
    public String type() {
        return "scripted";
    }

    @Override
    public PreparedContainer prepare(ContainerSpec spec) throws EnviroError {
        if (failPrepare != null) {
            throw failPrepare;
        }
        List<String> argv = new ArrayList<>();
        if (spec.entrypoint() != null) {
            argv.addAll(spec.entrypoint());
        }
        argv.addAll(spec.command().isEmpty() ? List.of("sh") : spec.command());
        return new PreparedContainer(spec, Path.of("/state/containers", spec.id()),
                new ResolvedProcess(argv, spec.env(), "/", 0, 0, List.of()), "sha256:" + "d".repeat(64));
    }

    @Override
    public CompletionStage<ContainerProcess> execute(PreparedContainer prepared) {
        if (failExecute != null) {
            return CompletableFuture.failedStage(failExecute);
        }
        String id = prepared.spec().id();
        CompletableFuture<Void> gate = executeGate == null ? CompletableFuture.completedFuture(null) : executeGate;
        return gate.thenApply(ignored -> {
            int pid = pids.incrementAndGet();
            exits.put(id, new CompletableFuture<>());
            alive.add(id);
            return new ContainerProcess(id, pid, 100L + pid, pid - 500, 50L + pid,
                    prepared.stateDir().resolve("ctr.log"), prepared.stateDir().resolve("exit.status"));
        });
    }

    @Override
    public CompletionStage<ExitStatus> awaitExit(ContainerProcess process) {
        return exits.computeIfAbsent(process.containerId(), id -> new CompletableFuture<>());
    }

    @Override
    public Optional<ContainerProcess> adopt(ContainerProcess recorded) {
        adopted.add(recorded.containerId());
        return alive.contains(recorded.containerId()) ? Optional.of(recorded) : Optional.empty();
    }

    /** What a start the engine did not record left running, by container id. */
    final Map<String, ContainerProcess> unrecorded = new ConcurrentHashMap<>();

    @Override
    public Optional<ContainerProcess> unrecorded(String containerId) {
        ContainerProcess p = unrecorded.remove(containerId);
        if (p != null) {
            alive.add(containerId);
        }
        return Optional.ofNullable(p);
    }

    @Override
    public Optional<ExitStatus> recordedExit(ContainerProcess recorded) {
        return Optional.ofNullable(recordedExits.get(recorded.containerId()));
    }

    @Override
    public void signal(ContainerProcess process, int signal) throws EnviroError {
        String id = process.containerId();
        if (!alive.contains(id)) {
            throw new EnviroError(ErrorCode.NOT_FOUND, "container " + id + " is gone");
        }
        signals.add(id + ":" + signal);
        if (signal == ContainerActor.SIGKILL || (signal == ContainerActor.SIGTERM && !ignoreSigterm)) {
            exit(id, new ExitStatus(128 + signal, signal, Instant.now(), false));
        }
    }

    @Override
    public void cleanup(String containerId) throws EnviroError {
        if (failCleanup != null) {
            throw failCleanup;
        }
        cleanedUp.add(containerId);
    }

    /** Freezer calls, as {@code <containerId>:<paused>}. */
    final List<String> freezes = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void pause(ContainerProcess process, boolean paused) {
        freezes.add(process.containerId() + ":" + paused);
    }

    @Override
    public void updateResources(ContainerProcess process, dev.enviro.persistence.Resources resources) {
        // The kernel would take them; nothing to script.
    }

    /** An exec'd process; it ends when the test calls {@code exit(<containerId>:<execId>, code)}. */
    @Override
    public CompletionStage<ContainerProcess> exec(ContainerSpec container, ContainerProcess running,
                                                  dev.enviro.runtime.ExecSpec exec) {
        if (failExec != null) return CompletableFuture.failedStage(failExec);
        int pid = pids.incrementAndGet();
        String key = running.containerId() + ":" + exec.id();
        exits.put(key, new CompletableFuture<>());
        return CompletableFuture.completedFuture(new ContainerProcess(key, pid, 100L + pid, pid - 500, 50L + pid,
                running.logPath(), running.statusPath()));
    }

    /** The container's process ends with {@code status}, as its monitor would report. */
    void exit(String containerId, ExitStatus status) {
        alive.remove(containerId);
        recordedExits.put(containerId, status);
        exits.computeIfAbsent(containerId, id -> new CompletableFuture<>()).complete(status);
    }

    void exit(String containerId, int code) {
        exit(containerId, new ExitStatus(code, 0, Instant.now(), false));
    }
}

package dev.enviro.runtime.nativeexec;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.Fd;
import dev.enviro.ffm.Files;
import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.Processes;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.SyscallQueue;
import dev.enviro.ffm.helper.HelperBinary;
import dev.enviro.ffm.helper.HelperChannel;
import dev.enviro.ffm.helper.HelperMessage;
import dev.enviro.ffm.helper.HelperPlan;
import dev.enviro.ffm.helper.PlanWriter;
import dev.enviro.images.ImageException;
import dev.enviro.images.ImageStore;
import dev.enviro.images.Mount;
import dev.enviro.images.ResolvedImage;
import dev.enviro.images.Snapshotter;
import dev.enviro.runtime.ContainerProcess;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.Executor;
import dev.enviro.runtime.ExecutorException;
import dev.enviro.runtime.ExecutorException.Kind;
import dev.enviro.runtime.ExitStatus;
import dev.enviro.runtime.PreparedContainer;
import dev.enviro.runtime.ResolvedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

/**
 * The executor of Enviro's own: the C helper (packaged in enviro-ffm) clones the container into new
 * user, mount, pid, uts, ipc, net and cgroup namespaces, and a per-container monitor outlives the
 * engine, keeps the log and records the exit status (docs/contracts.md, "Helper protocol").
 *
 * <p>Threads: {@link #prepare} blocks (the caller runs it off Pekko's dispatcher). {@link #execute}
 * spawns on a virtual thread and waits for the helper's messages through the {@link SyscallQueue};
 * the short synchronous steps between messages (writing id maps, reaping the helper, which exits at
 * once) run on virtual threads too, never on the caller's or the queue's threads.
 */
public final class NativeExecutor implements Executor {

    private final Path stateDir;
    private final ImageStore images;
    private final Snapshotter snapshotter;
    private final IdMap idMap;
    private final SyscallQueue queue;
    private final ContainerCgroups cgroups;
    private final HelperBinary helper;
    private final java.util.concurrent.Executor blocking = r -> Thread.ofVirtual().name("enviro-native-exec").start(r);

    /** Container cgroups (when the engine may create them) under {@code <own cgroup>/enviro}. */
    public NativeExecutor(Path stateDir, ImageStore images, Snapshotter snapshotter, IdMap idMap, SyscallQueue queue)
            throws IOException {
        this(stateDir, images, snapshotter, idMap, queue, Optional.empty());
    }

    /**
     * @param cgroupParent the directory below the engine's own v1 cgroups that holds container cgroups
     *                     (default {@code enviro}); ignored when the engine cannot write its cgroups
     */
    public NativeExecutor(Path stateDir, ImageStore images, Snapshotter snapshotter, IdMap idMap, SyscallQueue queue,
            Optional<String> cgroupParent) throws IOException {
        this.stateDir = stateDir;
        this.images = images;
        this.snapshotter = snapshotter;
        this.idMap = idMap;
        this.queue = queue;
        this.cgroups = ContainerCgroups.detect(cgroupParent.orElse("enviro"));
        StateDirAccess.ensureSearchable(stateDir, !idMap.isSingleId());
        this.helper = HelperBinary.extract(stateDir);
    }

    /** The id map docs/contracts.md prescribes for this engine: a 65536-id range as root, the engine's own ids rootless. */
    public static IdMap defaultIdMap() {
        int uid = Processes.getuid();
        return uid == 0 ? IdMap.defaultRoot() : IdMap.single(uid, Processes.getgid());
    }

    @Override
    public String type() { return "native"; }

    Path containerDir(String id) {
        return stateDir.resolve("containers").resolve(id);
    }

    @Override
    public PreparedContainer prepare(ContainerSpec spec) throws ExecutorException {
        ResolvedImage image;
        try {
            image = images.resolve(spec.image());
        } catch (ImageException e) {
            Kind kind = e.kind() == ImageException.Kind.NOT_FOUND ? Kind.IMAGE_NOT_FOUND : Kind.SETUP_FAILED;
            throw new ExecutorException(kind, e.getMessage(), e);
        }
        Path dir = containerDir(spec.id());
        try {
            java.nio.file.Files.createDirectories(dir);
            // the container's root (a mapped, unprivileged host id) must traverse it to reach rootfs/
            java.nio.file.Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new ExecutorException(Kind.SETUP_FAILED, "container " + spec.name() + ": cannot create " + dir + ": " + e.getMessage(), e);
        }
        List<Mount> mounts;
        try {
            mounts = snapshotter.prepare(image, idMap, dir);
        } catch (ImageException e) {
            throw new ExecutorException(Kind.SETUP_FAILED, "container " + spec.name() + ": root filesystem: " + e.getMessage(), e);
        }
        UserDatabase users;
        try {
            users = UserDatabase.read(ContainerPlan.imageLayers(mounts));
        } catch (IOException e) {
            throw new ExecutorException(Kind.SETUP_FAILED, "container " + spec.name() + ": cannot read the image's /etc/passwd: " + e.getMessage(), e);
        }
        ResolvedProcess process = ProcessResolution.resolve(spec, image.config(), users);
        checkMapped(spec, process);
        HelperPlan plan = ContainerPlan.of(mounts, spec.effectiveHostname(), process, dir, idMap);
        try {
            writeAtomically(dir.resolve("plan.bin"), PlanWriter.write(plan));
        } catch (IOException e) {
            throw new ExecutorException(Kind.SETUP_FAILED, "container " + spec.name() + ": cannot write plan.bin: " + e.getMessage(), e);
        }
        return new PreparedContainer(spec, dir, process, image.manifestDigest());
    }

    private void checkMapped(ContainerSpec spec, ResolvedProcess process) throws ExecutorException {
        if (idMap.hostUid(process.uid()) < 0 || idMap.hostGid(process.gid()) < 0
                || process.groups().stream().anyMatch(g -> idMap.hostGid(g) < 0)) {
            throw new ExecutorException(Kind.INVALID_SPEC, "container " + spec.name() + ": user " + process.uid() + ":" + process.gid()
                    + " (groups " + process.groups() + ") is outside the engine's id map " + idMap.key()
                    + (idMap.isSingleId() ? ": a rootless engine can run containers as root (0) only" : ""));
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        java.nio.file.Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public CompletionStage<ContainerProcess> execute(PreparedContainer prepared) {
        ContainerSpec spec = prepared.spec();
        Path dir = prepared.stateDir();
        return CompletableFuture.supplyAsync(() -> {
            try {
                byte[] plan = java.nio.file.Files.readAllBytes(dir.resolve("plan.bin"));
                // a status left by an earlier run would read as this run's exit
                java.nio.file.Files.deleteIfExists(dir.resolve("exit.status"));
                java.nio.file.Files.deleteIfExists(dir.resolve("exit.status.tmp"));
                HelperChannel channel = HelperChannel.spawn(helper.verifiedPath());
                try {
                    channel.sendPlan(plan);
                } catch (SyscallException e) {
                    channel.close();
                    throw e;
                }
                return channel;
            } catch (IOException | SyscallException e) {
                throw new CompletionException(new ExecutorException(Kind.SETUP_FAILED,
                        "container " + spec.name() + ": cannot start enviro-helper: " + e.getMessage(), e));
            }
        }, blocking).thenCompose(channel -> channel.receive(queue)
                .thenApplyAsync(message -> mapIds(spec, channel, message), blocking)
                .thenCompose(child -> channel.receive(queue).thenApply(message -> started(spec, dir, child, message)))
                .whenComplete((p, e) -> channel.close()))
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof ExecutorException ee) throw new CompletionException(ee);
                    throw new CompletionException(new ExecutorException(Kind.SETUP_FAILED,
                            "container " + spec.name() + ": " + cause.getMessage(), cause));
                });
    }

    /** The pid and start times read while the child waits for MAPPED: it cannot have exited yet. */
    private record Child(int pid, long pidStartTime, int monitorPid, long monitorStartTime) {}

    /** Step 3 of the protocol: reap the helper, write the id maps, enter the cgroup, say MAPPED. */
    private Child mapIds(ContainerSpec spec, HelperChannel channel, HelperMessage message) {
        try {
            channel.awaitHelperExit();
        } catch (SyscallException e) {
            // already reaped or never our child: nothing to wait for
        }
        if (!(message instanceof HelperMessage.Child(int pid, int monitorPid))) {
            throw new CompletionException(failure(spec, message));
        }
        try {
            Child child = new Child(pid, Processes.startTime(pid), monitorPid, Processes.startTime(monitorPid));
            Path proc = Path.of("/proc", Integer.toString(pid));
            if (idMap.isSingleId()) Files.writeOnce(proc.resolve("setgroups"), "deny");
            Files.writeOnce(proc.resolve("uid_map"), idMap.uidMapText());
            Files.writeOnce(proc.resolve("gid_map"), idMap.gidMapText());
            cgroups.attach(spec.id(), pid);
            channel.sendMapped();
            return child;
        } catch (SyscallException | IOException e) {
            try {
                channel.sendAbort();
            } catch (SyscallException abort) {
                e.addSuppressed(abort);
            }
            throw new CompletionException(new ExecutorException(Kind.SETUP_FAILED,
                    "container " + spec.name() + ": cannot map ids or cgroup of pid " + pid + ": " + e.getMessage(), e));
        }
    }

    private static ContainerProcess started(ContainerSpec spec, Path dir, Child child, HelperMessage message) {
        if (!(message instanceof HelperMessage.Started)) throw new CompletionException(failure(spec, message));
        return new ContainerProcess(spec.id(), child.pid, child.pidStartTime, child.monitorPid, child.monitorStartTime,
                dir.resolve("ctr.log"), dir.resolve("exit.status"));
    }

    /** A FAILED from the helper in the user's terms: 127/126 for the command itself, the step otherwise. */
    static ExecutorException failure(ContainerSpec spec, HelperMessage message) {
        if (message instanceof HelperMessage.Failed f) {
            String what = "container " + spec.name() + ": " + f.step() + ": " + Errno.name(f.errno()) + " (" + Errno.describe(f.errno()) + ")";
            if (f.isExec() && (f.errno() == Errno.ENOENT || f.errno() == Errno.ENOTDIR)) {
                return new ExecutorException(Kind.EXECUTABLE_NOT_FOUND, what + ": the command is not in the image or not on its PATH");
            }
            if (f.isExec() && (f.errno() == Errno.EACCES || f.errno() == Errno.ENOEXEC || f.errno() == Errno.EISDIR)) {
                return new ExecutorException(Kind.EXECUTABLE_NOT_RUNNABLE, what + ": the command exists but cannot be executed");
            }
            return new ExecutorException(Kind.SETUP_FAILED, what);
        }
        return new ExecutorException(Kind.SETUP_FAILED, "container " + spec.name() + ": enviro-helper sent " + message + " out of turn");
    }

    @Override
    public CompletionStage<ExitStatus> awaitExit(ContainerProcess process) {
        Fd pidfd;
        try {
            pidfd = openChecked(process.monitorPid(), process.monitorStartTime());
        } catch (SyscallException e) {
            return CompletableFuture.completedFuture(statusOrUnknown(process));
        }
        return queue.pollIn(pidfd.value())
                .handle((revents, e) -> {
                    pidfd.close();
                    return statusOrUnknown(process);
                });
    }

    /** A pidfd for {@code pid} only if it is still the process that started at {@code startTime}. */
    private static Fd openChecked(int pid, long startTime) throws SyscallException {
        Fd pidfd = Processes.pidfdOpen(pid);
        try {
            // checked after opening: from here on the pidfd pins the identity the start time confirmed
            if (Processes.startTime(pid) != startTime) throw new SyscallException("pidfd_open", Errno.ESRCH, pid + " (pid reused)");
            return pidfd;
        } catch (SyscallException e) {
            pidfd.close();
            throw e;
        }
    }

    private ExitStatus statusOrUnknown(ContainerProcess process) {
        try {
            return ExitStatusFile.read(process.statusPath()).orElseGet(() -> ExitStatus.unknown(Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<ContainerProcess> adopt(ContainerProcess recorded) {
        try (Fd pidfd = openChecked(recorded.monitorPid(), recorded.monitorStartTime())) {
            // a pidfd is readable once its process has exited, reaped or not (a zombie still has its /proc entry)
            boolean exited = (Files.poll(pidfd.value(), Files.POLLIN, 0) & Files.POLLIN) != 0;
            return exited ? Optional.empty() : Optional.of(recorded);
        } catch (SyscallException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<ExitStatus> recordedExit(ContainerProcess recorded) {
        try {
            return ExitStatusFile.read(recorded.statusPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void signal(ContainerProcess process, int signal) throws ExecutorException {
        try (Fd pidfd = openChecked(process.pid(), process.pidStartTime())) {
            Processes.pidfdSendSignal(pidfd, signal);
        } catch (SyscallException e) {
            Kind kind = e.errno() == Errno.ESRCH ? Kind.NO_SUCH_PROCESS : Kind.SETUP_FAILED;
            throw new ExecutorException(kind, "container " + process.containerId() + ": cannot signal pid " + process.pid()
                    + (kind == Kind.NO_SUCH_PROCESS ? ": it has exited" : ": " + e.getMessage()), e);
        }
    }

    @Override
    public void cleanup(String containerId) throws ExecutorException {
        Path dir = containerDir(containerId);
        Exception failure = null;
        try {
            cgroups.remove(containerId);
        } catch (IOException e) {
            failure = e;
        }
        try {
            if (java.nio.file.Files.exists(dir)) snapshotter.remove(dir);
        } catch (ImageException e) {
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }
        try {
            deleteTree(dir);
        } catch (IOException e) {
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }
        if (failure != null) {
            throw new ExecutorException(Kind.SETUP_FAILED, "container " + containerId + ": cleanup failed: " + failure.getMessage()
                    + ": is it still running? stop it, then remove it again", failure);
        }
    }

    /**
     * Deletes a container's directory. Overlay leaves {@code work/work} with mode 000 when it was mounted
     * in a user namespace; the owner (the rootless engine) may still chmod it, so it does before listing.
     */
    static void deleteTree(Path path) throws IOException {
        if (java.nio.file.Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!java.nio.file.Files.isReadable(path) || !java.nio.file.Files.isExecutable(path)) {
                java.nio.file.Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
            }
            try (Stream<Path> children = java.nio.file.Files.list(path)) {
                for (Path child : children.toList()) deleteTree(child);
            }
        }
        java.nio.file.Files.deleteIfExists(path);
    }
}

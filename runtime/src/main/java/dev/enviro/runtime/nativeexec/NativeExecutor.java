package dev.enviro.runtime.nativeexec;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.ResourceLimit;
import dev.enviro.persistence.ContainerDefinition;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.Fd;
import dev.enviro.ffm.Files;
import dev.enviro.ffm.EngineIds;
import dev.enviro.runtime.network.BridgeNetwork;
import dev.enviro.runtime.network.ContainerNetwork;
import dev.enviro.runtime.network.HostFiles;
import dev.enviro.runtime.network.NetworkFiles;
import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.Processes;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.SyscallQueue;
import dev.enviro.ffm.helper.HelperBinary;
import dev.enviro.ffm.helper.HelperChannel;
import dev.enviro.ffm.helper.HelperMessage;
import dev.enviro.ffm.helper.HelperPlan;
import dev.enviro.ffm.helper.PlanWriter;
import dev.enviro.images.ImageStore;
import dev.enviro.images.Mount;
import dev.enviro.images.ImageConfig;
import dev.enviro.images.ResolvedImage;
import dev.enviro.images.Snapshotter;
import dev.enviro.runtime.ContainerProcess;
import dev.enviro.runtime.ResourceUsage;
import dev.enviro.persistence.Resources;
import dev.enviro.runtime.cgroups.Cgroup;
import dev.enviro.runtime.cgroups.CgroupDriver;
import dev.enviro.runtime.cgroups.KernelCgroupFiles;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.Executor;
import dev.enviro.runtime.ExitStatus;
import dev.enviro.runtime.LifecycleStep;
import dev.enviro.runtime.PreparedContainer;
import dev.enviro.runtime.ResolvedProcess;
import dev.enviro.runtime.security.SecurityProfile;
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
    /** --network bridge: its address leases and links (docs/network.md). */
    private final dev.enviro.runtime.network.BridgeNetwork bridge;
    private final SyscallQueue queue;
    /** Empty when the engine may write no cgroup (rootless on v1): containers share its cgroup and get no limits. */
    private final Optional<CgroupDriver> cgroups;
    private final HelperBinary helper;
    private final java.util.concurrent.Executor blocking = r -> Thread.ofVirtual().name("enviro-native-exec").start(r);

    /** Container cgroups (when the engine may create them) under {@code <own cgroup>/enviro}. */
    public NativeExecutor(Path stateDir, ImageStore images, Snapshotter snapshotter, IdMap idMap, SyscallQueue queue)
            throws IOException {
        this(stateDir, images, snapshotter, idMap, queue, Optional.empty());
    }

    /**
     * @param cgroupParent the directory below the engine's own cgroup (v1: in each hierarchy) that holds
     *                     container cgroups (default {@code enviro}); ignored when the engine cannot write its cgroups
     */
    public NativeExecutor(Path stateDir, ImageStore images, Snapshotter snapshotter, IdMap idMap, SyscallQueue queue,
            Optional<String> cgroupParent) throws IOException {
        this.stateDir = stateDir;
        this.images = images;
        this.snapshotter = snapshotter;
        this.idMap = idMap;
        this.queue = queue;
        this.cgroups = CgroupDriver.detect(cgroupParent.orElse("enviro"), new KernelCgroupFiles(queue));
        // container root is another user only where the engine maps it elsewhere (root of the host)
        StateDirAccess.ensureSearchable(stateDir, idMap.hostUid(0) != Processes.getuid());
        this.helper = HelperBinary.extract(stateDir);
        this.bridge = new dev.enviro.runtime.network.BridgeNetwork(stateDir);
        // a lease or published port lives no longer than its container's directory (made before either, removed after)
        try {
            bridge.recover();
        } catch (IOException e) {
            System.getLogger(NativeExecutor.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot give back the bridge's leases and ports of removed containers: {0}", e.getMessage());
        }
    }

    /** The id map docs/contracts.md prescribes for this engine ({@link EngineIds}). */
    public static IdMap defaultIdMap() {
        return EngineIds.current().containers();
    }

    /** The monitor's attach socket in a container's directory, next to {@code ctr.log} (docs/terminal.md). */
    private static final String ATTACH_SOCKET = "attach.sock";

    @Override
    public String type() { return "native"; }

    Path containerDir(String id) {
        return stateDir.resolve("containers").resolve(id);
    }

    /** An exec's log, status or attach socket: {@code containers/<id>/exec/<exec id><suffix>}. */
    private Path execFile(String containerId, String execId, String suffix) {
        return containerDir(containerId).resolve("exec").resolve(execId + suffix);
    }

    /** {@code containers/<id>/attach.sock}, or an exec's {@code containers/<id>/exec/<exec id>.sock}. */
    @Override
    public Optional<Path> attachSocket(String containerId, String execId) {
        Path socket = execId == null ? containerDir(containerId).resolve(ATTACH_SOCKET) : execFile(containerId, execId, ".sock");
        return java.nio.file.Files.exists(socket) ? Optional.of(socket) : Optional.empty();
    }

    /**
     * What a start would refuse of {@code definition}, refused before anything is made: the same rules
     * {@link #prepare} applies ({@link #admission}), with the image's users read from its unpacked layers
     * where the snapshotter keeps them (overlay; copy unpacks per container, so there a user name is
     * checked at start).
     */
    @Override
    public void admit(ContainerDefinition definition, ResolvedImage image) throws EnviroError {
        ContainerSpec spec = new ContainerSpec("", definition.name() == null ? definition.withName("") : definition);
        List<Path> files = snapshotter.imageFiles(image, idMap);
        UserDatabase users;
        try {
            users = files.isEmpty() ? null : UserDatabase.read(files);
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "image " + image.reference() + ": cannot read its /etc/passwd: " + e.getMessage(), e);
        }
        admission(spec, image, users);
    }

    /** What {@link #admission} found: the parts of the plan that need no container directory. */
    private record Admitted(HelperPlan.Storage storage, HelperPlan.LogRotation logRotation, SecurityProfile security,
                            ResolvedProcess process, ContainerNetwork network) {}

    /**
     * The rules a container must meet before anything is made for it, at create ({@link #admit}) and at
     * every start (the image or the host may have changed since): its limits, volumes, log options,
     * security settings, hostname, and its process (user, working directory, argv and environment within
     * what execve takes). Refusals name no container; the callers add it. {@code users} null: not known
     * (the process is checked where it needs no user name).
     */
    private Admitted admission(ContainerSpec spec, ResolvedImage image, UserDatabase users) throws EnviroError {
        checkResources(spec.resources());
        HelperPlan.Storage storage = dev.enviro.runtime.volumes.Volumes.plan(spec.options());
        ContainerNetwork network = ContainerNetwork.of(spec.network());
        if (network.mode() == ContainerNetwork.Mode.BRIDGE && !EngineIds.current().containers().equals(IdMap.defaultRoot())) {
            // veths and the bridge live in the host's network namespace, which only its root may change
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "network bridge needs an engine running as root: a rootless engine runs"
                    + " containers with --network none or host");
        }
        try {
            bridge.checkPorts(spec.id(), network.ports());
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot read the published ports of " + BridgeNetwork.BRIDGE + ": " + e.getMessage(), e);
        }
        HelperPlan.LogRotation logRotation = dev.enviro.runtime.logs.LogLimits.parse(spec.options().logOpts());
        KernelLimits.checkHostname(spec.hostname());
        SecurityProfile security;
        try {
            security = securityProfile(spec.security());
        } catch (UnsupportedOperationException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
        }
        ResolvedProcess process = null;
        if (users != null || UserDatabase.needsNoNames(spec.user() != null ? spec.user() : image.config().user())) {
            process = ProcessResolution.resolve(spec, image.config(), users != null ? users : UserDatabase.EMPTY);
            checkMapped(process);
            KernelLimits.checkProcess(process, stackLimit(security));
        }
        return new Admitted(storage, logRotation, security, process, network);
    }

    /**
     * Resolved security settings by the options they came from: the checks at create and at start, and
     * the execs after a restart, compile the same seccomp filter for the same options (most containers
     * share the defaults). A profile depends on the options, the kernel and the engine's own rlimits,
     * none of which a running engine sees change; a few dozen distinct ones are kept.
     */
    private final java.util.Map<dev.enviro.persistence.SecurityOptions, SecurityProfile> profiles = new java.util.concurrent.ConcurrentHashMap<>();

    private SecurityProfile securityProfile(dev.enviro.persistence.SecurityOptions options) {
        SecurityProfile known = profiles.get(options);
        if (known != null) return known;
        SecurityProfile resolved = SecurityProfile.resolve(options);
        if (profiles.size() >= 64) profiles.clear();
        profiles.put(options, resolved);
        return resolved;
    }

    /** The container's RLIMIT_STACK soft limit: its --ulimit stack, else the engine's own, which it inherits. */
    private static long stackLimit(SecurityProfile security) {
        return security.rlimits().stream().filter(r -> r.resource() == ResourceLimit.Resource.STACK).findFirst()
                .map(ResourceLimit::soft).orElseGet(() -> {
                    try {
                        return ResourceLimit.current(ResourceLimit.Resource.STACK).soft();
                    } catch (SyscallException e) {
                        return -1L; // unknown: the kernel's cap is the bound
                    }
                });
    }

    @Override
    public PreparedContainer prepare(ContainerSpec spec) throws EnviroError {
        LifecycleStep resolveStep = LifecycleStep.begin(spec.id(), "image.resolve");
        ResolvedImage image = images.resolve(spec.image());
        resolveStep.commit();
        // everything that can be refused is, before anything is made for the container
        LifecycleStep securityStep = LifecycleStep.begin(spec.id(), "security.resolve");
        Admitted admitted;
        try {
            admitted = admission(spec, image, null);
        } catch (EnviroError e) {
            throw e.within("container " + spec.name() + ": ");
        }
        securityStep.commit();
        Path dir = containerDir(spec.id());
        try {
            java.nio.file.Files.createDirectories(dir);
            // the container's root (a mapped, unprivileged host id) must traverse it to reach rootfs/
            java.nio.file.Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "container " + spec.name() + ": cannot create " + dir + ": " + e.getMessage(), e);
        }
        List<Mount> mounts;
        LifecycleStep rootfsStep = LifecycleStep.begin(spec.id(), "rootfs.prepare");
        try {
            mounts = snapshotter.prepare(image, idMap, dir);
            rootfsStep.commit();
        } catch (EnviroError e) {
            throw e.within("container " + spec.name() + ": root filesystem: ");
        }
        UserDatabase users;
        LifecycleStep planStep = LifecycleStep.begin(spec.id(), "plan.write");
        try {
            // exec resolves its user against the same image files, without preparing the snapshot again
            writeDerived(dir.resolve("layers"), String.join("\n", ContainerPlan.imageLayers(mounts).stream().map(Path::toString).toList())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            users = UserDatabase.read(ContainerPlan.imageLayers(mounts));
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "container " + spec.name() + ": cannot read the image's /etc/passwd: " + e.getMessage(), e);
        }
        ResolvedProcess process;
        try {
            process = ProcessResolution.resolve(spec, image.config(), users);
            checkMapped(process);
            KernelLimits.checkProcess(process, stackLimit(admitted.security()));
        } catch (EnviroError e) {
            throw e.within("container " + spec.name() + ": ");
        }
        SecurityProfile security = admitted.security();
        ContainerNetwork network = admitted.network();
        String hostname = network.hostname(spec.hostname(), spec.effectiveHostname(), HostFiles.hostname());
        HelperPlan.Storage storage;
        HelperPlan.Interface iface = null;
        try {
            if (network.mode() == ContainerNetwork.Mode.BRIDGE) iface = bridge.attach(spec.id());
            storage = NetworkFiles.write(dir, network, hostname, spec.name(), idMap,
                    iface == null ? null : java.net.InetAddress.getByAddress(iface.address())).over(admitted.storage());
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "container " + spec.name() + ": cannot write its /etc/hosts, /etc/hostname and /etc/resolv.conf: "
                    + e.getMessage(), e);
        }
        HelperPlan plan = ContainerPlan.of(mounts, hostname, process, dir, idMap, security, storage,
                spec.options().init(), admitted.logRotation(), network.ownNamespace());
        if (iface != null) plan = plan.withInterface(iface);
        if (spec.options().tty() || spec.options().interactive()) {
            plan = plan.withTerminal(new HelperPlan.Terminal(spec.options().tty(), spec.options().interactive(),
                    dir.resolve(ATTACH_SOCKET).toString()));
        }
        try {
            writeDerived(dir.resolve("plan.bin"), PlanWriter.write(plan));
            planStep.commit();
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "container " + spec.name() + ": cannot write plan.bin: " + e.getMessage(), e);
        }
        // each start replaces what execs start from: a restart may run a newer image under the same name
        execBases.put(spec.id(), new ExecBase(image.config(), users, security));
        return new PreparedContainer(spec, dir, process, image.manifestDigest());
    }

    /** Limits the kernel would refuse, or that no writable cgroup can hold, are refused before anything is made. */
    private void checkResources(Resources resources) throws EnviroError {
        List<String> problems = resources.problems(Runtime.getRuntime().availableProcessors());
        if (!problems.isEmpty()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, String.join("; ", problems));
        }
        if (resources.limitsCgroups() && cgroups.isEmpty()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "resource limits need a cgroup the engine may write,"
                    + " and it has none (a rootless engine on cgroup v1, or an undelegated v2 cgroup): drop the limits or run the engine as root");
        }
    }

    private void checkMapped(ResolvedProcess process) throws EnviroError {
        if (idMap.hostUid(process.uid()) < 0 || idMap.hostGid(process.gid()) < 0
                || process.groups().stream().anyMatch(g -> idMap.hostGid(g) < 0)) {
            String why = idMap.equals(EngineIds.current().containers()) ? EngineIds.current().note() : null;
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "user " + process.uid() + ":" + process.gid()
                    + " (groups " + process.groups() + ") is outside the engine's id map " + idMap.key()
                    + (idMap.isSingleId() ? ": " + (why == null ? "this engine maps one id, root (0)" : why) : ""));
        }
    }

    /**
     * Replaces a file derived anew by every {@link #prepare} ({@code plan.bin}, {@code layers}): renamed
     * into place whole, so no reader sees half of it, but not fsync'd (two fsyncs were ~8 ms of every
     * start, docs/performance.md). Nothing needs them to survive a host crash: they are read only while
     * the start they were written for or its container runs, and a host crash ends both; the next start
     * prepares and writes them again, and recovery never reads them.
     */
    private static void writeDerived(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
        }
        java.nio.file.Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public CompletionStage<ContainerProcess> execute(PreparedContainer prepared) {
        ContainerSpec spec = prepared.spec();
        Path dir = prepared.stateDir();
        return CompletableFuture.supplyAsync(() -> {
            LifecycleStep spawnStep = LifecycleStep.begin(spec.id(), "helper.spawn");
            try {
                byte[] plan = java.nio.file.Files.readAllBytes(dir.resolve("plan.bin"));
                // a status left by an earlier run would read as this run's exit
                java.nio.file.Files.deleteIfExists(dir.resolve("exit.status"));
                java.nio.file.Files.deleteIfExists(dir.resolve("exit.status.tmp"));
                LifecycleStep verifyStep = LifecycleStep.begin(spec.id(), "helper.verify");
                Path helperPath = helper.verifiedPath();
                verifyStep.commit();
                HelperChannel channel = HelperChannel.spawn(helperPath);
                try {
                    channel.sendPlan(plan);
                } catch (SyscallException e) {
                    channel.close();
                    throw e;
                }
                spawnStep.commit();
                return new Spawned(channel, CompletableFuture.runAsync(() -> prepareCgroup(spec, channel.helperPid()), blocking));
            } catch (IOException | SyscallException e) {
                throw new CompletionException(new EnviroError(ErrorCode.INTERNAL,
                        "container " + spec.name() + ": cannot start enviro-helper: " + e.getMessage(), e));
            }
        }, blocking).thenCompose(spawned -> withChannel(spawned.channel(), spec, dir, spawned.cgroupReady()))
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof EnviroError ee) throw new CompletionException(ee);
                    throw new CompletionException(new EnviroError(ErrorCode.INTERNAL,
                            "container " + spec.name() + ": " + cause.getMessage(), cause));
                });
    }

    /** A helper that has its plan, and its container's cgroup being made meanwhile ({@link #prepareCgroup}). */
    private record Spawned(HelperChannel channel, CompletableFuture<Void> cgroupReady) {}

    private CompletionStage<ContainerProcess> withChannel(HelperChannel channel, ContainerSpec spec, Path dir,
                                                          CompletableFuture<Void> cgroupReady) {
        return timed(spec.id(), "helper.child", channel.receive(queue))
                .thenApplyAsync(message -> mapIds(spec, channel, message, cgroupReady), blocking)
                .thenCompose(child -> timed(spec.id(), "helper.started", channel.receive(queue))
                        .thenApply(message -> started(spec, dir, child, message)))
                .whenComplete((p, e) -> channel.close());
    }

    @Override
    public CompletionStage<ContainerProcess> exec(ContainerSpec container, ContainerProcess running, dev.enviro.runtime.ExecSpec exec) {
        Path dir = containerDir(container.id());
        Path execDir = dir.resolve("exec");
        // The exec's process joins the container's cgroup before its first instruction. On v1 the helper's
        // joiner moves itself (Cgroup.selfJoinFiles: free); else the engine moves the pid at CHILD, and that
        // move's grace period (~15 ms on a quiet host, most of an exec) is paid from here on, while the plan
        // is made and the helper joins the namespaces, as a run's is (prepareCgroup): the engine moves
        // itself to where it is (0: the writer), on a platform thread: the write blocks in the kernel for
        // the whole grace period, and a virtual thread would hold one of the few carriers all that time.
        List<String> selfJoin = cgroups.map(c -> c.container(container.id()).selfJoinFiles().stream().map(Path::toString).toList())
                .orElse(List.of());
        CompletableFuture<Void> primed = cgroups.isEmpty() || !selfJoin.isEmpty() ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(() -> {
                    LifecycleStep prime = LifecycleStep.begin(container.id(), "exec.cgroup-prime");
                    cgroups.get().primeMigration(0);
                    prime.commit();
                }, r -> Thread.ofPlatform().daemon().name("enviro-cgroup-prime").start(r));
        byte[] plan;
        LifecycleStep planning = LifecycleStep.begin(container.id(), "exec.plan");
        try {
            // the exec's process as a run of the container with the exec's overrides would be
            ContainerDefinition d = container.definition();
            ContainerSpec as = new ContainerSpec(container.id(), new ContainerDefinition(d.name(), d.image(), List.of(), exec.argv(),
                    Stream.concat(d.env().stream(), exec.env().stream()).toList(),
                    exec.workdir() != null ? exec.workdir() : d.workdir(),
                    exec.user() != null ? exec.user() : d.user(), d.hostname(), d.autoRemove(), d.restartPolicy(), d.resources(),
                    d.security(), d.options(), d.network()));
            ExecBase base = execBase(container, dir);
            ResolvedProcess process = ProcessResolution.resolve(as, base.config(), base.users());
            checkMapped(process);
            SecurityProfile security = base.security();
            KernelLimits.checkProcess(process, stackLimit(security));
            java.nio.file.Files.createDirectories(execDir);
            HelperPlan execPlan = ContainerPlan.exec(new HelperPlan.Join(running.pid(), running.pidStartTime(), selfJoin), process,
                    dir.resolve("rootfs").toString(), execFile(container.id(), exec.id(), ".log"),
                    execFile(container.id(), exec.id(), ".status"), idMap, security);
            if (exec.tty() || exec.interactive()) {
                execPlan = execPlan.withTerminal(new HelperPlan.Terminal(exec.tty(), exec.interactive(),
                        execFile(container.id(), exec.id(), ".sock").toString()));
            }
            plan = PlanWriter.write(execPlan);
            planning.commit();
        } catch (EnviroError e) {
            return CompletableFuture.failedStage(e.within("container " + container.name() + ": exec: "));
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.failedStage(new EnviroError(ErrorCode.INVALID_ARGUMENT, "container " + container.name() + ": exec: " + e.getMessage(), e));
        }
        LifecycleStep spawning = LifecycleStep.begin(container.id(), "exec.spawn");
        return CompletableFuture.supplyAsync(() -> {
            try {
                HelperChannel channel = HelperChannel.spawn(helper.verifiedPath());
                spawning.commit();
                try {
                    channel.sendPlan(plan);
                } catch (SyscallException e) {
                    channel.close();
                    throw e;
                }
                return channel;
            } catch (IOException | SyscallException e) {
                throw new CompletionException(new EnviroError(ErrorCode.INTERNAL,
                        "container " + container.name() + ": exec: cannot start enviro-helper: " + e.getMessage(), e));
            }
        }, blocking).thenCompose(channel -> timed(container.id(), "exec.child", channel.receive(queue))
                .thenApplyAsync(message -> joinCgroup(container, channel, message, primed, selfJoin.isEmpty()), blocking)
                .thenCompose(child -> timed(container.id(), "exec.started", channel.receive(queue)).thenApply(message -> {
                    if (!(message instanceof HelperMessage.Started)) throw new CompletionException(failure(container, message));
                    return new ContainerProcess(container.id(), child.pid, child.pidStartTime, child.monitorPid, child.monitorStartTime,
                            execFile(container.id(), exec.id(), ".log"), execFile(container.id(), exec.id(), ".status"));
                }))
                .whenComplete((p, e) -> channel.close()))
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof EnviroError ee) throw new CompletionException(ee);
                    throw new CompletionException(new EnviroError(ErrorCode.INTERNAL,
                            "container " + container.name() + ": exec: " + cause.getMessage(), cause));
                });
    }

    /**
     * What every exec into a container starts from and that does not change while it runs: the image's
     * config, its users (read from the layers, never from the running container's files) and the
     * security profile (seccomp compiled once), as {@link #prepare} made them for the start; read again
     * only for a container the engine adopted after a restart. Kept until {@link #cleanup}: reading and
     * compiling them was ~4 ms of each exec.
     */
    private record ExecBase(ImageConfig config, UserDatabase users, SecurityProfile security) {}

    private final java.util.concurrent.ConcurrentMap<String, ExecBase> execBases = new java.util.concurrent.ConcurrentHashMap<>();

    private ExecBase execBase(ContainerSpec container, Path dir) throws IOException {
        ExecBase base = execBases.get(container.id());
        if (base != null) return base;
        List<Path> layers = java.nio.file.Files.readAllLines(dir.resolve("layers")).stream().filter(l -> !l.isBlank()).map(Path::of).toList();
        base = new ExecBase(images.resolve(container.image()).config(), UserDatabase.read(layers), securityProfile(container.security()));
        execBases.put(container.id(), base);
        return base;
    }

    /**
     * Step 3 of the protocol for an exec: no id maps to write (the user namespace is the container's),
     * only its cgroup, where the helper did not join it itself ({@code move}), once the priming started
     * with the exec is done.
     */
    private Child joinCgroup(ContainerSpec spec, HelperChannel channel, HelperMessage message, CompletableFuture<Void> primed, boolean move) {
        LifecycleStep joining = LifecycleStep.begin(spec.id(), "exec.cgroup-join");
        primed.join();
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
            if (move && cgroups.isPresent()) cgroups.get().container(spec.id()).join(pid);
            channel.sendMapped();
            joining.commit();
            return child;
        } catch (SyscallException e) {
            abort(channel, e);
            throw new CompletionException(new EnviroError(ErrorCode.INTERNAL,
                    "container " + spec.name() + ": exec: cannot move pid " + pid + " into the container's cgroup: " + e.getMessage(), e));
        }
    }

    /** The pid and start times read while the child waits for MAPPED: it cannot have exited yet. */
    private record Child(int pid, long pidStartTime, int monitorPid, long monitorStartTime) {}

    /** Step 3 of the protocol: reap the helper, write the id maps, enter the cgroup, say MAPPED. */
    private Child mapIds(ContainerSpec spec, HelperChannel channel, HelperMessage message, CompletableFuture<Void> cgroupReady) {
        LifecycleStep step = LifecycleStep.begin(spec.id(), "helper.mapped");
        // before the helper is reaped: until then its pid, which prepareCgroup writes, cannot be reused
        Throwable cgroupFailure = null;
        try {
            cgroupReady.join();
        } catch (CompletionException e) {
            cgroupFailure = e.getCause() == null ? e : e.getCause();
        }
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
            // Before anything else can fail or the engine die: who to find if Started is never journaled.
            ProcessRecordFile.write(containerDir(spec.id()), pid, child.pidStartTime, monitorPid, child.monitorStartTime);
            Path proc = Path.of("/proc", Integer.toString(pid));
            if (idMap.isSingleId()) Files.writeOnce(proc.resolve("setgroups"), "deny");
            Files.writeOnce(proc.resolve("uid_map"), idMap.uidMapText());
            Files.writeOnce(proc.resolve("gid_map"), idMap.gidMapText());
            if (cgroupFailure != null) throw cgroupFailure instanceof EnviroError e ? e : cgroupError(spec, cgroupFailure);
            enterCgroup(spec, pid);
            ContainerNetwork network = ContainerNetwork.of(spec.network());
            if (network.mode() == ContainerNetwork.Mode.BRIDGE) {
                // eth0 is made in the container's namespace now; the container sets it up itself (net.c) once MAPPED
                LifecycleStep link = LifecycleStep.begin(spec.id(), "network.connect");
                bridge.connect(spec.id(), pid, network.ports());
                link.commit();
            }
            if (spec.resources().oomScoreAdj() != null) {
                // before exec, so the container's first instruction already runs with it; raising it back
                // below the engine's own value would need CAP_SYS_RESOURCE in the initial user namespace
                Files.writeOnce(proc.resolve("oom_score_adj"), spec.resources().oomScoreAdj().toString());
            }
            channel.sendMapped();
            step.commit();
            return child;
        } catch (EnviroError e) {
            abort(channel, e);
            throw new CompletionException(e);
        } catch (SyscallException | IOException e) {
            try {
                channel.sendAbort();
            } catch (SyscallException abort) {
                e.addSuppressed(abort);
            }
            throw new CompletionException(new EnviroError(ErrorCode.INTERNAL,
                    "container " + spec.name() + ": cannot map ids, cgroup or network of pid " + pid + ": " + e.getMessage(), e));
        }
    }

    /**
     * The container's cgroup with its limits, made while the helper clones the container (both take a
     * few milliseconds, docs/performance.md); the move into it is then already paid for
     * ({@link CgroupDriver#primeMigration}, with the helper's pid, which is reaped only after this ends).
     */
    private void prepareCgroup(ContainerSpec spec, int helperPid) {
        if (cgroups.isEmpty()) return;
        LifecycleStep step = LifecycleStep.begin(spec.id(), "cgroup.create");
        try {
            Cgroup cgroup = cgroups.get().container(spec.id());
            cgroup.create();
            cgroup.apply(spec.resources());
        } catch (SyscallException e) {
            throw new CompletionException(cgroupError(spec, e));
        } catch (EnviroError e) {
            throw new CompletionException(e.within("container " + spec.name() + ": "));
        } finally {
            step.commit();
        }
        LifecycleStep prime = LifecycleStep.begin(spec.id(), "cgroup.prime");
        cgroups.get().primeMigration(helperPid);
        prime.commit();
    }

    /** Step 3's cgroup part: the container is limited before it runs a single instruction of its own. */
    private void enterCgroup(ContainerSpec spec, int pid) throws SyscallException {
        if (cgroups.isEmpty()) return;
        LifecycleStep step = LifecycleStep.begin(spec.id(), "cgroup.join");
        cgroups.get().container(spec.id()).join(pid);
        step.commit();
    }

    /** {@code stage}, recorded as {@code step} of {@code containerId} when it completes (also when it fails). */
    private static <T> CompletionStage<T> timed(String containerId, String step, CompletionStage<T> stage) {
        LifecycleStep event = LifecycleStep.begin(containerId, step);
        return stage.whenComplete((v, e) -> event.commit());
    }

    private static EnviroError cgroupError(ContainerSpec spec, Throwable e) {
        return new EnviroError(ErrorCode.INTERNAL, "container " + spec.name() + ": cgroup: " + e.getMessage(), e);
    }

    private static void abort(HelperChannel channel, Exception e) {
        try {
            channel.sendAbort();
        } catch (SyscallException abort) {
            e.addSuppressed(abort);
        }
    }

    private static ContainerProcess started(ContainerSpec spec, Path dir, Child child, HelperMessage message) {
        if (!(message instanceof HelperMessage.Started)) throw new CompletionException(failure(spec, message));
        return new ContainerProcess(spec.id(), child.pid, child.pidStartTime, child.monitorPid, child.monitorStartTime,
                dir.resolve("ctr.log"), dir.resolve("exit.status"));
    }

    /** A FAILED from the helper in the user's terms: 127/126 for the command itself, the step otherwise. */
    static EnviroError failure(ContainerSpec spec, HelperMessage message) {
        if (message instanceof HelperMessage.Failed f) {
            String what = "container " + spec.name() + ": " + f.step() + ": " + Errno.name(f.errno()) + " (" + Errno.describe(f.errno()) + ")";
            if (f.isExec() && (f.errno() == Errno.ENOENT || f.errno() == Errno.ENOTDIR)) {
                return new EnviroError(ErrorCode.COMMAND_NOT_FOUND, what + ": executable file not found: the command is not in the image or not on its PATH");
            }
            if (f.isExec() && (f.errno() == Errno.EACCES || f.errno() == Errno.ENOEXEC || f.errno() == Errno.EISDIR)) {
                return new EnviroError(ErrorCode.COMMAND_NOT_RUNNABLE, what + ": the command exists but cannot be executed");
            }
            return new EnviroError(ErrorCode.INTERNAL, what);
        }
        return new EnviroError(ErrorCode.INTERNAL, "container " + spec.name() + ": enviro-helper sent " + message + " out of turn");
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
                    LifecycleStep step = LifecycleStep.begin(process.containerId(), "exit.read");
                    ExitStatus status = statusOrUnknown(process);
                    step.commit();
                    return status;
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
            return withOom(process.containerId(), ExitStatusFile.read(process.statusPath()).orElseGet(() -> ExitStatus.unknown(Instant.now())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * OOM kills are read from the cgroup's counter once the container has exited (v1 memory.oom_control,
     * v2 memory.events): the counter outlives the processes, so a kill that happened while the engine was
     * away is still seen, which an eventfd registration would miss. Like Docker, any kill in the container
     * marks it, also one that hit a child while init survived.
     */
    private ExitStatus withOom(String containerId, ExitStatus status) {
        if (cgroups.isEmpty() || status.oomKilled()) return status;
        try {
            if (cgroups.get().container(containerId).oomKills() == 0) return status;
        } catch (SyscallException e) {
            return status; // no memory cgroup (it was never created): no OOM kill to report
        }
        return new ExitStatus(status.exitCode(), status.signal(), status.finishedAt(), true);
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
    public Optional<ContainerProcess> unrecorded(String containerId) {
        try {
            return ProcessRecordFile.read(containerId, containerDir(containerId)).flatMap(this::adopt);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<ExitStatus> recordedExit(ContainerProcess recorded) {
        try {
            return ExitStatusFile.read(recorded.statusPath()).map(s -> withOom(recorded.containerId(), s));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void signal(ContainerProcess process, int signal) throws EnviroError {
        try (Fd pidfd = openChecked(process.pid(), process.pidStartTime())) {
            Processes.pidfdSendSignal(pidfd, signal);
        } catch (SyscallException e) {
            ErrorCode code = e.errno() == Errno.ESRCH ? ErrorCode.NOT_FOUND : ErrorCode.INTERNAL;
            throw new EnviroError(code, "container " + process.containerId() + ": cannot signal pid " + process.pid()
                    + (code == ErrorCode.NOT_FOUND ? ": it has exited" : ": " + e.getMessage()), e);
        }
    }

    @Override
    public CompletionStage<ResourceUsage> usage(ContainerProcess process) {
        if (cgroups.isEmpty()) {
            return CompletableFuture.failedStage(new EnviroError(ErrorCode.INVALID_ARGUMENT, "container " + process.containerId()
                    + ": no statistics: the engine has no cgroup of its own to account it in (rootless on cgroup v1)"));
        }
        return cgroups.get().container(process.containerId()).usage()
                .thenApply(u -> new ResourceUsage(u.cpuNanos(), u.memoryBytes(), u.memoryLimit(), u.pids(), u.pidsLimit(), Instant.now()));
    }

    @Override
    public void updateResources(ContainerProcess process, Resources resources) throws EnviroError {
        try {
            checkResources(resources);
        } catch (EnviroError e) {
            throw e.within("container " + process.containerId().substring(0, Math.min(12, process.containerId().length())) + ": ");
        }
        if (cgroups.isEmpty()) return;
        try {
            cgroups.get().container(process.containerId()).apply(resources);
        } catch (SyscallException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "container " + process.containerId().substring(0, 12) + ": " + e.getMessage(), e);
        } catch (EnviroError e) {
            throw e.within("container " + process.containerId().substring(0, 12) + ": ");
        }
    }

    @Override
    public void pause(ContainerProcess process, boolean paused) throws EnviroError {
        if (cgroups.isEmpty()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "container " + process.containerId().substring(0, 12)
                    + ": pausing needs a freezer cgroup the engine may write, and it has none (rootless on cgroup v1)");
        }
        String failed = "container " + process.containerId().substring(0, 12) + ": cannot " + (paused ? "pause" : "unpause") + ": ";
        try {
            cgroups.get().container(process.containerId()).freeze(paused);
        } catch (SyscallException e) {
            throw new EnviroError(ErrorCode.INTERNAL, failed + e.getMessage(), e);
        } catch (EnviroError e) {
            throw e.within(failed);
        }
    }

    @Override
    public void cleanup(String containerId) throws EnviroError {
        execBases.remove(containerId);
        Path dir = containerDir(containerId);
        Exception failure = null;
        LifecycleStep step = LifecycleStep.begin(containerId, "cgroup.remove");
        try {
            if (cgroups.isPresent()) removeCgroup(cgroups.get().container(containerId));
        } catch (SyscallException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = e;
        }
        step.commit();
        step = LifecycleStep.begin(containerId, "network.disconnect");
        try {
            bridge.disconnect(containerId);
        } catch (IOException | SyscallException e) {
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }
        step.commit();
        step = LifecycleStep.begin(containerId, "rootfs.remove");
        try {
            if (java.nio.file.Files.exists(dir)) snapshotter.remove(dir);
        } catch (EnviroError e) {
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }
        step.commit();
        step = LifecycleStep.begin(containerId, "dir.remove");
        try {
            deleteTree(dir);
        } catch (IOException e) {
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }
        step.commit();
        if (failure != null) {
            throw new EnviroError(ErrorCode.INTERNAL, "container " + containerId + ": cleanup failed: " + failure.getMessage()
                    + ": is it still running? stop it, then remove it again", failure);
        }
    }

    /** How long a removal waits for a cgroup's last processes to be gone. */
    private static final long CGROUP_EMPTY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    private static void removeCgroup(Cgroup cgroup) throws SyscallException, InterruptedException {
        cgroup.removeWhenEmpty(CGROUP_EMPTY_NANOS, pid -> {
            try {
                Processes.kill(pid, Processes.SIGKILL);
            } catch (SyscallException gone) {
                // it left meanwhile
            }
        });
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

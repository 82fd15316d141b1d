package dev.enviro.persistence;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to one container, in the order it happened: the journal of persistence id
 * {@code container|<id>}. The topics follow containerd's ({@code /containers/create},
 * {@code /tasks/start}, {@code /tasks/exit}, {@code /containers/delete}) so the journal, the event
 * stream and the audit log speak one vocabulary ({@link LifecycleEvent}).
 *
 * <p>Events are facts, written before anyone is told: they carry plain values only (no types from
 * the runtime), so that replaying an old journal never depends on how an executor represents things
 * today. Paths are strings for the same reason. Evolve by adding nullable components at the end
 * (old journals replay them as null); each record keeps a constructor of its previous shape.
 */
public sealed interface ContainerEvent extends LifecycleEvent {

    String containerId();

    @Override
    default String subject() {
        return containerId();
    }

    /**
     * The user's request as accepted. Null lists and strings mean "take it from the image".
     * {@code restartPolicy} is as the user wrote it ({@code no}, {@code on-failure:3}, ...); null is {@code no}.
     */
    record Created(
            String containerId,
            String name,
            String image,
            List<String> entrypoint,
            List<String> command,
            List<String> env,
            String workdir,
            String user,
            String hostname,
            boolean autoRemove,
            String executor,
            Instant timestamp,
            Origin origin,
            String restartPolicy,
            ResourceLimits resources,
            SecuritySettings security,
            RunSettings run) implements ContainerEvent {

        /** Without storage, log and init flags (the defaults). */
        public Created(String containerId, String name, String image, List<String> entrypoint, List<String> command,
                       List<String> env, String workdir, String user, String hostname, boolean autoRemove,
                       String executor, Instant timestamp, Origin origin, String restartPolicy, ResourceLimits resources,
                       SecuritySettings security) {
            this(containerId, name, image, entrypoint, command, env, workdir, user, hostname, autoRemove, executor,
                    timestamp, origin, restartPolicy, resources, security, null);
        }

        public Created {
            entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
            command = command == null ? List.of() : List.copyOf(command);
            env = env == null ? List.of() : List.copyOf(env);
            resources = ResourceLimits.orNone(resources);
        }

        /** Without security flags (the defaults). */
        public Created(String containerId, String name, String image, List<String> entrypoint, List<String> command,
                       List<String> env, String workdir, String user, String hostname, boolean autoRemove,
                       String executor, Instant timestamp, Origin origin, String restartPolicy, ResourceLimits resources) {
            this(containerId, name, image, entrypoint, command, env, workdir, user, hostname, autoRemove, executor,
                    timestamp, origin, restartPolicy, resources, null);
        }

        public Created(String containerId, String name, String image, List<String> entrypoint, List<String> command,
                       List<String> env, String workdir, String user, String hostname, boolean autoRemove,
                       String executor, Instant timestamp, Origin origin, String restartPolicy) {
            this(containerId, name, image, entrypoint, command, env, workdir, user, hostname, autoRemove, executor,
                    timestamp, origin, restartPolicy, null);
        }

        /** The same definition with the limits {@code enviro update} set: the state keeps the current limits here. */
        public Created withResources(ResourceLimits limits) {
            return new Created(containerId, name, image, entrypoint, command, env, workdir, user, hostname, autoRemove,
                    executor, timestamp, origin, restartPolicy, limits, security, run);
        }

        public Created(String containerId, String name, String image, List<String> entrypoint, List<String> command,
                       List<String> env, String workdir, String user, String hostname, boolean autoRemove,
                       String executor, Instant timestamp) {
            this(containerId, name, image, entrypoint, command, env, workdir, user, hostname, autoRemove, executor,
                    timestamp, null, null, null);
        }

        @Override
        public String topic() {
            return "/containers/create";
        }

        @Override
        public Map<String, String> attributes() {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("name", name);
            a.put("image", image);
            if (restartPolicy != null) {
                a.put("restart", restartPolicy);
            }
            return a;
        }
    }

    /** The image resolved and the rootfs prepared: what will actually run. */
    record Prepared(String containerId, String imageDigest, List<String> argv, String logPath, Instant timestamp,
                    Origin origin) implements ContainerEvent {
        public Prepared {
            argv = argv == null ? List.of() : List.copyOf(argv);
        }

        @Override
        public String topic() {
            return "/tasks/create";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of("digest", String.valueOf(imageDigest));
        }
    }

    /**
     * The command exec'd. Pid and monitor pid are recorded with their start times, so that an engine
     * started later can tell its container from an unrelated process that reused the pid.
     */
    record Started(
            String containerId,
            int pid,
            long pidStartTime,
            int monitorPid,
            long monitorStartTime,
            String logPath,
            String statusPath,
            Instant timestamp,
            Origin origin) implements ContainerEvent {

        @Override
        public String topic() {
            return "/tasks/start";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of("pid", String.valueOf(pid));
        }
    }

    /**
     * Start did not reach exec. {@code exitCode} is what a shell would report (127: not found, 126:
     * not executable, 125: the engine could not run it); for 126/127 an {@link Exited} follows.
     */
    record StartFailed(String containerId, String reason, int exitCode, Instant timestamp, Origin origin)
            implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/start-failed";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of("exitCode", String.valueOf(exitCode), "reason", String.valueOf(reason));
        }
    }

    /** {@code exitCode} is {@code 128 + signal} when signalled, {@code -1} when nobody could record it. */
    record Exited(String containerId, int exitCode, int signal, boolean oomKilled, Instant finishedAt, Instant timestamp,
                  Origin origin) implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/exit";
        }

        @Override
        public Map<String, String> attributes() {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("exitCode", String.valueOf(exitCode));
            if (signal != 0) {
                a.put("signal", String.valueOf(signal));
            }
            if (oomKilled) {
                a.put("oomKilled", "true");
            }
            return a;
        }
    }

    /**
     * The kernel's OOM killer ended the container (its cgroup counted an {@code oom_kill}). Journaled in
     * the same write as, and just before, the {@link Exited} it caused, as containerd's {@code /tasks/oom}.
     */
    record OomKilled(String containerId, Instant timestamp, Origin origin) implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/oom";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of();
        }
    }

    /**
     * A user asked the container to stop (stop, or kill). Recorded before the signal is sent: it is why
     * {@code always} and {@code unless-stopped} do not restart the exit that follows (Docker's semantics).
     */
    record Stopped(String containerId, int signal, Instant timestamp, Origin origin) implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/stop";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of("signal", String.valueOf(signal));
        }
    }

    /** The restart policy will start the container again after {@code delayMillis}; {@code attempt} counts from 1. */
    record RestartScheduled(String containerId, int attempt, long delayMillis, Instant timestamp, Origin origin)
            implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/restart-scheduled";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of("attempt", String.valueOf(attempt), "delayMillis", String.valueOf(delayMillis));
        }
    }

    /** The restart policy fired: a start follows (Prepared, Started or StartFailed), under the same id, name and log. */
    record Restarted(String containerId, int attempt, Instant timestamp, Origin origin) implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/restart";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of("attempt", String.valueOf(attempt));
        }
    }

    /**
     * {@code enviro update} changed the limits of the container: {@code resources} is the whole set now in
     * force (not the change), so replay needs no merging. Written after the running container's cgroup took them.
     */
    record ResourcesUpdated(String containerId, ResourceLimits resources, Instant timestamp, Origin origin)
            implements ContainerEvent {
        public ResourcesUpdated {
            resources = ResourceLimits.orNone(resources);
        }

        @Override
        public String topic() {
            return "/containers/update";
        }

        @Override
        public Map<String, String> attributes() {
            Map<String, String> a = new LinkedHashMap<>();
            if (resources.memoryBytes() != 0) a.put("memory", String.valueOf(resources.memoryBytes()));
            if (resources.nanoCpus() != 0) a.put("nanoCpus", String.valueOf(resources.nanoCpus()));
            if (resources.cpuShares() != 0) a.put("cpuShares", String.valueOf(resources.cpuShares()));
            if (resources.pidsLimit() != 0) a.put("pidsLimit", String.valueOf(resources.pidsLimit()));
            return a;
        }
    }

    /**
     * {@code enviro pause}: every process of the container is frozen (cgroup freezer). Written after the
     * kernel froze them; the freeze outlives an engine restart, and so does this fact.
     */
    record Paused(String containerId, Instant timestamp, Origin origin) implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/paused";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of();
        }
    }

    /** {@code enviro unpause}: the container's processes run again. */
    record Unpaused(String containerId, Instant timestamp, Origin origin) implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/resumed";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of();
        }
    }

    /** {@code enviro exec}: one more process ({@code execId}) exec'd in the running container. */
    record ExecStarted(String containerId, String execId, List<String> argv, int pid, Instant timestamp, Origin origin)
            implements ContainerEvent {
        public ExecStarted {
            argv = argv == null ? List.of() : List.copyOf(argv);
        }

        @Override
        public String topic() {
            return "/tasks/exec-started";
        }

        @Override
        public Map<String, String> attributes() {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("execId", execId);
            a.put("pid", String.valueOf(pid));
            a.put("argv", String.join(" ", argv));
            return a;
        }
    }

    /** The exec'd process {@code execId} ended; {@code exitCode} as for {@link Exited} ({@code -1}: unknown). */
    record ExecExited(String containerId, String execId, int exitCode, Instant timestamp, Origin origin)
            implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/exec-exit";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of("execId", execId, "exitCode", String.valueOf(exitCode));
        }
    }

    /** Its files on the host are gone; the journal keeps the history until the audit retention passes. */
    record Removed(String containerId, Instant timestamp, Origin origin) implements ContainerEvent {
        @Override
        public String topic() {
            return "/containers/delete";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of();
        }
    }
}

package dev.enviro.persistence;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
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
     * The container as defined, accepted and named. The journal holds {@code definition} nested; events
     * written before {@link ContainerDefinition} existed (its fields flat in the event) read the same
     * ({@link #fromJournal}). {@code startFollows}: created by a {@code run}, whose start comes next; a
     * recovery that finds it never started knows the start was interrupted (false in older journals).
     */
    record Created(String containerId, ContainerDefinition definition, String executor, Instant timestamp, Origin origin,
                   boolean startFollows)
            implements ContainerEvent {

        public Created {
            java.util.Objects.requireNonNull(definition, "definition");
        }

        /** A create on its own ({@code enviro create}): no start was asked with it. */
        public Created(String containerId, ContainerDefinition definition, String executor, Instant timestamp, Origin origin) {
            this(containerId, definition, executor, timestamp, origin, false);
        }

        /**
         * Either shape the journal holds: {@code definition} nested (since 2026-12-07), or its fields flat
         * in the event (before; JournalShapesTest keeps such events).
         */
        @JsonCreator
        static Created fromJournal(
                @JsonProperty("containerId") String containerId,
                @JsonProperty("definition") ContainerDefinition definition,
                @JsonProperty("executor") String executor,
                @JsonProperty("timestamp") Instant timestamp,
                @JsonProperty("origin") Origin origin,
                @JsonProperty("name") String name,
                @JsonProperty("image") String image,
                @JsonProperty("entrypoint") List<String> entrypoint,
                @JsonProperty("command") List<String> command,
                @JsonProperty("env") List<String> env,
                @JsonProperty("workdir") String workdir,
                @JsonProperty("user") String user,
                @JsonProperty("hostname") String hostname,
                @JsonProperty("autoRemove") boolean autoRemove,
                @JsonProperty("restartPolicy") String restartPolicy,
                @JsonProperty("resources") Resources resources,
                @JsonProperty("security") SecurityOptions security,
                @JsonProperty("run") RunOptions run,
                @JsonProperty("startFollows") boolean startFollows) {
            ContainerDefinition d = definition != null ? definition
                    : new ContainerDefinition(name, image, entrypoint, command, env, workdir, user, hostname, autoRemove,
                            restartPolicy, resources, security, run);
            return new Created(containerId, d, executor, timestamp, origin, startFollows);
        }

        public String name() { return definition.name(); }
        public String image() { return definition.image(); }
        public String restartPolicy() { return definition.restartPolicy(); }
        public boolean autoRemove() { return definition.autoRemove(); }
        public Resources resources() { return definition.resources(); }

        /** The same container with the limits {@code enviro update} set: the state keeps the current limits here. */
        public Created withResources(Resources limits) {
            return new Created(containerId, definition.withResources(limits), executor, timestamp, origin, startFollows);
        }

        @Override
        public String topic() {
            return "/containers/create";
        }

        @Override
        public Map<String, String> attributes() {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("name", definition.name());
            a.put("image", definition.image());
            if (definition.restartPolicy() != null) {
                a.put("restart", definition.restartPolicy());
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
    record ResourcesUpdated(String containerId, Resources resources, Instant timestamp, Origin origin)
            implements ContainerEvent {
        public ResourcesUpdated {
            resources = Resources.orNone(resources);
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

    /**
     * {@code enviro exec}: one more process ({@code execId}) asked of the running container, journaled
     * while it is launched (its caller sees it run only once this is written). {@code pid} is 0 since
     * the launch and the write run side by side: the pid is on {@link ExecExited}; journals written
     * before then carry it here.
     */
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
            if (pid > 0) a.put("pid", String.valueOf(pid));
            a.put("argv", String.join(" ", argv));
            return a;
        }
    }

    /**
     * The exec'd process {@code execId} ({@code pid}; 0 when it never started, or in journals older than
     * the field) ended; {@code exitCode} as for {@link Exited} ({@code -1}: unknown), or the exit code of
     * the error that kept it from starting (126: not runnable, 127: not found, 125: the engine's).
     */
    record ExecExited(String containerId, String execId, int exitCode, int pid, Instant timestamp, Origin origin)
            implements ContainerEvent {
        @Override
        public String topic() {
            return "/tasks/exec-exit";
        }

        @Override
        public Map<String, String> attributes() {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("execId", execId);
            if (pid > 0) a.put("pid", String.valueOf(pid));
            a.put("exitCode", String.valueOf(exitCode));
            return a;
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

package dev.enviro.persistence;

import java.time.Instant;
import java.util.List;

/**
 * What happened to one container, in the order it happened: the journal of persistence id
 * {@code container|<id>}. The names follow containerd's topics ({@code /containers/create},
 * {@code /tasks/start}, {@code /tasks/exit}, {@code /containers/delete}) so the journal, the event
 * stream and the audit log speak one vocabulary.
 *
 * <p>Events are facts, written before anyone is told: they carry plain values only (no types from
 * the runtime), so that replaying an old journal never depends on how an executor represents things
 * today. Paths are strings for the same reason.
 */
public sealed interface ContainerEvent extends JournalSerializable {

    String containerId();

    Instant timestamp();

    /** The user's request as accepted. Null lists and strings mean "take it from the image". */
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
            Instant timestamp) implements ContainerEvent {
        public Created {
            entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
            command = command == null ? List.of() : List.copyOf(command);
            env = env == null ? List.of() : List.copyOf(env);
        }
    }

    /** The image resolved and the rootfs prepared: what will actually run. */
    record Prepared(String containerId, String imageDigest, List<String> argv, String logPath, Instant timestamp)
            implements ContainerEvent {
        public Prepared {
            argv = argv == null ? List.of() : List.copyOf(argv);
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
            Instant timestamp) implements ContainerEvent {}

    /**
     * Start did not reach exec. {@code exitCode} is what a shell would report (127: not found, 126:
     * not executable, 125: the engine could not run it); for 126/127 an {@link Exited} follows.
     */
    record StartFailed(String containerId, String reason, int exitCode, Instant timestamp) implements ContainerEvent {}

    /** {@code exitCode} is {@code 128 + signal} when signalled, {@code -1} when nobody could record it. */
    record Exited(String containerId, int exitCode, int signal, boolean oomKilled, Instant finishedAt, Instant timestamp)
            implements ContainerEvent {}

    /** Its files on the host are gone; the journal keeps the history. */
    record Removed(String containerId, Instant timestamp) implements ContainerEvent {}
}

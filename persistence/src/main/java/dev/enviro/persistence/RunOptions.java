package dev.enviro.persistence;

import java.util.List;

/**
 * The storage, log and init flags of {@code run}, as the user typed them; the runtime's {@code Volumes}
 * and {@code LogLimits} turn them into what the helper does. Kept as text so that the
 * journal replays them as given (like {@link SecurityOptions}).
 *
 * @param volumes  {@code -v HOST:CTR[:ro|rw]}: HOST an absolute host path, CTR a path inside the container
 * @param tmpfs    {@code --tmpfs CTR[:OPTIONS]}: options as mount(8) takes them (size=64m,mode=1777,…)
 * @param readOnly {@code --read-only}: the root filesystem is read-only (volumes, tmpfs, /dev, /proc stay as they are)
 * @param logOpts  {@code --log-opt KEY=VALUE}: {@code max-size=10m}, {@code max-file=5}
 * @param init     {@code --init}: a minimal init runs as pid 1, reaping zombies and forwarding signals
 * @param tty         {@code -t}: the command's stdio is a pty (docs/terminal.md)
 * @param interactive {@code -i}: the command's stdin stays open for clients ({@code attach})
 */
public record RunOptions(List<String> volumes, List<String> tmpfs, boolean readOnly, List<String> logOpts, boolean init,
        boolean tty, boolean interactive) implements JournalSerializable {

    /** Without a terminal: stdin is /dev/null. */
    public RunOptions(List<String> volumes, List<String> tmpfs, boolean readOnly, List<String> logOpts, boolean init) {
        this(volumes, tmpfs, readOnly, logOpts, init, false, false);
    }

    public static final RunOptions DEFAULT = new RunOptions(List.of(), List.of(), false, List.of(), false);

    public RunOptions {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        tmpfs = tmpfs == null ? List.of() : List.copyOf(tmpfs);
        logOpts = logOpts == null ? List.of() : List.copyOf(logOpts);
    }
}

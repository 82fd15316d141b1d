package dev.enviro.persistence;

import java.util.List;

/**
 * A container's storage, log and init flags as the user gave them ({@code -v}, {@code --tmpfs},
 * {@code --read-only}, {@code --log-opt}, {@code --init}, {@code -t}, {@code -i}): plain strings, so that a replayed journal means
 * what it meant when written. Null reads as "no flags" (the defaults).
 */
public record RunSettings(List<String> volumes, List<String> tmpfs, boolean readOnly, List<String> logOpts, boolean init,
        boolean tty, boolean interactive) implements JournalSerializable {

    /** Without -t/-i (events written before they existed read the same: false). */
    public RunSettings(List<String> volumes, List<String> tmpfs, boolean readOnly, List<String> logOpts, boolean init) {
        this(volumes, tmpfs, readOnly, logOpts, init, false, false);
    }

    public RunSettings {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        tmpfs = tmpfs == null ? List.of() : List.copyOf(tmpfs);
        logOpts = logOpts == null ? List.of() : List.copyOf(logOpts);
    }
}

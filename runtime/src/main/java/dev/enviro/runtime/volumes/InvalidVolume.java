package dev.enviro.runtime.volumes;

/** A {@code -v}, {@code --tmpfs} or {@code --read-only} request that cannot be honoured; the message names the flag. */
public final class InvalidVolume extends IllegalArgumentException {
    public InvalidVolume(String message) {
        super(message);
    }
}

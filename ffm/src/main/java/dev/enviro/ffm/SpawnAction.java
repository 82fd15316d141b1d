package dev.enviro.ffm;

/** What the child of {@link Processes#spawn} does with its descriptors before exec, in order. */
public sealed interface SpawnAction {

    /** dup2(fd, target): {@code target} is open in the program even though {@code fd} is close-on-exec. */
    record Dup2(int fd, int target) implements SpawnAction {}

    /** open(path, flags, mode) at descriptor {@code target}. */
    record Open(int target, String path, int flags, int mode) implements SpawnAction {}
}

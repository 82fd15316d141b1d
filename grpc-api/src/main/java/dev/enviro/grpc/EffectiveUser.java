package dev.enviro.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who this process acts as, which decides the default socket and state directory (root or rootless). */
public final class EffectiveUser {

    private EffectiveUser() {}

    /**
     * The effective uid. The kernel gives {@code /proc/self} the owner of the process's effective ids,
     * so reading its owner needs neither FFM (kept off the CLI's start-up path) nor a subprocess.
     */
    public static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of /proc/self: is /proc mounted?", e);
        }
    }

    public static boolean isRoot() {
        return uid() == 0;
    }
}

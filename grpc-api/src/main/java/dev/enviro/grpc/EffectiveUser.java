package dev.enviro.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who this process acts as, which decides the default socket and state directory (root or rootless). */
public final class EffectiveUser {

    private EffectiveUser() {}

    /**
     * The effective uid as the host knows it. The kernel gives {@code /proc/self} the owner of the
     * process's effective ids, so reading its owner needs neither FFM (kept off the CLI's start-up path)
     * nor a subprocess. A rootless engine runs as root of a user namespace of its own (enviro-helper
     * {@code --user-namespace}): its 0 is the user's id, which decides its defaults as it does the
     * clients' outside.
     */
    public static int uid() {
        try {
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid == 0 ? outside(Files.readString(Path.of("/proc/self/uid_map"))) : uid;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of /proc/self: is /proc mounted?", e);
        }
    }

    /** What id 0 of this namespace is outside it, from {@code uid_map}'s text (0 on the host). */
    static int outside(String uidMap) {
        for (String line : uidMap.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3 && f[0].equals("0")) return Integer.parseUnsignedInt(f[1]);
        }
        return 65534; // root of a namespace that does not map it is nobody outside
    }

    public static boolean isRoot() {
        return uid() == 0;
    }
}

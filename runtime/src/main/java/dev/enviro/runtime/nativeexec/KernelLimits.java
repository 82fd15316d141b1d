package dev.enviro.runtime.nativeexec;

import dev.enviro.errors.Echo;
import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.runtime.ResolvedProcess;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the kernel will take of a process and a hostname, checked before anything is made, so that a
 * value it would refuse is one clear line at create, not an errno from inside the container's set-up:
 * execve(2)'s limits (fs/exec.c: each string at most {@link #MAX_ARG_STRLEN}, all of them with their
 * pointers within a quarter of the stack limit, capped at 6 MiB, never below 128 KiB), no NUL inside a
 * string (C strings end there), and sethostname(2)'s {@link #HOST_NAME_MAX}.
 */
final class KernelLimits {
    private KernelLimits() {}

    /** 32 pages: the longest single argument or environment string, its NUL included. */
    static final int MAX_ARG_STRLEN = 32 * 4096;

    /** fs/exec.c: _STK_LIM / 4 * 3, the most argv and environment may take whatever the stack limit. */
    static final long ARG_CAP = 6L << 20;

    /** fs/exec.c: ARG_MAX, what argv and environment may always take. */
    static final long ARG_FLOOR = 32 * 4096;

    static final int HOST_NAME_MAX = 64;

    /** RFC 1123 labels joined by dots, as docker and podman accept them. */
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    /**
     * @param stackSoft the process's RLIMIT_STACK soft limit in bytes (negative or {@code Long.MAX_VALUE}: unlimited)
     * @throws EnviroError INVALID_ARGUMENT naming the first string or total the kernel would refuse
     */
    static void checkProcess(ResolvedProcess process, long stackSoft) {
        noNul("the working directory", process.cwd());
        long total = 0;
        total += strings("argument", process.argv());
        total += strings("environment variable", process.env());
        // every string is also a pointer on the new stack, and both lists end with a NULL
        total += 8L * (process.argv().size() + process.env().size() + 2);
        long limit = argLimit(stackSoft);
        if (total > limit) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "the command and its environment take " + total
                    + " bytes; the kernel's execve takes at most " + limit + " here (a quarter of the stack limit, at most 6 MiB):"
                    + " pass large data in a file or a volume");
        }
    }

    /** The most argv and environment may take under a stack limit of {@code stackSoft} bytes. */
    static long argLimit(long stackSoft) {
        long quarter = stackSoft < 0 || stackSoft == Long.MAX_VALUE ? ARG_CAP : stackSoft / 4;
        return Math.max(ARG_FLOOR, Math.min(ARG_CAP, quarter));
    }

    private static long strings(String what, List<String> values) {
        long total = 0;
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            noNul(what + " " + (i + 1) + " (" + Echo.of(v) + ")", v);
            int bytes = v.getBytes(StandardCharsets.UTF_8).length + 1;
            if (bytes > MAX_ARG_STRLEN) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, what + " " + (i + 1) + " (" + Echo.of(v) + ") is " + (bytes - 1)
                        + " bytes; the kernel takes at most " + (MAX_ARG_STRLEN - 1) + " in one (MAX_ARG_STRLEN): pass it in a file or a volume");
            }
            total += bytes;
        }
        return total;
    }

    /** A hostname sethostname(2) takes and resolvers accept. */
    static void checkHostname(String hostname) {
        if (hostname == null) return;
        noNul("the hostname", hostname);
        if (hostname.getBytes(StandardCharsets.UTF_8).length > HOST_NAME_MAX) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "hostname " + Echo.of(hostname) + " is "
                    + hostname.getBytes(StandardCharsets.UTF_8).length + " bytes; the kernel takes at most " + HOST_NAME_MAX);
        }
        if (!HOSTNAME.matcher(hostname).matches()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "hostname '" + Echo.of(hostname)
                    + "' is not valid: use letters, digits and '-', in labels separated by '.' (RFC 1123)");
        }
    }

    private static void noNul(String what, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, what + " contains a NUL byte, which no C string can carry: remove it");
        }
    }
}

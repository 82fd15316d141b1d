package dev.enviro.runtime.security;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.ResourceLimit;
import dev.enviro.ffm.ResourceLimit.Resource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code --ulimit name=soft[:hard]} turned into the rlimits the helper sets before exec.
 *
 * <p>The container's process is in a user namespace, so it can never hold CAP_SYS_RESOURCE over the
 * host's limits: it inherits the engine's hard limits and cannot raise one above them, even when the
 * engine runs as root. Such a request is refused here, with the number, instead of failing in the
 * helper. Without {@code --ulimit nofile}, the container gets Podman's default: soft = hard =
 * 1048576, capped at the engine's hard limit (on a host whose hard limit is 20000, 20000:20000).
 */
public final class Ulimits {
    private Ulimits() {}

    public static final long DEFAULT_NOFILE = 1_048_576;

    public static List<ResourceLimit> resolve(List<String> specs, Function<Resource, ResourceLimit> engine) {
        Map<Resource, ResourceLimit> limits = new EnumMap<>(Resource.class);
        long nofileHard = engine.apply(Resource.NOFILE).hard();
        long nofile = Long.compareUnsigned(DEFAULT_NOFILE, nofileHard) <= 0 ? DEFAULT_NOFILE : nofileHard;
        limits.put(Resource.NOFILE, new ResourceLimit(Resource.NOFILE, nofile, nofile));
        for (String spec : specs) {
            ResourceLimit l = parse(spec);
            long max = engine.apply(l.resource()).hard();
            if (Long.compareUnsigned(l.hard(), max) > 0) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--ulimit " + spec + ": above the engine's hard limit " + ResourceLimit.text(max)
                        + " for " + l.resource().key() + "; a container cannot raise it (no CAP_SYS_RESOURCE outside its user namespace):"
                        + " ask for at most " + ResourceLimit.text(max) + " or raise the engine's own limit");
            }
            limits.put(l.resource(), l);
        }
        return new ArrayList<>(limits.values());
    }

    static ResourceLimit parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--ulimit " + spec + ": expected name=soft[:hard], e.g. nofile=1024:2048");
        Resource r = Resource.parse(spec.substring(0, eq)).orElseThrow(() -> new EnviroError(ErrorCode.INVALID_ARGUMENT, "--ulimit " + spec
                + ": unknown limit (cpu, fsize, data, stack, core, rss, nproc, nofile, memlock, as, locks, sigpending, msgqueue, nice, rtprio, rttime)"));
        String[] values = spec.substring(eq + 1).split(":", -1);
        if (values.length > 2) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--ulimit " + spec + ": expected name=soft[:hard]");
        long soft = value(spec, values[0]), hard = values.length == 2 ? value(spec, values[1]) : soft;
        try {
            return new ResourceLimit(r, soft, hard);
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--ulimit " + spec + ": " + e.getMessage());
        }
    }

    private static long value(String spec, String v) {
        if (v.equals("-1") || v.equalsIgnoreCase("unlimited")) return ResourceLimit.INFINITY;
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--ulimit " + spec + ": \"" + v + "\" is not a number (or -1 / unlimited)");
        }
    }
}

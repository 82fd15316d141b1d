package dev.enviro.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * A process resource limit (setrlimit(2)): which resource, soft and hard value. {@link #INFINITY} is
 * RLIM_INFINITY. The numbers are the generic Linux ones (x86_64 and aarch64 agree).
 */
public record ResourceLimit(Resource resource, long soft, long hard) {

    public static final long INFINITY = -1L;

    /** The resources by their Linux number; {@link #key()} is the name {@code --ulimit} uses. */
    public enum Resource {
        CPU(0), FSIZE(1), DATA(2), STACK(3), CORE(4), RSS(5), NPROC(6), NOFILE(7), MEMLOCK(8), AS(9), LOCKS(10),
        SIGPENDING(11), MSGQUEUE(12), NICE(13), RTPRIO(14), RTTIME(15);

        public final int number;

        Resource(int number) { this.number = number; }

        public String key() { return name().toLowerCase(Locale.ROOT); }

        public static Optional<Resource> parse(String key) {
            for (Resource r : values()) if (r.key().equals(key.trim().toLowerCase(Locale.ROOT))) return Optional.of(r);
            return Optional.empty();
        }
    }

    public ResourceLimit {
        if (Long.compareUnsigned(soft, hard) > 0) {
            throw new IllegalArgumentException(resource.key() + ": soft limit " + text(soft) + " is above the hard limit " + text(hard));
        }
    }

    public static String text(long value) { return value == INFINITY ? "unlimited" : Long.toUnsignedString(value); }

    private static final class getrlimit {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("getrlimit", DESC);
    }

    /** The calling process's (the engine's) limit: a container cannot go above its hard value without CAP_SYS_RESOURCE. */
    public static ResourceLimit current(Resource resource) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            MemorySegment limit = arena.allocate(JAVA_LONG, 2);
            int rc = (int) getrlimit.HANDLE.invokeExact(state, resource.number, limit);
            if (rc < 0) throw new SyscallException("getrlimit", Native.errno(state), resource.key());
            return new ResourceLimit(resource, limit.getAtIndex(JAVA_LONG, 0), limit.getAtIndex(JAVA_LONG, 1));
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }
}

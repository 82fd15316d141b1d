package dev.enviro.runtime.security;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.Capability;
import dev.enviro.ffm.CapabilitySets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which capabilities a container's process holds, in each of the five sets.
 *
 * <p>The default is Podman's ({@code containers.conf} {@code default_capabilities}): Docker's list
 * minus {@code AUDIT_WRITE}, {@code MKNOD} and {@code NET_RAW}. In a user namespace {@code MKNOD} buys
 * nothing (device nodes cannot be created there), {@code NET_RAW} allows raw and packet sockets (ARP
 * and ICMP spoofing on the container's network), {@code AUDIT_WRITE} writes to the host's audit log.
 *
 * <p>Sets follow the OCI runtime spec and Podman: the bounding set is the container's set; for root
 * (uid 0) effective = permitted = that set; inheritable and ambient stay empty (CVE-2022-24769: a
 * non-empty inheritable set lets files with inheritable file capabilities gain them on exec). For a
 * non-root user effective, permitted, inheritable and ambient hold only what {@code --cap-add} asked
 * for: ambient capabilities are how a non-root process keeps a capability across execve, and the
 * kernel requires them to be permitted and inheritable.
 */
public final class Capabilities {
    private Capabilities() {}

    public static final List<Capability> DEFAULT = List.of(
            Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FOWNER, Capability.FSETID, Capability.KILL,
            Capability.NET_BIND_SERVICE, Capability.SETFCAP, Capability.SETGID, Capability.SETPCAP, Capability.SETUID,
            Capability.SYS_CHROOT);

    /** The container's capability set (its bounding set): default, or all when privileged, plus adds, minus drops. */
    public static Set<Capability> effectiveSet(List<String> add, List<String> drop, boolean privileged, int lastCap) {
        Set<Capability> added = parse("--cap-add", add), dropped = parse("--cap-drop", drop);
        Set<Capability> set = privileged || isAll(add) ? all(lastCap) : EnumSet.noneOf(Capability.class);
        if (!privileged && !isAll(add) && !isAll(drop)) set.addAll(DEFAULT);
        set.addAll(added);
        // an explicit drop wins over the default and privileged; ALL then the adds gives exactly the adds
        if (isAll(drop)) {
            set.clear();
            set.addAll(added);
        } else {
            set.removeAll(dropped);
        }
        set.removeIf(c -> c.ordinal() > lastCap);
        return set;
    }

    /** The five sets for a process running as {@code uid} inside the container. */
    public static CapabilitySets sets(Set<Capability> containerSet, List<String> add, int uid, int lastCap) {
        long bounding = CapabilitySets.mask(containerSet);
        if (uid == 0) return new CapabilitySets(bounding, bounding, bounding, 0, 0);
        Set<Capability> requested = isAll(add) ? all(lastCap) : parse("--cap-add", add);
        long kept = CapabilitySets.mask(requested) & bounding;
        return new CapabilitySets(bounding, kept, kept, kept, kept);
    }

    private static boolean isAll(List<String> names) {
        return names.stream().anyMatch(n -> n.trim().equalsIgnoreCase("ALL"));
    }

    private static Set<Capability> all(int lastCap) {
        Set<Capability> all = EnumSet.allOf(Capability.class);
        all.removeIf(c -> c.ordinal() > lastCap);
        return all;
    }

    private static Set<Capability> parse(String flag, List<String> names) {
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        for (String n : names) {
            if (n.trim().equalsIgnoreCase("ALL")) continue;
            caps.add(Capability.parse(n).orElseThrow(() -> new EnviroError(ErrorCode.INVALID_ARGUMENT, flag + " " + n
                    + ": unknown capability (names as in capabilities(7), e.g. NET_ADMIN or CAP_NET_ADMIN)")));
        }
        return caps;
    }
}

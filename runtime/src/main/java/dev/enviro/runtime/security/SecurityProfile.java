package dev.enviro.runtime.security;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.Capability;
import dev.enviro.ffm.CapabilitySets;
import dev.enviro.ffm.ResourceLimit;
import dev.enviro.ffm.ResourceLimit.Resource;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.helper.HelperPlan;
import dev.enviro.ffm.seccomp.SeccompArch;
import dev.enviro.persistence.SecurityOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * A container's security settings after its flags are checked: what the helper applies (see
 * {@link #plan}) and what {@code inspect} shows. Defaults follow Podman (docs/security.md).
 *
 * @param seccomp null when unconfined
 * @param seccompMode "default", "unconfined" or "custom"
 */
public record SecurityProfile(Set<Capability> capabilities, List<String> capAdd, boolean privileged, boolean noNewPrivileges,
        SeccompProfile seccomp, String seccompMode, List<ResourceLimit> rlimits) {

    /** OCI/Podman maskedPaths: hidden from the container (empty to read, impossible to write). */
    public static final List<String> MASKED_PATHS = List.of(
            "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    /** OCI/Podman readonlyPaths: visible but read-only. */
    public static final List<String> READ_ONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    public SecurityProfile {
        capabilities = Set.copyOf(capabilities);
        capAdd = List.copyOf(capAdd);
        rlimits = List.copyOf(rlimits);
    }

    /** Checks and resolves the flags against this machine (its kernel's capabilities, the engine's rlimits). */
    public static SecurityProfile resolve(SecurityOptions options) {
        return resolve(options, Capability.lastCap(), r -> {
            try {
                return ResourceLimit.current(r);
            } catch (SyscallException e) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--ulimit: cannot read the engine's own " + r.key() + " limit: " + e.getMessage(), e);
            }
        });
    }

    public static SecurityProfile resolve(SecurityOptions options, int lastCap, Function<Resource, ResourceLimit> engineLimits) {
        Set<Capability> caps = Capabilities.effectiveSet(options.capAdd(), options.capDrop(), options.privileged(), lastCap);
        boolean noNewPrivs = true;
        String mode = options.privileged() ? "unconfined" : "default";
        SeccompProfile seccomp = options.privileged() ? null : SeccompProfile.builtIn();
        for (String opt : options.securityOpt()) {
            int sep = indexOfSeparator(opt);
            String key = (sep < 0 ? opt : opt.substring(0, sep)).trim().toLowerCase(Locale.ROOT);
            String value = sep < 0 ? null : opt.substring(sep + 1);
            switch (key) {
                case "no-new-privileges" -> noNewPrivs = value == null || parseBoolean(opt, value);
                case "seccomp" -> {
                    if (value == null || value.isBlank()) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--security-opt " + opt + ": expected seccomp=unconfined or seccomp=PROFILE.json");
                    if (value.equals("unconfined")) {
                        seccomp = null;
                        mode = "unconfined";
                    } else if (value.equals("default") || value.equals("builtin")) {
                        seccomp = SeccompProfile.builtIn();
                        mode = "default";
                    } else {
                        seccomp = value.stripLeading().startsWith("{") ? SeccompProfile.parse(value, "(inline)")
                                : SeccompProfile.parse(read(opt, value), value);
                        mode = "custom";
                    }
                }
                case "apparmor", "label" -> {
                    // no LSM is configured by Enviro; accepting "unconfined"/"disable" keeps Docker command lines working
                    if (!"unconfined".equals(value) && !"disable".equals(value)) {
                        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--security-opt " + opt + ": Enviro does not apply AppArmor or SELinux profiles");
                    }
                }
                default -> throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--security-opt " + opt
                        + ": unknown option (seccomp=unconfined|PROFILE.json, no-new-privileges[=true|false])");
            }
        }
        List<ResourceLimit> rlimits = Ulimits.resolve(options.ulimits(), engineLimits);
        if (seccomp != null) {
            // compiled once here so that a broken profile is refused before anything starts
            seccomp.compile(SeccompArch.host(), caps, System.getProperty("os.version"));
        }
        return new SecurityProfile(caps, options.capAdd(), options.privileged(), noNewPrivs, seccomp, mode, rlimits);
    }

    /** The helper's security steps for a process running as {@code uid}, with the container's root at {@code rootfs}. */
    public HelperPlan.Security plan(String rootfs, int uid) {
        CapabilitySets sets = Capabilities.sets(capabilities, capAdd, uid, Capability.lastCap());
        byte[] filter = seccomp == null ? new byte[0]
                : seccomp.compile(SeccompArch.host(), capabilities, System.getProperty("os.version")).bytes();
        List<String> masked = new ArrayList<>(), readOnly = new ArrayList<>();
        if (!privileged) {
            MASKED_PATHS.forEach(p -> masked.add(rootfs + p));
            READ_ONLY_PATHS.forEach(p -> readOnly.add(rootfs + p));
        }
        return new HelperPlan.Security(sets, noNewPrivileges, filter, rlimits, masked, readOnly);
    }

    /** Capability names (CAP_…), sorted by number: the container's set, as inspect shows it. */
    public List<String> capabilityNames() {
        return CapabilitySets.list(CapabilitySets.mask(capabilities)).stream().map(Capability::capName).toList();
    }

    /** Docker accepts both {@code no-new-privileges=true} and the older {@code no-new-privileges:true}. */
    private static int indexOfSeparator(String opt) {
        int eq = opt.indexOf('='), colon = opt.indexOf(':');
        if (eq < 0) return colon;
        if (colon < 0) return eq;
        return Math.min(eq, colon);
    }

    private static boolean parseBoolean(String opt, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--security-opt " + opt + ": expected true or false");
        };
    }

    private static String read(String opt, String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--security-opt " + opt + ": cannot read " + path + ": " + e.getMessage(), e);
        }
    }

}

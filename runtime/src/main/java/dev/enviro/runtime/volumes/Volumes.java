package dev.enviro.runtime.volumes;

import dev.enviro.errors.Echo;
import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.MountOptions;
import dev.enviro.ffm.helper.HelperPlan;
import dev.enviro.ffm.helper.HelperPlan.Volume;
import dev.enviro.persistence.RunOptions;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The volumes of a container, decided here and performed by the helper (volumes.c), which resolves every
 * target inside the container's root. Defaults follow Podman (docs/volumes.md): binds are recursive and
 * private, {@code nosuid,nodev}; tmpfs are {@code nosuid,nodev,noexec}; {@code --read-only} also gets a
 * tmpfs on /tmp, /var/tmp and /run where no volume covers them (Podman's {@code --read-only-tmpfs}).
 */
public final class Volumes {
    private Volumes() {}

    /** Where a read-only container still needs to write: Podman's read-only-tmpfs set. */
    static final List<String> READ_ONLY_TMPFS = List.of("/tmp", "/var/tmp", "/run");

    static final long BIND_DEFAULT = MountOptions.MS_NOSUID | MountOptions.MS_NODEV;
    static final List<String> TMPFS_DEFAULT = List.of("nosuid", "nodev", "noexec");

    /** The storage plan of {@code options}; host sources are checked on this machine (they must exist). */
    public static HelperPlan.Storage plan(RunOptions options) {
        return plan(options, path -> Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.exists(path));
    }

    public static HelperPlan.Storage plan(RunOptions options, java.util.function.Predicate<Path> exists) {
        List<Volume> volumes = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (String v : options.volumes()) volumes.add(bind(v, exists));
        for (String t : options.tmpfs()) volumes.add(tmpfs(t));
        for (Volume v : volumes) {
            if (!targets.add(clean(v.target()))) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "duplicate mount point " + v.target() + ": give each volume and tmpfs its own target");
            }
        }
        if (options.readOnly()) {
            for (String dir : READ_ONLY_TMPFS) {
                if (!targets.contains(dir)) volumes.add(tmpfs(dir + ":mode=1777"));
            }
        }
        return new HelperPlan.Storage(volumes, options.readOnly());
    }

    /** {@code HOST:CTR[:OPTIONS]}, OPTIONS among ro, rw, nosuid, suid, nodev, dev, noexec, exec. */
    static Volume bind(String spec, java.util.function.Predicate<Path> exists) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "-v " + spec + ": expected HOST-PATH:CONTAINER-PATH[:ro|rw]");
        }
        String host = parts[0], target = parts[1];
        // before any Path.of, which refuses NUL with an exception of its own
        if (host.indexOf('\0') >= 0) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "-v " + spec + ": NUL in the host path");
        if (!host.startsWith("/")) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "-v " + spec + ": the host path " + host + " is not absolute (named volumes are not supported): give an absolute path");
        }
        checkTarget("-v " + spec, target);
        if (!exists.test(Path.of(host))) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "-v " + spec + ": the host path " + host + " does not exist: create it first");
        }
        long flags = BIND_DEFAULT;
        if (parts.length == 3) {
            for (String o : parts[2].split(",")) {
                MountOptions m = MountOptions.parse(List.of(o));
                boolean known = switch (o) {
                    case "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec" -> true;
                    default -> false;
                };
                if (!known) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "-v " + spec + ": unknown option " + o + " (ro, rw, nosuid, suid, nodev, dev, noexec, exec)");
                flags = applied(flags, o, m.flags());
            }
        }
        return new Volume(Volume.Kind.BIND, host, target, flags, "");
    }

    /** {@code CTR[:OPTIONS]}: flags among them become mount flags, the rest (size=, mode=, uid=, …) go to tmpfs. */
    static Volume tmpfs(String spec) {
        int colon = spec.indexOf(':');
        String target = colon < 0 ? spec : spec.substring(0, colon);
        checkTarget("--tmpfs " + spec, target);
        List<String> options = new ArrayList<>(TMPFS_DEFAULT);
        if (colon >= 0 && colon < spec.length() - 1) options.addAll(Arrays.asList(spec.substring(colon + 1).split(",")));
        for (String o : options) {
            if (o.isEmpty() || o.contains(":")) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--tmpfs " + spec + ": malformed option '" + o + "'");
            String key = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            if (Set.of("bind", "rbind", "private", "rprivate", "slave", "rslave", "shared", "rshared").contains(key.toLowerCase(Locale.ROOT))) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--tmpfs " + spec + ": option " + o + " does not apply to a tmpfs");
            }
        }
        MountOptions m = MountOptions.parse(options);
        if (!m.data().isEmpty()) {
            for (String o : m.data().split(",")) checkTmpfsOption(spec, o);
        }
        return new Volume(Volume.Kind.TMPFS, "tmpfs", target, m.flags(), m.data());
    }

    private static final java.util.regex.Pattern TMPFS_SIZE = java.util.regex.Pattern.compile("[0-9]{1,18}[kKmMgG%]?");
    private static final java.util.regex.Pattern TMPFS_COUNT = java.util.regex.Pattern.compile("[0-9]{1,18}[kKmMgG]?");
    private static final java.util.regex.Pattern TMPFS_MODE = java.util.regex.Pattern.compile("0?[0-7]{1,4}");
    private static final java.util.regex.Pattern TMPFS_ID = java.util.regex.Pattern.compile("[0-9]{1,10}");

    /** A tmpfs option the kernel takes (mm/shmem.c), checked here so that a bad one is a line at create, not EINVAL at start. */
    private static void checkTmpfsOption(String spec, String option) {
        int eq = option.indexOf('=');
        String key = eq < 0 ? option : option.substring(0, eq);
        String value = eq < 0 ? null : option.substring(eq + 1);
        java.util.regex.Pattern expected = switch (key) {
            case "size" -> TMPFS_SIZE;
            case "nr_blocks", "nr_inodes" -> TMPFS_COUNT;
            case "mode" -> TMPFS_MODE;
            case "uid", "gid" -> TMPFS_ID;
            case "huge" -> java.util.regex.Pattern.compile("never|always|within_size|advise");
            case "noswap", "inode32", "inode64" -> null;
            default -> throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--tmpfs " + Echo.of(spec) + ": unknown option '" + Echo.of(option)
                    + "': use size=, mode=, uid=, gid=, nr_inodes=, nr_blocks=, huge= or a mount flag (ro, noexec, ...)");
        };
        boolean ok = expected == null ? value == null : value != null && expected.matcher(value).matches()
                && !(key.equals("size") && value.matches("0+[kKmMgG%]?"));
        if (!ok) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--tmpfs " + Echo.of(spec) + ": " + Echo.of(option) + " is not valid: "
                    + switch (key) {
                        case "size" -> "give a positive size such as size=64m or size=50%";
                        case "nr_blocks", "nr_inodes" -> "give a count such as " + key + "=10k";
                        case "mode" -> "give octal permissions such as mode=1777";
                        case "uid", "gid" -> "give a number";
                        case "huge" -> "use never, always, within_size or advise";
                        default -> "it takes no value";
                    });
        }
    }

    private static long applied(long flags, String option, long set) {
        return switch (option) {
            case "rw" -> flags & ~MountOptions.MS_RDONLY;
            case "suid" -> flags & ~MountOptions.MS_NOSUID;
            case "dev" -> flags & ~MountOptions.MS_NODEV;
            case "exec" -> flags & ~MountOptions.MS_NOEXEC;
            default -> flags | set;
        };
    }

    /**
     * An absolute path, not the root itself. Symlinks and {@code ..} are allowed: the helper resolves the
     * path inside the container's root, so neither can lead out of it.
     */
    private static void checkTarget(String flag, String target) {
        if (target.indexOf('\0') >= 0) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, flag + ": NUL in the container path");
        if (!target.startsWith("/")) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, flag + ": the container path " + target + " is not absolute");
        if (clean(target).equals("/")) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, flag + ": cannot mount over the container's root /");
    }

    /** Lexically cleaned (duplicate slashes, ., trailing slash): for comparing targets only. */
    static String clean(String path) {
        String normal = Path.of(path).normalize().toString();
        return normal.isEmpty() ? "/" : normal;
    }
}

package dev.enviro.runtime.cgroups;

import dev.enviro.ffm.SyscallException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where container cgroups go on this host, and which version drives them. The engine's own cgroup
 * (from {@code /proc/self/cgroup}) on each hierarchy (from {@code /proc/self/mountinfo}) is the root
 * of everything it creates: {@code <own>/<parent>/<container id>}.
 *
 * <p>Version: the unified hierarchy when it carries the memory controller at the engine's own cgroup
 * (pure v2 hosts); otherwise the v1 hierarchies (hybrid hosts mount v2 without controllers, which gives no
 * limits). A hierarchy the engine may not write (rootless on v1, an undelegated v2 cgroup) is left
 * out; with none left the engine runs containers in its own cgroup and refuses limits.
 */
public final class CgroupDriver {
    /** The v1 hierarchies a container gets a directory in. */
    static final List<String> V1_CONTROLLERS = List.of("memory", "cpu", "cpuacct", "cpuset", "pids", "freezer");

    private final CgroupFiles files;
    private final String parentName;
    /** v1: controller → the engine's own cgroup directory; empty on v2 */
    private final Map<String, Path> v1Own;
    /** v2: the engine's own cgroup directory; null on v1 */
    private final Path v2Own;

    CgroupDriver(CgroupFiles files, String parentName, Map<String, Path> v1Own, Path v2Own) {
        this.files = files;
        this.parentName = parentName;
        this.v1Own = Map.copyOf(v1Own);
        this.v2Own = v2Own;
    }

    /** The driver for this process: reads /proc/self/cgroup and /proc/self/mountinfo. Empty when no cgroup is writable. */
    public static Optional<CgroupDriver> detect(String parentName, CgroupFiles files) {
        try {
            String cgroup = java.nio.file.Files.readString(Path.of("/proc/self/cgroup"));
            String mountinfo = java.nio.file.Files.readString(Path.of("/proc/self/mountinfo"));
            return locate(parentName, files, cgroup, mountinfo, java.nio.file.Files::isWritable);
        } catch (IOException e) {
            return Optional.empty(); // no /proc (not Linux, or hidden): containers share the engine's cgroup
        }
    }

    /** {@link #detect}'s decision over the two files' text; {@code writable} says whether the engine may create below a directory. */
    static Optional<CgroupDriver> locate(String parentName, CgroupFiles files, String procSelfCgroup, String mountinfo,
                                         java.util.function.Predicate<Path> writable) {
        Map<String, String> ownPaths = new HashMap<>(); // "" = v2
        for (String line : procSelfCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length != 3) continue;
            if (f[1].isEmpty()) ownPaths.put("", f[2]);
            else for (String c : f[1].split(",")) ownPaths.put(c, f[2]);
        }
        Path unified = null;
        String unifiedRoot = "/";
        Map<String, Path> v1Own = new LinkedHashMap<>();
        for (String line : mountinfo.split("\n")) {
            String[] halves = line.split(" - ", 2);
            if (halves.length != 2) continue;
            String[] pre = halves[0].split(" ");
            String[] post = halves[1].split(" ");
            if (pre.length < 5 || post.length < 3) continue;
            String root = unescape(pre[3]);
            Path mountPoint = Path.of(unescape(pre[4]));
            if (post[0].equals("cgroup2")) {
                unified = mountPoint;
                unifiedRoot = root;
            } else if (post[0].equals("cgroup")) {
                for (String option : post[2].split(",")) {
                    if (V1_CONTROLLERS.contains(option) && ownPaths.containsKey(option) && !v1Own.containsKey(option)) {
                        v1Own.put(option, below(mountPoint, root, ownPaths.get(option)));
                    }
                }
            }
        }
        if (unified != null && ownPaths.containsKey("")) {
            Path own = below(unified, unifiedRoot, ownPaths.get(""));
            Path controllers = own.resolve("cgroup.controllers");
            try {
                // memory is the controller that decides: it binds to one hierarchy only, and a hybrid host
                // may still give v2 a stray one (this Debian host's v2 carries hugetlb alone)
                if (files.exists(controllers) && List.of(files.read(controllers).strip().split("\\s+")).contains("memory")
                        && writable.test(own)) {
                    return Optional.of(new CgroupDriver(files, parentName, Map.of(), own));
                }
            } catch (SyscallException unreadable) {
                // fall through to v1
            }
        }
        v1Own.values().removeIf(own -> !writable.test(own));
        return v1Own.isEmpty() ? Optional.empty() : Optional.of(new CgroupDriver(files, parentName, v1Own, null));
    }

    /** The directory of cgroup {@code path} in a hierarchy mounted at {@code mountPoint} from {@code root}. */
    private static Path below(Path mountPoint, String root, String path) {
        String relative = path.startsWith(root) ? path.substring(root.length()) : path;
        relative = relative.replaceFirst("^/+", "");
        return relative.isEmpty() ? mountPoint : mountPoint.resolve(relative);
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        if (!s.contains("\\")) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public boolean isV2() { return v2Own != null; }

    /**
     * Starts paying, ahead of time, what the first move of a process into a cgroup costs: writing
     * {@code cgroup.procs} takes the kernel's global {@code cgroup_threadgroup_rwsem} for writing, and
     * when nobody took it in the last RCU grace period that waits for a whole grace period (6–15 ms on
     * the 2-core VM, docs/performance.md); a writer that comes while the lock is still in its slow mode
     * waits no more. So the engine writes {@code pid}, a child of its own that is still in its own
     * cgroup and not yet reaped (its pid cannot have been reused), or 0 (the writer: the engine itself), to its own {@code cgroup.procs}: a
     * move to where it already is, which changes nothing, made while the helper is still cloning the
     * container. The container's own move then finds the lock in its slow mode. Any error is ignored:
     * this only saves time; the real move reports its own errors.
     */
    public void primeMigration(int pid) {
        Path own = v2Own != null ? v2Own : v1Own.values().stream().sorted().findFirst().orElse(null);
        if (own == null) return;
        try {
            files.write(own.resolve("cgroup.procs"), Integer.toString(pid));
        } catch (SyscallException | RuntimeException ignored) {
            // nothing to undo: the write moved nothing
        }
    }

    /** The cgroup of container {@code containerId} (nothing is created until {@link Cgroup#create}). */
    public Cgroup container(String containerId) {
        if (v2Own != null) return new CgroupV2(files, v2Own.resolve(parentName).resolve(containerId));
        Map<String, Path> dirs = new LinkedHashMap<>();
        v1Own.forEach((controller, own) -> dirs.put(controller, own.resolve(parentName).resolve(containerId)));
        return new CgroupV1(files, dirs);
    }

    @Override
    public String toString() {
        return v2Own != null ? "cgroup v2 at " + v2Own.resolve(parentName) : "cgroup v1 " + v1Own.keySet() + " below " + v1Own.values();
    }
}

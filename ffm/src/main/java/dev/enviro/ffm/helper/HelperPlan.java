package dev.enviro.ffm.helper;

import dev.enviro.ffm.CapabilitySets;
import dev.enviro.ffm.ResourceLimit;
import java.util.List;
import java.util.Objects;

/**
 * Everything the C helper does for one process, decided in Java: it knows namespaces, mounts and ids,
 * not containers. Encoded by {@link PlanWriter}; the format is described in {@code ffm/src/main/c/plan.h}.
 *
 * @param cloneFlags   namespaces the process is cloned into ({@link dev.enviro.ffm.Namespaces})
 * @param unshareFlags namespaces unshared after MAPPED (the cgroup namespace, once the cgroup is set)
 * @param mounts       performed in order, targets are host paths (under {@code rootfs} for the ones inside)
 * @param symlinks     created after the mounts, paths are host paths under {@code rootfs}
 * @param rootfs       the directory pivoted into
 * @param setGroups    whether to call setgroups(2); false when the user namespace denies it
 * @param logPath      the CRI log the monitor appends stdout/stderr to
 * @param statusPath   the exit status file the monitor writes
 * @param security     capabilities, no_new_privs, seccomp, rlimits, masked and read-only paths
 */
public record HelperPlan(
        long cloneFlags,
        long unshareFlags,
        List<Mount> mounts,
        List<Symlink> symlinks,
        String rootfs,
        String hostname,
        List<String> argv,
        List<String> env,
        String cwd,
        int uid,
        int gid,
        List<Integer> groups,
        boolean setGroups,
        String logPath,
        String statusPath,
        Security security,
        Storage storage,
        Join join,
        boolean init,
        LogRotation logRotation,
        Terminal terminal,
        Interface network) {

    /** A plan without a terminal: stdin is /dev/null, stdout and stderr go to the log through pipes. */
    public HelperPlan(long cloneFlags, long unshareFlags, List<Mount> mounts, List<Symlink> symlinks, String rootfs,
            String hostname, List<String> argv, List<String> env, String cwd, int uid, int gid, List<Integer> groups,
            boolean setGroups, String logPath, String statusPath, Security security, Storage storage, Join join,
            boolean init, LogRotation logRotation) {
        this(cloneFlags, unshareFlags, mounts, symlinks, rootfs, hostname, argv, env, cwd, uid, gid, groups, setGroups,
                logPath, statusPath, security, storage, join, init, logRotation, null, null);
    }

    /** This plan with {@code terminal} (null: none). */
    public HelperPlan withTerminal(Terminal terminal) {
        return new HelperPlan(cloneFlags, unshareFlags, mounts, symlinks, rootfs, hostname, argv, env, cwd, uid, gid, groups,
                setGroups, logPath, statusPath, security, storage, join, init, logRotation, terminal, network);
    }

    /** This plan with {@code network} (null: none) configured inside the container's namespace. */
    public HelperPlan withInterface(Interface network) {
        return new HelperPlan(cloneFlags, unshareFlags, mounts, symlinks, rootfs, hostname, argv, env, cwd, uid, gid, groups,
                setGroups, logPath, statusPath, security, storage, join, init, logRotation, terminal, network);
    }

    /**
     * The interface the engine made inside the container's network namespace (a veth end), which the
     * container sets up before anything of its own runs: {@code address}/{@code prefix} on it, up, and the
     * default route through {@code gateway} (net.c). Addresses are IPv4, 4 bytes in network order.
     */
    public record Interface(String name, byte[] address, int prefix, byte[] gateway) {
        public Interface {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.length() > 15) throw new IllegalArgumentException("an interface name has 1 to 15 characters: " + name);
            if (address.length != 4 || gateway.length != 4) throw new IllegalArgumentException("IPv4 addresses are 4 bytes");
            if (prefix < 1 || prefix > 30) throw new IllegalArgumentException("prefix length " + prefix);
            address = address.clone();
            gateway = gateway.clone();
        }

        @Override
        public byte[] address() { return address.clone(); }

        @Override
        public byte[] gateway() { return gateway.clone(); }
    }

    /**
     * {@code -t}: the command's stdio is a pty the monitor holds the master of; {@code -i}: its stdin is open
     * to clients. {@code attachSocket}: where the monitor listens for input and window sizes (terminal.h).
     */
    public record Terminal(boolean tty, boolean openStdin, String attachSocket) {
        public Terminal {
            Objects.requireNonNull(attachSocket, "attachSocket");
            if (!attachSocket.startsWith("/")) throw new IllegalArgumentException("the attach socket is an absolute host path: " + attachSocket);
        }
    }

    /** A created (not joined) plan without volumes, init or log rotation. */
    public HelperPlan(long cloneFlags, long unshareFlags, List<Mount> mounts, List<Symlink> symlinks, String rootfs,
            String hostname, List<String> argv, List<String> env, String cwd, int uid, int gid, List<Integer> groups,
            boolean setGroups, String logPath, String statusPath, Security security) {
        this(cloneFlags, unshareFlags, mounts, symlinks, rootfs, hostname, argv, env, cwd, uid, gid, groups, setGroups,
                logPath, statusPath, security, Storage.NONE, null, false, null);
    }

    /**
     * Volumes mounted after the kernel filesystems, onto targets the helper resolves inside the root
     * ({@code openat2(RESOLVE_IN_ROOT)}, see volumes.c), and whether the root mount itself is read-only.
     */
    public record Storage(List<Volume> volumes, boolean readOnlyRootfs) {
        public static final Storage NONE = new Storage(List.of(), false);

        public Storage {
            volumes = List.copyOf(volumes);
        }
    }

    /**
     * A bind of a host path or a new tmpfs. {@code target} is a path inside the container, never a host path:
     * the helper resolves it in the root. {@code flags}: MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC.
     */
    public record Volume(Kind kind, String source, String target, long flags, String data) {
        public enum Kind { BIND, TMPFS }

        public Volume {
            Objects.requireNonNull(kind, "kind");
            source = source == null ? "" : source;
            data = data == null ? "" : data;
            if (target == null || !target.startsWith("/")) throw new IllegalArgumentException("a volume target is an absolute path inside the container: " + target);
            if (kind == Kind.BIND && !source.startsWith("/")) throw new IllegalArgumentException("a bind source is an absolute host path: " + source);
        }
    }

    /**
     * Exec: the process joins the namespaces ({@code cloneFlags | unshareFlags}) of the running process
     * {@code pid}, checked against its start time (clock ticks since boot), instead of creating new ones.
     * {@code cgroupTasks}: the container's cgroup v1 {@code tasks} files, which the helper's joiner
     * writes "0" to before it joins the namespaces (exec.c: a thread moving itself skips the kernel's
     * global migration lock); empty: the engine moves the process (cgroup v2, or no cgroup).
     */
    public record Join(int pid, long startTime, List<String> cgroupTasks) {
        public Join {
            if (pid <= 0) throw new IllegalArgumentException("join pid " + pid);
            cgroupTasks = List.copyOf(cgroupTasks);
            for (String f : cgroupTasks) {
                if (!f.startsWith("/")) throw new IllegalArgumentException("a cgroup tasks file is an absolute host path: " + f);
            }
        }

        public Join(int pid, long startTime) {
            this(pid, startTime, List.of());
        }
    }

    /** The monitor renames the log to {@code .1}, {@code .2}, … when it would pass {@code maxBytes}, keeping {@code maxFiles} in all. */
    public record LogRotation(long maxBytes, int maxFiles) {
        public LogRotation {
            if (maxBytes <= 0 || maxFiles < 1) throw new IllegalArgumentException("log rotation needs max-size > 0 and max-file >= 1");
        }
    }

    /** A plan without any security step (the helper keeps what the user namespace gives). */
    public HelperPlan(long cloneFlags, long unshareFlags, List<Mount> mounts, List<Symlink> symlinks, String rootfs,
            String hostname, List<String> argv, List<String> env, String cwd, int uid, int gid, List<Integer> groups,
            boolean setGroups, String logPath, String statusPath) {
        this(cloneFlags, unshareFlags, mounts, symlinks, rootfs, hostname, argv, env, cwd, uid, gid, groups, setGroups,
                logPath, statusPath, Security.NONE);
    }

    /**
     * The security steps of the container's side, applied by the helper in this order: masked and
     * read-only paths (before pivot_root), rlimits, the bounding set, identity with kept capabilities,
     * capset, ambient, no_new_privs, seccomp (the last step before execve; see security.c).
     *
     * @param capabilities   null: leave the capabilities as the user namespace gives them (all)
     * @param seccompFilter  a classic BPF program ({@link dev.enviro.ffm.seccomp.SeccompProgram#bytes()}); empty: none
     * @param maskedPaths    host paths under the rootfs: /dev/null bound over a file, an empty read-only tmpfs over a directory
     * @param readOnlyPaths  host paths under the rootfs, bound onto themselves read-only
     */
    public record Security(CapabilitySets capabilities, boolean noNewPrivileges, byte[] seccompFilter,
            List<ResourceLimit> rlimits, List<String> maskedPaths, List<String> readOnlyPaths) {
        public static final Security NONE = new Security(null, false, new byte[0], List.of(), List.of(), List.of());

        public Security {
            seccompFilter = seccompFilter == null ? new byte[0] : seccompFilter.clone();
            if (seccompFilter.length % 8 != 0) throw new IllegalArgumentException("a seccomp filter is a whole number of 8-byte instructions");
            rlimits = List.copyOf(rlimits);
            maskedPaths = List.copyOf(maskedPaths);
            readOnlyPaths = List.copyOf(readOnlyPaths);
        }

        @Override
        public byte[] seccompFilter() { return seccompFilter.clone(); }
    }

    /** Flags of a mount step around mount(2); the same bits as {@code enum mount_step_flags} in plan.h. */
    public static final int STEP_MKDIR = 1, STEP_MKFILE = 1 << 1, STEP_OR_NEXT = 1 << 2;

    /**
     * One mount(2), with its mount flags ({@link dev.enviro.ffm.MountOptions}) and step flags: create the
     * target as a directory or file first; on failure fall back to the next mount ({@link #STEP_OR_NEXT}).
     */
    public record Mount(String type, String source, String target, long flags, String data, int step) {
        public Mount {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            data = data == null ? "" : data;
        }
    }

    public record Symlink(String target, String path) {}

    public HelperPlan {
        mounts = List.copyOf(mounts);
        symlinks = List.copyOf(symlinks);
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        groups = List.copyOf(groups);
        security = security == null ? Security.NONE : security;
        storage = storage == null ? Storage.NONE : storage;
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(logPath, "logPath");
        Objects.requireNonNull(statusPath, "statusPath");
        if (argv.isEmpty()) throw new IllegalArgumentException("a plan needs a command (argv is empty)");
        for (int i = 0; i < mounts.size(); i++) {
            if ((mounts.get(i).step() & STEP_OR_NEXT) != 0 && i == mounts.size() - 1) {
                throw new IllegalArgumentException("mount " + mounts.get(i).target() + " has a fallback but is the last mount");
            }
        }
    }
}

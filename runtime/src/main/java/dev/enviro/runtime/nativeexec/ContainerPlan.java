package dev.enviro.runtime.nativeexec;

import static dev.enviro.ffm.MountOptions.MS_BIND;
import static dev.enviro.ffm.MountOptions.MS_NODEV;
import static dev.enviro.ffm.MountOptions.MS_NOEXEC;
import static dev.enviro.ffm.MountOptions.MS_NOSUID;
import static dev.enviro.ffm.MountOptions.MS_RDONLY;
import static dev.enviro.ffm.MountOptions.MS_REC;
import static dev.enviro.ffm.helper.HelperPlan.STEP_MKDIR;
import static dev.enviro.ffm.helper.HelperPlan.STEP_MKFILE;
import static dev.enviro.ffm.helper.HelperPlan.STEP_OR_NEXT;

import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.MountOptions;
import dev.enviro.ffm.Namespaces;
import dev.enviro.ffm.helper.HelperPlan;
import dev.enviro.images.Mount;
import dev.enviro.runtime.ResolvedProcess;
import dev.enviro.runtime.security.SecurityProfile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The helper plan of a container: its namespaces, its root filesystem and the kernel filesystems inside it. */
final class ContainerPlan {
    private ContainerPlan() {}

    static final long CLONE_FLAGS = Namespaces.CLONE_NEWUSER | Namespaces.CLONE_NEWNS | Namespaces.CLONE_NEWPID
            | Namespaces.CLONE_NEWUTS | Namespaces.CLONE_NEWIPC | Namespaces.CLONE_NEWNET;

    /** The device nodes every container gets, bind-mounted from the host (mknod is refused in a user namespace). */
    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    /**
     * @param rootfsMounts the snapshotter's mounts; the last one's target is the root filesystem
     * @param containerDir where the log and the exit status are kept
     */
    static HelperPlan of(List<Mount> rootfsMounts, String hostname, ResolvedProcess process, Path containerDir, IdMap idMap) {
        return of(rootfsMounts, hostname, process, containerDir, idMap, null);
    }

    /** @param security the container's resolved security settings; null: none (the user namespace's full set) */
    static HelperPlan of(List<Mount> rootfsMounts, String hostname, ResolvedProcess process, Path containerDir, IdMap idMap,
            SecurityProfile security) {
        return of(rootfsMounts, hostname, process, containerDir, idMap, security, HelperPlan.Storage.NONE, false, null, true);
    }

    /**
     * @param storage     volumes and the read-only root ({@link dev.enviro.runtime.volumes.Volumes#plan})
     * @param init        a minimal init as pid 1
     * @param logRotation null: the log grows without bound
     * @param ownNetwork  a network namespace of its own; false: the host's (--network host)
     */
    static HelperPlan of(List<Mount> rootfsMounts, String hostname, ResolvedProcess process, Path containerDir, IdMap idMap,
            SecurityProfile security, HelperPlan.Storage storage, boolean init, HelperPlan.LogRotation logRotation, boolean ownNetwork) {
        if (rootfsMounts.isEmpty()) throw new IllegalArgumentException("the snapshotter returned no mounts");
        String rootfs = rootfsMounts.getLast().target();
        List<HelperPlan.Mount> mounts = new ArrayList<>();
        for (Mount m : rootfsMounts) {
            MountOptions o = MountOptions.parse(m.options());
            mounts.add(new HelperPlan.Mount(m.type(), m.source(), m.target(), o.flags(), o.data(), 0));
        }
        mounts.addAll(kernelMounts(rootfs));
        return new HelperPlan(
                ownNetwork ? CLONE_FLAGS : CLONE_FLAGS & ~Namespaces.CLONE_NEWNET,
                // cgroup namespace after the engine has put the process in its cgroup: that cgroup becomes its root
                Namespaces.CLONE_NEWCGROUP,
                mounts,
                symlinks(rootfs),
                rootfs,
                hostname,
                process.argv(),
                process.env(),
                process.cwd(),
                process.uid(),
                process.gid(),
                process.groups(),
                // a single-id map is written after setgroups=deny: setgroups(2) would fail, and there is nothing to set
                !idMap.isSingleId(),
                containerDir.resolve("ctr.log").toString(),
                containerDir.resolve("exit.status").toString(),
                security == null ? HelperPlan.Security.NONE : security.plan(rootfs, process.uid()),
                storage,
                null,
                init,
                logRotation);
    }

    /**
     * The plan of {@code exec} in a running container: the same helper path, joining the namespaces of
     * {@code join} instead of cloning new ones; no mounts (the container's are there), the container's
     * security steps, its own log and status files.
     */
    static HelperPlan exec(HelperPlan.Join join, ResolvedProcess process, String rootfs, Path logPath, Path statusPath,
            IdMap idMap, SecurityProfile security) {
        return new HelperPlan(
                CLONE_FLAGS,
                Namespaces.CLONE_NEWCGROUP,
                List.of(),
                List.of(),
                rootfs,
                null,
                process.argv(),
                process.env(),
                process.cwd(),
                process.uid(),
                process.gid(),
                process.groups(),
                !idMap.isSingleId(),
                logPath.toString(),
                statusPath.toString(),
                security == null ? HelperPlan.Security.NONE : security.plan(rootfs, process.uid()),
                HelperPlan.Storage.NONE,
                join,
                false,
                null);
    }

    /** /proc, /dev and /sys of the container, in the order they must be mounted. */
    static List<HelperPlan.Mount> kernelMounts(String rootfs) {
        long hardened = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        List<HelperPlan.Mount> m = new ArrayList<>();
        m.add(new HelperPlan.Mount("proc", "proc", rootfs + "/proc", hardened, "", STEP_MKDIR));
        m.add(new HelperPlan.Mount("tmpfs", "tmpfs", rootfs + "/dev", MS_NOSUID, "mode=755,size=65536k", STEP_MKDIR));
        for (String device : DEVICES) {
            m.add(new HelperPlan.Mount("none", "/dev/" + device, rootfs + "/dev/" + device, MS_BIND | MS_NOSUID | MS_NOEXEC, "", STEP_MKFILE));
        }
        m.add(new HelperPlan.Mount("devpts", "devpts", rootfs + "/dev/pts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620", STEP_MKDIR));
        m.add(new HelperPlan.Mount("tmpfs", "shm", rootfs + "/dev/shm", hardened, "mode=1777,size=65536k", STEP_MKDIR));
        m.add(new HelperPlan.Mount("mqueue", "mqueue", rootfs + "/dev/mqueue", hardened, "", STEP_MKDIR));
        // sysfs needs a network namespace owned by the container's user namespace; where the kernel still
        // refuses it, bind the host's /sys read-only instead, as crun does for rootless containers.
        m.add(new HelperPlan.Mount("sysfs", "sysfs", rootfs + "/sys", hardened | MS_RDONLY, "", STEP_MKDIR | STEP_OR_NEXT));
        m.add(new HelperPlan.Mount("none", "/sys", rootfs + "/sys", MS_BIND | MS_REC | hardened | MS_RDONLY, "", STEP_MKDIR));
        return m;
    }

    static List<HelperPlan.Symlink> symlinks(String rootfs) {
        return List.of(
                new HelperPlan.Symlink("/proc/self/fd", rootfs + "/dev/fd"),
                new HelperPlan.Symlink("/proc/self/fd/0", rootfs + "/dev/stdin"),
                new HelperPlan.Symlink("/proc/self/fd/1", rootfs + "/dev/stdout"),
                new HelperPlan.Symlink("/proc/self/fd/2", rootfs + "/dev/stderr"),
                new HelperPlan.Symlink("pts/ptmx", rootfs + "/dev/ptmx"));
    }

    /** The directories under a snapshot's mounts that hold the image's files, top-most first (for /etc/passwd). */
    static List<Path> imageLayers(List<Mount> rootfsMounts) {
        List<Path> layers = new ArrayList<>();
        for (Mount m : rootfsMounts) {
            if (m.type().equals("overlay")) {
                for (String option : m.options()) {
                    if (option.startsWith("lowerdir=")) {
                        for (String dir : option.substring("lowerdir=".length()).split(":")) layers.add(Path.of(dir));
                    }
                }
            } else if (m.options().contains("bind") || m.options().contains("rbind")) {
                layers.add(Path.of(m.source()));
            }
        }
        return layers;
    }
}
